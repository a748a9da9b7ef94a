"""Scores across units: z-scores and quantile groups (PHEindicatormethods `phe_quantile`)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from welfarelab.analytics._validation import as_float, check_columns


def _over(expression: pl.Expr, by: str | Sequence[str] | None) -> pl.Expr:
    if by is None:
        return expression
    return expression.over([by] if isinstance(by, str) else list(by))


def _keys(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def z_score(
    frame: pl.DataFrame, *, value: str, by: str | Sequence[str] | None = None, output: str = "z_score"
) -> pl.DataFrame:
    """Add `output` = (value − mean) / standard deviation across the units (within each `by` group).

    The mean and the sample standard deviation (n − 1) are those of the non-missing values; a missing
    (or NaN) value gives null, and so does every value of a group with fewer than two values or no
    spread. Rows keep their order; `frame` is not modified.
    """
    check_columns(frame, value, *_keys(by))
    x = as_float(value)
    mean, spread = _over(x.mean(), by), _over(x.std(ddof=1), by)
    return frame.with_columns(pl.when(spread > 0).then((x - mean) / spread).alias(output))


def quantile_group(
    frame: pl.DataFrame,
    *,
    value: str,
    groups: int,
    by: str | Sequence[str] | None = None,
    descending: bool = False,
    output: str = "quantile",
) -> pl.DataFrame:
    """Add `output`: the quantile group, 1…`groups`, of each value among the units (within each `by` group).

    The OHID method for deprivation categories, as PHE's `phe_quantile`: with m non-missing values in
    the group and r the rank of a value (ties take the lowest rank of their run),
    quantile = groups + 1 − ⌈(m + 1 − r) · groups / m⌉, computed in whole numbers. Equal values always
    share a group and the result does not depend on the order of the rows. Group 1 holds the lowest
    values, or the highest with `descending=True` (PHE's default, `invert = TRUE`, for deprivation:
    1 = most deprived). A missing value gives null, and so does every value of a group with fewer values
    than `groups`. Rows keep their order; `frame` is not modified.
    """
    if groups < 1:
        raise ValueError(f"The number of quantile groups must be at least 1; got {groups!r}.")
    check_columns(frame, value, *_keys(by))
    x = as_float(value)
    m = _over(x.count(), by).cast(pl.Int64)
    rank = _over(x.rank("min", descending=descending), by).cast(pl.Int64)
    numerator = (m + 1 - rank) * groups
    ceiling = (numerator + m - 1) // m
    quantile = pl.max_horizontal(groups + 1 - ceiling, pl.lit(1, dtype=pl.Int64))
    return frame.with_columns(
        pl.when(x.is_not_null() & (m >= groups)).then(quantile).cast(pl.Int32).alias(output)
    )


def quintile(
    frame: pl.DataFrame,
    *,
    value: str,
    by: str | Sequence[str] | None = None,
    descending: bool = False,
    output: str = "quintile",
) -> pl.DataFrame:
    """Add `output`, the quintile (1…5) of each value: `quantile_group` with five groups."""
    return quantile_group(frame, value=value, groups=5, by=by, descending=descending, output=output)
