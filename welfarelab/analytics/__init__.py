"""Pure computation on columns and data frames (Polars, NumPy, SciPy). No Django, no other welfarelab package.

An import-linter contract (pyproject.toml) fails `make check` if that rule is broken.
"""
