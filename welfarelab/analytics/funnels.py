"""Funnel-plot control limits for proportions and rates, with overdispersion (Spiegelhalter 2005).

Reference: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24 (2005) 1185–1202. Each unit i has an observed y_i = x_i / n_i; under the null hypothesis
every unit shares the target θ₀ (by default the pooled Σx / Σn), and y_i has variance V(θ₀) / n_i with
V(θ) = θ(1 − θ) for proportions (binomial) and V(θ) = θ for rates (Poisson; n_i the population or
person-years, or the expected count of an indirectly standardised ratio).

Limits, for each `confidence` p (default 95% and 99.8%, the "2 and 3 SD" limits, z = 1.96 and 3.09):

- `method="exact"` (the default): the quantiles of the binomial(n, θ₀) or Poisson(n·θ₀) count,
  smoothed by the interpolation of Spiegelhalter's Appendix A.1.1: with r_q the q-quantile
  (q = (1 − p)/2 or (1 + p)/2) and F the distribution function,
  α = (F(r_q) − q) / (F(r_q) − F(r_q − 1)) and the limit is (r_q − α) / n. For large units these
  lie about half an event below the normal limits (the interpolation's own offset) plus the skew.
- `method="normal"`: θ₀ ± z·√(V(θ₀)/n). For proportions this equals the limits PHE's
  `calculate_funnel_limits` draws (the observed proportion whose Wilson interval just touches θ₀).

Overdispersion (the paper's section on it): z_i = (y_i − θ₀)/s_i with s_i = √(V(θ₀)/n_i), on the
natural scale (no variance-stabilising transformation). The z-scores are Winsorised (the lowest and
highest 10% set to the 10th and 90th percentiles), and φ = Σ z_i² / I over the I units.
- `adjustment="multiplicative"`: the distance of each limit from θ₀ is multiplied by √φ (when φ > 1);
- `adjustment="additive"`: random effects with τ² by DerSimonian–Laird on the Winsorised z:
  τ² = max(0, (Iφ − (I − 1)) / (Σw_i − Σw_i²/Σw_i)), w_i = 1/s_i², and each limit's distance from θ₀
  is multiplied by √(1 + τ²/s_i²).
With `method="normal"` these are exactly Spiegelhalter's θ₀ ± z√(φ)s_i and θ₀ ± z√(s_i² + τ²); with
`method="exact"` the same factors widen the exact limits, keeping their asymmetry. Adjusted limits
are therefore never narrower than the unadjusted ones. With units of very different sizes (comuni
from tens to millions of residents) the z-scores of the largest units are the ones Winsorising pulls
in, and τ² comes out well below the plain DerSimonian–Laird estimate (`winsorise=0`).

Limits never cross the target, and are clipped to [0, 1] for proportions and to ≥ 0 for rates
(below about 0.03 expected events the exact upper 95% limit would fall under θ₀: any event at all is
then outside it, and the limit is drawn at θ₀).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from welfarelab.analytics._validation import (
    ROW_INDEX,
    as_float,
    check_columns,
    check_counts,
    float_array,
    raise_on_first_row,
)
from welfarelab.analytics.constants import (
    CONFIDENCE_95,
    CONFIDENCE_99_8,
    WINSORISE_FRACTION,
    check_confidence,
    confidence_label,
    z_for_confidence,
)

Statistic = Literal["proportion", "rate"]
FunnelMethod = Literal["exact", "normal"]
Adjustment = Literal["none", "multiplicative", "additive"]
FloatArray = npt.NDArray[np.float64]

FUNNEL_CONFIDENCES: tuple[float, ...] = (CONFIDENCE_95, CONFIDENCE_99_8)


class FunnelPosition(StrEnum):
    """Where a unit's value lies against a pair of control limits."""

    ABOVE = "above"
    INSIDE = "inside"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class Overdispersion:
    """The dispersion of the units around the target.

    `phi` is the Winsorised mean squared z-score: about 1 when the units differ by chance alone,
    above 1 when they are overdispersed (it is reported as estimated, even below 1; adjustments use
    max(phi, 1)). `tau2` is the DerSimonian–Laird between-unit variance on the scale of the values
    (so multiplied by multiplier²); 0 when there is no overdispersion. Both are None when fewer than two
    units have a z-score.
    """

    phi: float | None
    tau2: float | None
    units: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """Control limits for every row of a frame, with what they were computed from.

    `frame` is the input with `value`, `z_score` and `lower_<c>` / `upper_<c>` for each confidence
    (`lower_95`, `upper_95`, `lower_99_8`, `upper_99_8` by default). `target` is on the scale of
    `value` (multiplied).
    """

    frame: pl.DataFrame
    statistic: Statistic
    target: float
    method: FunnelMethod
    adjustment: Adjustment
    confidences: tuple[float, ...]
    multiplier: float
    overdispersion: Overdispersion


