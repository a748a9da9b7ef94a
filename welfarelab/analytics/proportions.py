"""Proportions with their confidence intervals (PHEindicatormethods `phe_proportion`)."""

from __future__ import annotations

import polars as pl

from welfarelab.analytics._validation import as_float, check_counts
from welfarelab.analytics.constants import CONFIDENCE_95, check_confidence, z_for_confidence

WILSON = "wilson"


def proportion_with_wilson_ci(
    frame: pl.DataFrame,
    *,
    numerator: str,
    denominator: str,
    confidence: float = CONFIDENCE_95,
    multiplier: float = 1,
) -> pl.DataFrame:
    """Add `value`, `lower_ci`, `upper_ci` (Wilson score interval), `confidence` and `method` to `frame`.

    value = numerator / denominator × multiplier (1 for a fraction, 100 for a percentage). The interval
    is Wilson's (1927) score interval, as PHE computes it (Newcombe and Altman, in *Statistics with
    Confidence*, 2nd ed., pp. 46–48):

        (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))

    with z the two-sided normal quantile for `confidence` (0.95, 0.998, …). The limits are clipped to
    [0, 1] before the multiplier, so rounding never puts them outside the possible range.

    A denominator of 0, or a missing numerator or denominator, gives nulls in the new columns. A
    negative count, or a numerator greater than its denominator, raises ValueError naming the row
    (0-based). Rows keep their order; `frame` is not modified; columns with the new names are replaced.
    """
    check_confidence(confidence)
    check_counts(frame, numerator=numerator, denominator=denominator, at_most_denominator=True)
    z = z_for_confidence(confidence)
    x = as_float(numerator)
    n = as_float(denominator)
    defined = x.is_not_null() & n.is_not_null() & (n > 0)
    root = z * (z**2 + 4 * x * (1 - x / n)).clip(lower_bound=0).sqrt()
    lower = ((2 * x + z**2 - root) / (2 * (n + z**2))).clip(0.0, 1.0)
    upper = ((2 * x + z**2 + root) / (2 * (n + z**2))).clip(0.0, 1.0)
    return frame.with_columns(
        value=pl.when(defined).then(x / n * multiplier),
        lower_ci=pl.when(defined).then(lower * multiplier),
        upper_ci=pl.when(defined).then(upper * multiplier),
        confidence=pl.lit(confidence, dtype=pl.Float64),
        method=pl.lit(WILSON, dtype=pl.String),
    )
