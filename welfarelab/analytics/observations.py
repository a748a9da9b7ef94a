"""Observations of indicators: their 95% intervals, and their sums up the territorial hierarchy.

An observation frame has one row per territory × period with `numerator`, `denominator` (null for
counts and enumerations) and `value` = numerator / denominator × multiplier. Which interval a value
gets depends on the kind of statistic its indicator is (the catalogue's `statistic`):

- proportion → Wilson score interval (people in a group among the people counted);
- rate → Poisson limits of the count (Byar from 10 events, exact below) over the denominator;
- count → Poisson limits of the count;
- ratio of two populations, mean, change, enumeration → no interval (none is defined by the data:
  a ratio of two counted populations has no sampling error to speak of, a mean needs the spread).
"""

from __future__ import annotations

import polars as pl

from welfarelab.analytics.proportions import proportion_with_wilson_ci
from welfarelab.analytics.rates import count_with_poisson_ci, rate_with_poisson_ci

STATISTICS_WITH_INTERVAL = frozenset({"proportion", "rate", "count"})
STATISTICS_WITHOUT_INTERVAL = frozenset({"ratio", "mean", "change", "enumeration"})
STATISTICS = STATISTICS_WITH_INTERVAL | STATISTICS_WITHOUT_INTERVAL

# Statistics whose numerator alone is the value (no denominator).
COUNT_LIKE = frozenset({"count", "enumeration"})


def with_intervals(frame: pl.DataFrame, *, statistic: str, multiplier: float) -> pl.DataFrame:
    """`frame` with `lower_95` and `upper_95` for one indicator's rows (nulls where none is defined).

    Rows whose numerator or denominator is unknown, or whose numerator exceeds its denominator for a
    proportion, keep their value and get no interval. `value` is left as it was given.
    """
    if statistic not in STATISTICS:
        raise ValueError(
            f"Unknown kind of statistic {statistic!r}; expected one of {', '.join(sorted(STATISTICS))}."
        )
    if statistic in STATISTICS_WITHOUT_INTERVAL or frame.is_empty():
        return frame.with_columns(
            lower_95=pl.lit(None, dtype=pl.Float64), upper_95=pl.lit(None, dtype=pl.Float64)
        )
    work = frame.with_row_index("_row").with_columns(
        _x=pl.col("numerator").cast(pl.Float64), _n=pl.col("denominator").cast(pl.Float64)
    )
    if statistic == "proportion":
        usable = pl.col("_x").is_not_null() & pl.col("_n").is_not_null() & (pl.col("_x") >= 0)
        usable = usable & (pl.col("_x") <= pl.col("_n"))
        limits = proportion_with_wilson_ci(
            work.filter(usable), numerator="_x", denominator="_n", multiplier=multiplier
        )
    elif statistic == "rate":
        usable = (
            pl.col("_x").is_not_null()
            & pl.col("_n").is_not_null()
            & (pl.col("_x") >= 0)
            & (pl.col("_n") >= 0)
        )
        limits = rate_with_poisson_ci(
            work.filter(usable), count="_x", denominator="_n", multiplier=multiplier
        )
    else:
        usable = pl.col("_x").is_not_null() & (pl.col("_x") >= 0)
        limits = count_with_poisson_ci(work.filter(usable), count="_x")
        limits = limits.with_columns(pl.col("lower_ci") * multiplier, pl.col("upper_ci") * multiplier)
    limits = limits.select("_row", lower_95="lower_ci", upper_95="upper_ci")
    return (
        work.drop("lower_95", "upper_95", strict=False)
        .join(limits, on="_row", how="left")
        .sort("_row")
        .drop("_row", "_x", "_n")
    )


def value_from_counts(*, statistic: str, multiplier: float) -> pl.Expr:
    """The value of a row from its numerator and denominator (null when the denominator is 0 or unknown)."""
    numerator = pl.col("numerator").cast(pl.Float64)
    if statistic in COUNT_LIKE:
        return numerator * multiplier
    denominator = pl.col("denominator").cast(pl.Float64)
    return pl.when(denominator > 0).then(numerator / denominator * multiplier)


def sum_up(
    observations: pl.DataFrame, membership: pl.DataFrame, *, statistic: str, multiplier: float
) -> pl.DataFrame:
    """Sum comune observations into their parents: numerators and denominators, never the values.

    `observations` has (territory, period, numerator, denominator) for comuni; `membership` has
    (territory, parent, members) — one row per comune and each parent containing it, `members` being
    how many comuni the parent has. A comune with an unknown numerator (or denominator, where one is
    needed) is left out of the sum, and `coverage` tells the share of the parent's comuni counted:
    1.0 means complete. Returns (territory = the parent, period, numerator, denominator, value, coverage).
    """
    needs_denominator = statistic not in COUNT_LIKE
    known = pl.col("numerator").is_not_null()
    if needs_denominator:
        known = known & pl.col("denominator").is_not_null()
    summed = (
        observations.filter(known)
        .join(membership.select("territory", "parent", "members"), on="territory", how="inner")
        .group_by("parent", "period")
        .agg(
            pl.col("numerator").cast(pl.Float64).sum(),
            pl.col("denominator").cast(pl.Float64).sum()
            if needs_denominator
            else pl.lit(None, dtype=pl.Float64),
            (pl.len() / pl.col("members").first()).alias("coverage"),
        )
        .rename({"parent": "territory"})
    )
    if not needs_denominator:
        summed = summed.with_columns(denominator=pl.lit(None, dtype=pl.Float64))
    return summed.with_columns(value=value_from_counts(statistic=statistic, multiplier=multiplier)).select(
        "territory", "period", "numerator", "denominator", "value", "coverage"
    )