def lower_column(confidence: float) -> str:
    """The name of the lower-limit column at `confidence`: "lower_95", "lower_99_8"."""
    return f"lower_{confidence_label(confidence)}"


def upper_column(confidence: float) -> str:
    """The name of the upper-limit column at `confidence`: "upper_95", "upper_99_8"."""
    return f"upper_{confidence_label(confidence)}"


def position_column(confidence: float) -> str:
    """The name of the flag column at `confidence`: "position_95", "position_99_8"."""
    return f"position_{confidence_label(confidence)}"


def _variance(statistic: Statistic, target: float) -> float:
    return target * (1 - target) if statistic == "proportion" else target


def _exact_limit(statistic: Statistic, q: float, n: FloatArray, target: float) -> FloatArray:
    """Spiegelhalter's interpolated q-quantile of the count, divided by n."""
    distribution = stats.binom(n, target) if statistic == "proportion" else stats.poisson(n * target)
    r = distribution.ppf(q)
    at_r = distribution.cdf(r)
    below_r = distribution.cdf(r - 1)
    alpha = (at_r - q) / (at_r - below_r)
    return np.asarray((r - alpha) / n, dtype=np.float64)


def control_limits(
    denominators: npt.ArrayLike,
    *,
    statistic: Statistic,
    target: float,
    confidence: float,
    method: FunnelMethod = "exact",
) -> tuple[FloatArray, FloatArray]:
    """Unadjusted control limits around `target` (a fraction for proportions, per unit for rates).

    Denominators that are missing or not > 0 give NaN. For exact proportions the denominators must be
    whole numbers (the binomial needs them); the frame functions check that and name the row.
    """
    check_confidence(confidence)
    if method not in ("exact", "normal"):
        raise ValueError(f"Method must be 'exact' or 'normal'; got {method!r}.")
    n = np.asarray(denominators, dtype=np.float64)
    defined = np.isfinite(n) & (n > 0)
    safe_n = np.where(defined, n, 1.0)
    if _variance(statistic, target) == 0:
        # A target of 0 (or a proportion of 1) admits one outcome only: the limits are the target.
        lower, upper = np.full(n.shape, target), np.full(n.shape, target)
    elif method == "normal":
        half_width = z_for_confidence(confidence) * np.sqrt(_variance(statistic, target) / safe_n)
        lower, upper = target - half_width, target + half_width
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            lower = _exact_limit(statistic, (1 - confidence) / 2, safe_n, target)
            upper = _exact_limit(statistic, (1 + confidence) / 2, safe_n, target)
    lower = np.clip(np.minimum(lower, target), 0.0, None)
    upper = np.maximum(upper, target)
    if statistic == "proportion":
        upper = np.minimum(upper, 1.0)
    return np.where(defined, lower, np.nan), np.where(defined, upper, np.nan)


def overdispersion_estimate(
    z_scores: npt.ArrayLike, standard_errors: npt.ArrayLike, *, winsorise: float = WINSORISE_FRACTION
) -> Overdispersion:
    """φ and τ² from the units' z-scores and null standard errors (Spiegelhalter 2005).

    Units whose z-score or standard error is missing, infinite or whose standard error is 0 are left
    out. The z-scores are Winsorised at `winsorise` in each tail (percentiles by linear
    interpolation, R's type 7). τ² is on the scale of the standard errors given.
    """
    if not 0 <= winsorise < 0.5:
        raise ValueError(f"The Winsorised fraction must be at least 0 and below 0.5; got {winsorise!r}.")
    z = np.asarray(z_scores, dtype=np.float64)
    s = np.asarray(standard_errors, dtype=np.float64)
    usable = np.isfinite(z) & np.isfinite(s) & (s > 0)
    z, s = z[usable], s[usable]
    units = int(z.size)
    if units < 2:
        return Overdispersion(phi=None, tau2=None, units=units)
    low, high = np.quantile(z, [winsorise, 1 - winsorise])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    weights = 1 / s**2
    spread = float(weights.sum() - (weights**2).sum() / weights.sum())
    excess = units * phi - (units - 1)
    tau2 = max(0.0, excess / spread) if spread > 0 and excess > 0 else 0.0
    return Overdispersion(phi=phi, tau2=tau2, units=units)


