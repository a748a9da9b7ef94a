"""Hypothesis settings and strategies shared by the analytics tests: fast enough for every run."""

from __future__ import annotations

import polars as pl
from hypothesis import settings
from hypothesis import strategies as st

PROPERTY = settings(max_examples=100, deadline=None)


@st.composite
def proportions(draw: st.DrawFn, *, max_denominator: int = 100_000, min_size: int = 1) -> pl.DataFrame:
    """A frame of (numerator, denominator) with 0 ≤ numerator ≤ denominator and denominator ≥ 1."""
    denominators = draw(st.lists(st.integers(1, max_denominator), min_size=min_size, max_size=30))
    numerators = [draw(st.integers(0, n)) for n in denominators]
    return pl.DataFrame({"numerator": numerators, "denominator": denominators})
