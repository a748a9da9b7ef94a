"""Counts and crude rates with Poisson confidence intervals (PHEindicatormethods `phe_rate`, `byars_*`).

Two intervals for an observed count x, with z the two-sided normal quantile and α = 1 − confidence:

- exact (Garwood 1936), from the chi-square / gamma quantiles:
  lower = χ²(α/2; 2x) / 2 = Γ⁻¹(α/2; x) (0 when x = 0), upper = χ²(1 − α/2; 2x + 2) / 2 = Γ⁻¹(1 − α/2; x + 1);
- Byar's approximation (Breslow and Day 1987, vol. II, p. 69):
  lower = x (1 − 1/(9x) − z/(3√x))³, upper = (x + 1)(1 − 1/(9(x + 1)) + z/(3√(x + 1)))³.

`method="auto"` follows PHE: Byar for counts of 10 or more, exact below.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from welfarelab.analytics._validation import (
    ROW_INDEX,
    check_columns,
    check_counts,
    float_array,
    raise_on_first_row,
)
from welfarelab.analytics.constants import (
    BYAR_MINIMUM_COUNT,
    CONFIDENCE_95,
    check_confidence,
    z_for_confidence,
)

PoissonMethod = Literal["byar", "exact", "auto"]
POISSON_METHODS: tuple[PoissonMethod, ...] = ("byar", "exact", "auto")

FloatArray = npt.NDArray[np.float64]


def exact_poisson_limits(
    counts: npt.ArrayLike, *, confidence: float = CONFIDENCE_95
) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) Poisson limits for each count; NaN counts give NaN limits. Counts need not be whole."""
    alpha = 1 - check_confidence(confidence)
    x = np.asarray(counts, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, stats.gamma.ppf(alpha / 2, np.where(x > 0, x, 1.0)), 0.0)
        upper = stats.gamma.ppf(1 - alpha / 2, x + 1)
    lower = np.where(np.isnan(x), np.nan, lower)
    return lower.astype(np.float64), np.asarray(upper, dtype=np.float64)


def byar_limits(counts: npt.ArrayLike, *, confidence: float = CONFIDENCE_95) -> tuple[FloatArray, FloatArray]:
    """Byar's approximate Poisson limits for each count; NaN counts give NaN limits.

    Where the lower formula goes below zero (a count of 0, or very small counts at 99.8%) the lower
    limit is 0; PHE returns a missing value there instead, and uses the exact limits for such counts.
    """
    z = z_for_confidence(confidence)
    x = np.asarray(counts, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, None))
    return lower.astype(np.float64), upper.astype(np.float64)


def poisson_limits(
    counts: npt.ArrayLike, *, method: PoissonMethod = "auto", confidence: float = CONFIDENCE_95
) -> tuple[FloatArray, FloatArray]:
    """Poisson limits for each count by `method`: "byar", "exact", or "auto" (Byar from 10 events up)."""
    if method not in POISSON_METHODS:
        raise ValueError(f"Method must be one of {', '.join(POISSON_METHODS)}; got {method!r}.")
    if method == "exact":
        return exact_poisson_limits(counts, confidence=confidence)
    if method == "byar":
        return byar_limits(counts, confidence=confidence)
    x = np.asarray(counts, dtype=np.float64)
    exact_lower, exact_upper = exact_poisson_limits(x, confidence=confidence)
    byar_lower, byar_upper = byar_limits(x, confidence=confidence)
    use_byar = x >= BYAR_MINIMUM_COUNT
    return np.where(use_byar, byar_lower, exact_lower), np.where(use_byar, byar_upper, exact_upper)


def _methods_used(counts: FloatArray, method: PoissonMethod) -> pl.Series:
    if method == "auto":
        labels = np.where(counts >= BYAR_MINIMUM_COUNT, "byar", "exact")
    else:
        labels = np.full(counts.shape, method)
    known = pl.DataFrame(
        {"label": labels, "known": ~np.isnan(counts)}, schema={"label": pl.String, "known": pl.Boolean}
    )
    return known.select(method=pl.when("known").then("label")).to_series()


def count_with_poisson_ci(
    frame: pl.DataFrame,
    *,
    count: str,
    method: PoissonMethod = "auto",
    confidence: float = CONFIDENCE_95,
) -> pl.DataFrame:
    """Add `value` (the count), `lower_ci`, `upper_ci`, `confidence` and `method` ("byar" or "exact").

    A missing count gives nulls; a negative count raises ValueError naming the row (0-based). Rows
    keep their order; `frame` is not modified.
    """
    check_columns(frame, count)
    raise_on_first_row(
        frame,
        pl.col(count).cast(pl.Float64) < 0,
        lambda row: f"Row {row[ROW_INDEX]} has a negative count ({count} = {row[count]}).",
    )
    x = float_array(frame, count)
    lower, upper = poisson_limits(x, method=method, confidence=confidence)
    return frame.with_columns(
        pl.Series("value", x, dtype=pl.Float64, nan_to_null=True),
        pl.Series("lower_ci", lower, dtype=pl.Float64, nan_to_null=True),
        pl.Series("upper_ci", upper, dtype=pl.Float64, nan_to_null=True),
        pl.lit(confidence, dtype=pl.Float64).alias("confidence"),
        _methods_used(x, method),
    )


def rate_with_poisson_ci(
    frame: pl.DataFrame,
    *,
    count: str,
    denominator: str,
    method: PoissonMethod = "auto",
    confidence: float = CONFIDENCE_95,
    multiplier: float = 1_000,
) -> pl.DataFrame:
    """Add a crude rate `value` = count / denominator × multiplier with its Poisson `lower_ci`, `upper_ci`.

    The limits are those of the count (see the module) divided by the denominator and multiplied;
    the denominator (population, person-years) is taken as known without error, as PHE does.
    `multiplier` defaults to 1,000, ISTAT's convention for demographic rates (‰); pass 10_000 or
    100_000 as the indicator's definition says. Also adds `confidence` and `method` ("byar"/"exact").

    A denominator of 0, or a missing count or denominator, gives nulls. A negative count or
    denominator raises ValueError naming the row (0-based). The count may exceed the denominator
    (events, not people). Rows keep their order; `frame` is not modified.
    """
    check_counts(frame, numerator=count, denominator=denominator, at_most_denominator=False)
    x = float_array(frame, count)
    n = float_array(frame, denominator)
    lower, upper = poisson_limits(x, method=method, confidence=confidence)
    defined = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value, lower_rate, upper_rate = (
            np.where(defined, c / n * multiplier, np.nan) for c in (x, lower, upper)
        )
    methods = _methods_used(np.where(defined, x, np.nan), method)
    return frame.with_columns(
        pl.Series("value", value, dtype=pl.Float64, nan_to_null=True),
        pl.Series("lower_ci", lower_rate, dtype=pl.Float64, nan_to_null=True),
        pl.Series("upper_ci", upper_rate, dtype=pl.Float64, nan_to_null=True),
        pl.lit(confidence, dtype=pl.Float64).alias("confidence"),
        methods,
    )
