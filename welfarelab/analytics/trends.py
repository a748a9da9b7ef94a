"""The recent trend of a proportion: the chi-square test for linear trend on the latest five points.

This is the test Fingertips uses for its "recent trend" (PHE, Technical guidance: trend), the
chi-square test for trend in proportions of Armitage (1955) and Cochran (1954), as given in Altman,
*Practical Statistics for Medical Research* (1991). For the points i of one unit, with x_i events out
of n_i, scores t_i (1…5 from the oldest to the latest period), N = Σn_i and p̄ = Σx_i / N:

    U  = Σ x_i t_i − p̄ Σ n_i t_i
    χ² = U² / (p̄ (1 − p̄) (Σ n_i t_i² − (Σ n_i t_i)² / N)),   1 degree of freedom,

the square of the Cochran–Armitage Z (N times the squared correlation of outcome and score over the
N individuals). The trend is significant when its p-value is below 1 − confidence (95% by default;
99.8% as an option), increasing when U > 0. R computes the same statistic as `prop.trend.test`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import polars as pl
from scipy import stats

from welfarelab.analytics._validation import (
    ROW_INDEX,
    as_float,
    check_columns,
    check_counts,
    raise_on_first_row,
)
from welfarelab.analytics.comparisons import Polarity, polarity_from
from welfarelab.analytics.constants import CONFIDENCE_95, TREND_POINTS, check_confidence


class TrendDirection(StrEnum):
    """Which way a significant trend goes, or why there is none."""

    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_SIGNIFICANT_CHANGE = "no_significant_change"
    CANNOT_BE_CALCULATED = "cannot_be_calculated"


class TrendAssessment(StrEnum):
    """A trend read with the indicator's polarity (increasing/decreasing when it has none)."""

    GETTING_BETTER = "getting_better"
    GETTING_WORSE = "getting_worse"
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_SIGNIFICANT_CHANGE = "no_significant_change"
    CANNOT_BE_CALCULATED = "cannot_be_calculated"


_ASSESSMENT = {
    Polarity.HIGHER_IS_BETTER: (TrendAssessment.GETTING_BETTER, TrendAssessment.GETTING_WORSE),
    Polarity.LOWER_IS_BETTER: (TrendAssessment.GETTING_WORSE, TrendAssessment.GETTING_BETTER),
    Polarity.NO_JUDGEMENT: (TrendAssessment.INCREASING, TrendAssessment.DECREASING),
}


def chi_square_for_trend(
    frame: pl.DataFrame,
    *,
    by: str | Sequence[str],
    period: str,
    numerator: str,
    denominator: str,
    polarity: Polarity | str,
    confidence: float = CONFIDENCE_95,
    points: int = TREND_POINTS,
    score: str | None = None,
) -> pl.DataFrame:
    """One row per unit (the distinct values of `by`, in order of first appearance) with its recent trend.

    Takes each unit's latest `points` periods (sorted by `period`; rows with a null period are
    ignored) and adds: `points` (how many were found), `first_period`, `last_period`, `chi_square`,
    `p_value`, `direction` (a TrendDirection) and `assessment` (a TrendAssessment for `polarity`).
    Scores are 1…k in period order, equally spaced whatever the gaps between periods, as Fingertips
    does; pass `score` to name a numeric column to use instead (e.g. the year, or published scores).

    The trend cannot be calculated when a unit has fewer than `points` periods, or when one of its
    latest `points` lacks a numerator or has a denominator that is missing or 0. When all its latest
    proportions are 0 (or all 1) there is no change: χ² = 0, p = 1.

    Raises ValueError naming the row for negative counts or a numerator above its denominator, and
    naming the unit and period (at its second row) when a unit has the same period twice. `frame` is not modified.
    """
    if points < 2:
        raise ValueError(f"A trend needs at least 2 points; got points={points!r}.")
    alpha = 1 - check_confidence(confidence)
    rising, falling = _ASSESSMENT[polarity_from(polarity)]
    keys = [by] if isinstance(by, str) else list(by)
    check_columns(frame, *keys, period, *([score] if score is not None else []))
    check_counts(frame, numerator=numerator, denominator=denominator, at_most_denominator=True)
    raise_on_first_row(
        frame,
        ~pl.struct(*keys, period).is_first_distinct() & pl.col(period).is_not_null(),
        lambda row: (
            f"Row {row[ROW_INDEX]}: unit {', '.join(str(row[key]) for key in keys)} has period "
            f"{row[period]} more than once."
        ),
    )
    x, n = as_float(numerator), as_float(denominator)
    t = pl.col("__score__")
    latest = (
        frame.filter(pl.col(period).is_not_null())
        .with_columns(__recency__=pl.col(period).rank("ordinal", descending=True).over(keys))
        .filter(pl.col("__recency__") <= points)
        .with_columns(
            __score__=(as_float(score) if score is not None else -pl.col("__recency__").cast(pl.Float64))
        )
        # Centring the scores leaves the statistic unchanged and keeps large scores (years) accurate.
        .with_columns(__score__=t - t.mean().over(keys))
    )
    sums = latest.group_by(keys).agg(
        points=pl.len().cast(pl.Int64),
        first_period=pl.col(period).min(),
        last_period=pl.col(period).max(),
        __complete__=(x.is_not_null() & n.is_not_null() & (n > 0) & t.is_not_null()).all(),
        __n__=n.sum(),
        __x__=x.sum(),
        __nt__=(n * t).sum(),
        __ntt__=(n * t * t).sum(),
        __xt__=(x * t).sum(),
    )
    units = frame.select(keys).unique(maintain_order=True)
    table = units.join(sums, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col("points").fill_null(0)
    )
    p_bar = pl.col("__x__") / pl.col("__n__")
    u = pl.col("__xt__") - p_bar * pl.col("__nt__")
    variance = p_bar * (1 - p_bar) * (pl.col("__ntt__") - pl.col("__nt__") ** 2 / pl.col("__n__"))
    calculable = (pl.col("points") >= points) & pl.col("__complete__").fill_null(value=False)
    table = table.with_columns(
        __calculable__=calculable,
        __u__=u,
        chi_square=pl.when(calculable).then(
            pl.when(variance > 0).then(u**2 / variance).otherwise(pl.lit(0.0))
        ),
    )
    chi_square = table.get_column("chi_square").cast(pl.Float64).to_numpy()
    table = table.with_columns(
        pl.Series("p_value", stats.chi2.sf(chi_square, df=1), dtype=pl.Float64, nan_to_null=True)
    )
    significant = pl.col("p_value") < alpha
    direction = (
        pl.when(~pl.col("__calculable__"))
        .then(pl.lit(TrendDirection.CANNOT_BE_CALCULATED.value))
        .when(significant & (pl.col("__u__") > 0))
        .then(pl.lit(TrendDirection.INCREASING.value))
        .when(significant & (pl.col("__u__") < 0))
        .then(pl.lit(TrendDirection.DECREASING.value))
        .otherwise(pl.lit(TrendDirection.NO_SIGNIFICANT_CHANGE.value))
    )
    table = table.with_columns(direction=direction.cast(pl.String))
    assessment = (
        pl.when(pl.col("direction") == TrendDirection.INCREASING.value)
        .then(pl.lit(rising.value))
        .when(pl.col("direction") == TrendDirection.DECREASING.value)
        .then(pl.lit(falling.value))
        .otherwise(pl.col("direction"))
    )
    return table.with_columns(assessment=assessment.cast(pl.String)).select(
        *keys, "points", "first_period", "last_period", "chi_square", "p_value", "direction", "assessment"
    )