def _widen(
    lower: FloatArray,
    upper: FloatArray,
    *,
    n: FloatArray,
    statistic: Statistic,
    target: float,
    adjustment: Adjustment,
    phi: float | None,
    tau2: float | None,
) -> tuple[FloatArray, FloatArray]:
    """Multiply the distance of each limit from the target by the overdispersion factor."""
    if adjustment == "none":
        return lower, upper
    variance = _variance(statistic, target)
    if adjustment == "multiplicative":
        factor = np.full(n.shape, np.sqrt(max(phi or 1.0, 1.0)))
    elif variance > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.sqrt(1 + (tau2 or 0.0) * n / variance)
    else:
        factor = np.ones(n.shape)
    wide_lower = np.clip(target - factor * (target - lower), 0.0, None)
    wide_upper = target + factor * (upper - target)
    if statistic == "proportion":
        wide_upper = np.minimum(wide_upper, 1.0)
    return wide_lower, wide_upper


def _check_options(
    *, method: str, adjustment: str, confidences: Sequence[float], multiplier: float
) -> tuple[float, ...]:
    if method not in ("exact", "normal"):
        raise ValueError(f"Method must be 'exact' or 'normal'; got {method!r}.")
    if adjustment not in ("none", "multiplicative", "additive"):
        raise ValueError(f"Adjustment must be 'none', 'multiplicative' or 'additive'; got {adjustment!r}.")
    if not multiplier > 0:
        raise ValueError(f"The multiplier must be above 0; got {multiplier!r}.")
    if not confidences:
        raise ValueError("Give at least one confidence level for the control limits.")
    return tuple(check_confidence(confidence) for confidence in confidences)


