"""Constants shared by the statistics of `welfarelab.analytics`, and the one place confidence levels become z.

Fingertips (and PHEindicatormethods) report intervals and control limits at two levels: 95%, and 99.8%,
the "2 and 3 standard deviation" limits of Spiegelhalter's funnel plots. The z values below are the
exact two-sided normal quantiles, not the rounded 2 and 3.
"""

from __future__ import annotations

from statistics import NormalDist

CONFIDENCE_95 = 0.95
CONFIDENCE_99_8 = 0.998
Z_95 = 1.959963984540054  # Φ⁻¹(0.975)
Z_99_8 = 3.090232306167813  # Φ⁻¹(0.999)

# PHE rule for counts: Byar's approximation from 10 events up, the exact Poisson interval below.
BYAR_MINIMUM_COUNT = 10

# Spiegelhalter (2005), on overdispersion: the 10% most extreme z-scores at each end are pulled in before phi is estimated.
WINSORISE_FRACTION = 0.10

# The Fingertips recent-trend test uses the latest five data points.
TREND_POINTS = 5


def check_confidence(confidence: float) -> float:
    """Return `confidence` if it is a fraction strictly between 0 and 1, else raise ValueError."""
    if not 0 < confidence < 1:
        raise ValueError(
            f"Confidence must be a fraction strictly between 0 and 1, such as 0.95 or 0.998; got {confidence!r}."
        )
    return float(confidence)


def z_for_confidence(confidence: float) -> float:
    """The two-sided standard normal quantile for `confidence`: 1.959964 for 0.95, 3.090232 for 0.998."""
    check_confidence(confidence)
    if confidence == CONFIDENCE_95:
        return Z_95
    if confidence == CONFIDENCE_99_8:
        return Z_99_8
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def confidence_label(confidence: float) -> str:
    """The suffix that names columns at a confidence level: "95" for 0.95, "99_8" for 0.998."""
    check_confidence(confidence)
    return f"{round(confidence * 100, 6):g}".replace(".", "_")