def _funnel(
    frame: pl.DataFrame,
    *,
    statistic: Statistic,
    numerator: str,
    denominator: str,
    target: float | None,
    method: FunnelMethod,
    adjustment: Adjustment,
    confidences: Sequence[float],
    multiplier: float,
    winsorise: float,
) -> Funnel:
    levels = _check_options(
        method=method, adjustment=adjustment, confidences=confidences, multiplier=multiplier
    )
    x = float_array(frame, numerator)
    n = float_array(frame, denominator)
    observed = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if target is None:
        if not observed.any():
            raise ValueError("No row has a numerator and a denominator above 0: the funnel has no target.")
        theta = float(x[observed].sum() / n[observed].sum())
    else:
        theta = target / multiplier
        if theta < 0 or (statistic == "proportion" and theta > 1):
            upper_bound = f"{multiplier:g}" if statistic == "proportion" else "infinity"
            raise ValueError(f"The target must lie between 0 and {upper_bound}; got {target!r}.")
    safe_n = np.where(observed, n, 1.0)
    y = np.where(observed, x / safe_n, np.nan)
    variance = _variance(statistic, theta)
    standard_error = np.where(observed, np.sqrt(variance / safe_n), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(observed & (standard_error > 0), (y - theta) / standard_error, np.nan)
    dispersion = overdispersion_estimate(z, standard_error, winsorise=winsorise)
    columns = [
        pl.Series("value", y * multiplier, dtype=pl.Float64, nan_to_null=True),
        pl.Series("z_score", z, dtype=pl.Float64, nan_to_null=True),
    ]
    for confidence in levels:
        lower, upper = control_limits(
            n, statistic=statistic, target=theta, confidence=confidence, method=method
        )
        lower, upper = _widen(
            lower,
            upper,
            n=n,
            statistic=statistic,
            target=theta,
            adjustment=adjustment,
            phi=dispersion.phi,
            tau2=dispersion.tau2,
        )
        columns.append(
            pl.Series(lower_column(confidence), lower * multiplier, dtype=pl.Float64, nan_to_null=True)
        )
        columns.append(
            pl.Series(upper_column(confidence), upper * multiplier, dtype=pl.Float64, nan_to_null=True)
        )
    tau2 = None if dispersion.tau2 is None else dispersion.tau2 * multiplier**2
    return Funnel(
        frame=frame.with_columns(columns),
        statistic=statistic,
        target=theta * multiplier,
        method=method,
        adjustment=adjustment,
        confidences=levels,
        multiplier=multiplier,
        overdispersion=Overdispersion(phi=dispersion.phi, tau2=tau2, units=dispersion.units),
    )


def proportion_funnel(
    frame: pl.DataFrame,
    *,
    numerator: str,
    denominator: str,
    target: float | None = None,
    method: FunnelMethod = "exact",
    adjustment: Adjustment = "none",
    confidences: Sequence[float] = FUNNEL_CONFIDENCES,
    multiplier: float = 1,
    winsorise: float = WINSORISE_FRACTION,
) -> Funnel:
    """Binomial funnel-plot control limits for each row's denominator (see the module for the method).

    `target` is on the scale of the values (0.3 with multiplier 1, 30 with multiplier 100); by default
    the pooled proportion Σnumerator / Σdenominator of the rows with a denominator above 0. φ and τ²
    are always estimated and returned in `Funnel.overdispersion`; `adjustment` says whether they widen
    the limits. Rows with a missing numerator or a denominator of 0 get no value and no z-score
    and take no part in the target or φ; their limits are null where the denominator is not above 0.

    Raises ValueError naming the row for negative counts, a numerator above its denominator, or (for
    the exact method) a denominator that is not a whole number.
    """
    check_counts(frame, numerator=numerator, denominator=denominator, at_most_denominator=True)
    if method == "exact":
        raise_on_first_row(
            frame,
            as_float(denominator) % 1 != 0,
            lambda row: (
                f"Row {row[ROW_INDEX]} has denominator {denominator} = {row[denominator]}, not a whole "
                "number; exact binomial limits need whole numbers (use method='normal')."
            ),
        )
    return _funnel(
        frame,
        statistic="proportion",
        numerator=numerator,
        denominator=denominator,
        target=target,
        method=method,
        adjustment=adjustment,
        confidences=confidences,
        multiplier=multiplier,
        winsorise=winsorise,
    )


def rate_funnel(
    frame: pl.DataFrame,
    *,
    count: str,
    denominator: str,
    target: float | None = None,
    method: FunnelMethod = "exact",
    adjustment: Adjustment = "none",
    confidences: Sequence[float] = FUNNEL_CONFIDENCES,
    multiplier: float = 1_000,
    winsorise: float = WINSORISE_FRACTION,
) -> Funnel:
    """Poisson funnel-plot control limits for each row's denominator (see the module for the method).

    value = count / denominator × multiplier (1,000 by default, as `rate_with_poisson_ci`). For an
    indirectly standardised ratio pass the expected counts as `denominator`, `multiplier=1` (or 100)
    and `target=1` (or 100). Otherwise as `proportion_funnel`; a count may exceed its denominator.
    """
    check_counts(frame, numerator=count, denominator=denominator, at_most_denominator=False)
    return _funnel(
        frame,
        statistic="rate",
        numerator=count,
        denominator=denominator,
        target=target,
        method=method,
        adjustment=adjustment,
        confidences=confidences,
        multiplier=multiplier,
        winsorise=winsorise,
    )


def funnel_curve(funnel: Funnel, *, denominators: npt.ArrayLike) -> pl.DataFrame:
    """The funnel's limits at the given denominators, to draw its lines.

    Returns a frame with `denominator`, `target` and the limit columns, computed with the funnel's
    target, method, confidences and overdispersion. Exact binomial limits exist only at whole
    denominators (others give nulls): pass e.g. `np.unique(np.geomspace(1, n_max, 100).round())`.
    """
    n = np.asarray(denominators, dtype=np.float64)
    theta = funnel.target / funnel.multiplier
    columns: dict[str, FloatArray] = {"denominator": n, "target": np.full(n.shape, funnel.target)}
    for confidence in funnel.confidences:
        lower, upper = control_limits(
            n, statistic=funnel.statistic, target=theta, confidence=confidence, method=funnel.method
        )
        tau2 = funnel.overdispersion.tau2
        lower, upper = _widen(
            lower,
            upper,
            n=n,
            statistic=funnel.statistic,
            target=theta,
            adjustment=funnel.adjustment,
            phi=funnel.overdispersion.phi,
            tau2=None if tau2 is None else tau2 / funnel.multiplier**2,
        )
        columns[lower_column(confidence)] = lower * funnel.multiplier
        columns[upper_column(confidence)] = upper * funnel.multiplier
    return pl.DataFrame(columns).fill_nan(None)


def funnel_flags(
    frame: pl.DataFrame, *, value: str = "value", confidences: Sequence[float] = FUNNEL_CONFIDENCES
) -> pl.DataFrame:
    """Add `position_<c>` ("above", "inside", "below"; see FunnelPosition) for each confidence.

    A value equal to a limit is inside. A missing value or limit gives null. Reads the `lower_<c>` and
    `upper_<c>` columns a Funnel's frame carries; `frame` is not modified.
    """
    levels = tuple(check_confidence(confidence) for confidence in confidences)
    check_columns(frame, value, *(c for level in levels for c in (lower_column(level), upper_column(level))))
    y = as_float(value)
    flags = []
    for level in levels:
        lower, upper = as_float(lower_column(level)), as_float(upper_column(level))
        flags.append(
            pl.when(y.is_null() | lower.is_null() | upper.is_null())
            .then(None)
            .when(y > upper)
            .then(pl.lit(FunnelPosition.ABOVE.value))
            .when(y < lower)
            .then(pl.lit(FunnelPosition.BELOW.value))
            .otherwise(pl.lit(FunnelPosition.INSIDE.value))
            .cast(pl.String)
            .alias(position_column(level))
        )
    return frame.with_columns(flags)
