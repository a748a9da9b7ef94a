import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY, proportions
from welfarelab.analytics.funnels import (
    FunnelPosition,
    control_limits,
    funnel_curve,
    funnel_flags,
    overdispersion_estimate,
    proportion_funnel,
    rate_funnel,
)

Z_95 = 1.959963984540054


def _binomial_limit_by_hand(n: int, theta: float, q: float) -> float:
    """Spiegelhalter (2005) Appendix A.1.1 from first principles: sum the binomial terms up to the q-quantile."""
    below = total = 0.0
    for r in range(n + 1):
        below, total = total, total + math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        if total >= q:
            return (r - (total - q) / (total - below)) / n
    raise AssertionError("unreachable")


def _poisson_limit_by_hand(n: float, theta: float, q: float) -> float:
    mean = n * theta
    below = total = 0.0
    r = 0
    while True:
        below, total = total, total + math.exp(-mean) * mean**r / math.factorial(r)
        if total >= q:
            return (r - (total - q) / (total - below)) / n
        r += 1


def _phe_sigma_adjustment(p: float, population: float, average: float, side: str) -> float:
    """PHEindicatormethods R/Funnels.R `sigma_adjustment` (the proportion whose Wilson limit meets the average)."""
    z2 = Z_95**2 if p == 0.975 else 3.090232306167813**2
    first = average * (population / z2 + 1)
    adjustment = math.sqrt(
        (-8 * average * (population / z2 + 1)) ** 2
        - 64
        * (1 / z2 + 1 / population)
        * average
        * (population * (average * (population / z2 + 2) - 1) + z2 * (average - 1))
    )
    last = 1 / z2 + 1 / population
    limit = (first - adjustment / 8) / last if side == "low" else (first + adjustment / 8) / last
    return limit / population


def test_normal_limits_at_n_1000_and_p_0_3():
    # 0.3 ± 1.959964·√(0.3·0.7/1000) = 0.3 ± 0.028403.
    lower, upper = control_limits(
        [1000], statistic="proportion", target=0.3, confidence=0.95, method="normal"
    )

    assert round(lower[0], 6) == 0.271597
    assert round(upper[0], 6) == 0.328403


@pytest.mark.parametrize("population", [20, 100, 1000, 25_000])
@pytest.mark.parametrize("p", [0.975, 0.999])
def test_normal_proportion_limits_are_the_limits_phe_draws(population, p):
    # PHE's funnels for proportions invert the Wilson interval; the score test behind Wilson makes
    # that the same line as θ ± z√(θ(1 − θ)/n).
    confidence = 2 * p - 1
    lower, upper = control_limits(
        [population], statistic="proportion", target=0.3, confidence=confidence, method="normal"
    )

    assert lower[0] == pytest.approx(max(0.0, _phe_sigma_adjustment(p, population, 0.3, "low")), abs=1e-12)
    assert upper[0] == pytest.approx(_phe_sigma_adjustment(p, population, 0.3, "high"), abs=1e-12)


def test_exact_binomial_limits_at_n_1000_and_p_0_3():
    lower_95, upper_95 = control_limits([1000], statistic="proportion", target=0.3, confidence=0.95)
    lower_998, upper_998 = control_limits([1000], statistic="proportion", target=0.3, confidence=0.998)

    assert lower_95[0] == pytest.approx(_binomial_limit_by_hand(1000, 0.3, 0.025), abs=1e-10)
    assert upper_95[0] == pytest.approx(_binomial_limit_by_hand(1000, 0.3, 0.975), abs=1e-10)
    assert lower_998[0] == pytest.approx(_binomial_limit_by_hand(1000, 0.3, 0.001), abs=1e-10)
    assert upper_998[0] == pytest.approx(_binomial_limit_by_hand(1000, 0.3, 0.999), abs=1e-10)
    assert [round(lower_95[0], 6), round(upper_95[0], 6)] == [0.271281, 0.328089]
    assert [round(lower_998[0], 6), round(upper_998[0], 6)] == [0.255303, 0.34483]


@pytest.mark.parametrize("n", [7, 50, 333])
def test_exact_binomial_limits_for_small_units_follow_the_appendix(n):
    lower, upper = control_limits([n], statistic="proportion", target=0.12, confidence=0.95)

    assert lower[0] == pytest.approx(max(0.0, _binomial_limit_by_hand(n, 0.12, 0.025)), abs=1e-10)
    assert upper[0] == pytest.approx(_binomial_limit_by_hand(n, 0.12, 0.975), abs=1e-10)


def test_exact_poisson_limits_for_a_rate():
    # 10 expected events (population 1,000 at 10 per 1,000).
    lower, upper = control_limits([1000], statistic="rate", target=0.01, confidence=0.95)

    assert lower[0] == pytest.approx(_poisson_limit_by_hand(1000, 0.01, 0.025), abs=1e-12)
    assert upper[0] == pytest.approx(_poisson_limit_by_hand(1000, 0.01, 0.975), abs=1e-12)
    assert [round(lower[0] * 1000, 4), round(upper[0] * 1000, 4)] == [3.7752, 16.16]


def test_overdispersion_by_hand():
    # Ten z-scores, Winsorised at 10%: R's type-7 10th and 90th percentiles are −3 + 0.9·1 = −2.1 and
    # 2 + 0.1·1 = 2.1, so φ = (2·2.1² + 2·2² + 2·1² + 2·0.5²)/10 = 19.32/10. With s = 0.1 for all,
    # w = 100, Σw − Σw²/Σw = 1000 − 100 = 900 and τ² = (10·1.932 − 9)/900.
    z = [-3, -1, 0, 1, 3, 0.5, -0.5, 2, -2, 0]

    estimate = overdispersion_estimate(z, [0.1] * 10)

    assert estimate.phi == pytest.approx(1.932)
    assert estimate.tau2 == pytest.approx(10.32 / 900)
    assert estimate.units == 10


def test_no_overdispersion_gives_tau2_zero_and_phi_below_one():
    estimate = overdispersion_estimate([-0.5, 0.2, 0.1, -0.1, 0.4], [0.1, 0.2, 0.1, 0.3, 0.1])

    assert estimate.phi is not None
    assert estimate.phi < 1
    assert estimate.tau2 == 0.0


def test_overdispersion_needs_two_units():
    estimate = overdispersion_estimate([1.5, np.nan], [0.1, 0.1])

    assert (estimate.phi, estimate.tau2, estimate.units) == (None, None, 1)


def _units() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": ["001001", "001002", "001003", "001004", "001005", "001006"],
            "cases": [30, 5, 300, 80, None, 0],
            "population": [100, 100, 1000, 300, 50, 0],
        }
    )


def test_proportion_funnel_uses_the_pooled_target_and_adds_values_z_scores_and_limits():
    funnel = proportion_funnel(_units(), numerator="cases", denominator="population", method="normal")

    # Pooled over the rows with a numerator and a denominator above 0: 415/1500.
    target = 415 / 1500
    assert funnel.target == pytest.approx(target)
    frame = funnel.frame
    assert frame.columns[:3] == ["code", "cases", "population"]
    assert frame["value"].to_list()[:4] == pytest.approx([0.3, 0.05, 0.3, 80 / 300])
    assert frame["value"].to_list()[4:] == [None, None]
    assert frame["z_score"][0] == pytest.approx((0.3 - target) / math.sqrt(target * (1 - target) / 100))
    assert frame["upper_95"][2] == pytest.approx(target + Z_95 * math.sqrt(target * (1 - target) / 1000))
    # No value for a missing numerator, but the limits of its population still exist; none for 0.
    assert frame["lower_95"][4] is not None
    assert frame["lower_95"][5] is None
    assert funnel.overdispersion.units == 4


def test_overdispersed_limits_follow_spiegelhalters_formulas_with_the_normal_method():
    units = _units()
    plain = proportion_funnel(units, numerator="cases", denominator="population", method="normal")
    multiplicative = proportion_funnel(
        units, numerator="cases", denominator="population", method="normal", adjustment="multiplicative"
    )
    additive = proportion_funnel(
        units, numerator="cases", denominator="population", method="normal", adjustment="additive"
    )

    theta = plain.target
    phi = multiplicative.overdispersion.phi
    tau2 = additive.overdispersion.tau2
    assert phi is not None
    assert phi > 1
    assert tau2 is not None
    assert tau2 > 0
    s = math.sqrt(theta * (1 - theta) / 1000)
    assert multiplicative.frame["upper_99_8"][2] == pytest.approx(
        theta + 3.090232306167813 * math.sqrt(phi) * s
    )
    assert additive.frame["lower_95"][2] == pytest.approx(theta - Z_95 * math.sqrt(s**2 + tau2))
    # The estimates are the same whichever adjustment is drawn.
    assert plain.overdispersion == multiplicative.overdispersion == additive.overdispersion


def test_a_given_target_and_a_percentage_scale():
    funnel = proportion_funnel(
        _units(), numerator="cases", denominator="population", target=25, multiplier=100
    )

    assert funnel.target == 25
    assert funnel.frame["value"][0] == pytest.approx(30.0)
    lower, _ = control_limits([100], statistic="proportion", target=0.25, confidence=0.95)
    assert funnel.frame["lower_95"][0] == pytest.approx(lower[0] * 100)


def test_a_target_outside_the_possible_range_is_refused():
    with pytest.raises(ValueError, match="The target must lie between 0 and 1"):
        proportion_funnel(_units(), numerator="cases", denominator="population", target=1.5)


def test_exact_binomial_limits_need_whole_denominators_naming_the_row():
    frame = pl.DataFrame({"cases": [1, 2], "population": [10.0, 10.5]})

    with pytest.raises(ValueError, match=r"Row 1 has denominator population = 10.5, not a whole number"):
        proportion_funnel(frame, numerator="cases", denominator="population")


def test_a_numerator_above_its_denominator_is_refused_naming_the_row():
    frame = pl.DataFrame({"cases": [1, 20], "population": [10, 10]})

    with pytest.raises(ValueError, match=r"Row 1 has numerator cases = 20 greater than its denominator"):
        proportion_funnel(frame, numerator="cases", denominator="population")


def test_rate_funnel_of_a_standardised_ratio():
    # Observed deaths over expected deaths, target 100 (an SMR): Poisson(expected) limits × 100.
    frame = pl.DataFrame({"observed": [12, 30, 4], "expected": [10.0, 20.0, 5.0]})

    funnel = rate_funnel(frame, count="observed", denominator="expected", target=100, multiplier=100)

    assert funnel.frame["value"].to_list() == pytest.approx([120.0, 150.0, 80.0])
    assert funnel.frame["lower_95"][0] == pytest.approx(100 * _poisson_limit_by_hand(10.0, 1.0, 0.025))
    assert funnel.frame["upper_95"][1] == pytest.approx(100 * _poisson_limit_by_hand(20.0, 1.0, 0.975))


def test_the_curve_matches_the_limits_of_the_units():
    funnel = proportion_funnel(_units(), numerator="cases", denominator="population", adjustment="additive")

    curve = funnel_curve(funnel, denominators=[100, 300, 1000])

    assert curve.columns == ["denominator", "target", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    assert curve["upper_99_8"].to_list() == pytest.approx(
        funnel.frame["upper_99_8"].gather([0, 3, 2]).to_list()
    )
    assert curve["lower_95"].to_list() == pytest.approx(funnel.frame["lower_95"].gather([0, 3, 2]).to_list())


def test_flags_place_each_unit_against_each_pair_of_limits():
    frame = pl.DataFrame(
        {
            "value": [0.5, 0.1, 0.3, 0.36, None, 0.3],
            "lower_95": [0.25, 0.25, 0.25, 0.25, 0.25, None],
            "upper_95": [0.35, 0.35, 0.35, 0.35, 0.35, None],
            "lower_99_8": [0.2, 0.2, 0.2, 0.2, 0.2, None],
            "upper_99_8": [0.4, 0.4, 0.4, 0.4, 0.4, None],
        }
    )

    flagged = funnel_flags(frame)

    assert flagged["position_95"].to_list() == ["above", "below", "inside", "above", None, None]
    assert flagged["position_99_8"].to_list() == ["above", "below", "inside", "inside", None, None]
    assert {FunnelPosition.ABOVE, FunnelPosition.INSIDE, FunnelPosition.BELOW} == {"above", "inside", "below"}


def test_a_value_on_a_limit_is_inside():
    frame = pl.DataFrame({"value": [0.35], "lower_95": [0.25], "upper_95": [0.35]})

    assert funnel_flags(frame, confidences=[0.95])["position_95"].to_list() == ["inside"]


@PROPERTY
@given(
    denominators=st.lists(st.integers(1, 200_000), min_size=1, max_size=30),
    target=st.floats(0.001, 0.999),
    statistic=st.sampled_from(["proportion", "rate"]),
    method=st.sampled_from(["exact", "normal"]),
)
def test_limits_bracket_the_target_and_stay_in_range(denominators, target, statistic, method):
    lower, upper = control_limits(
        denominators, statistic=statistic, target=target, confidence=0.95, method=method
    )

    assert (lower >= 0).all()
    assert (lower <= target).all()
    assert (upper >= target).all()
    if statistic == "proportion":
        assert (upper <= 1).all()


@PROPERTY
@given(
    denominators=st.lists(st.integers(1, 200_000), min_size=1, max_size=30),
    target=st.floats(0.001, 0.999),
    statistic=st.sampled_from(["proportion", "rate"]),
    method=st.sampled_from(["exact", "normal"]),
)
def test_the_99_8_percent_limits_contain_the_95_percent_limits(denominators, target, statistic, method):
    lower_95, upper_95 = control_limits(
        denominators, statistic=statistic, target=target, confidence=0.95, method=method
    )
    lower_998, upper_998 = control_limits(
        denominators, statistic=statistic, target=target, confidence=0.998, method=method
    )

    assert (lower_998 <= lower_95 + 1e-12).all()
    assert (upper_998 >= upper_95 - 1e-12).all()


@PROPERTY
@given(
    n=st.integers(1_000, 1_000_000), target=st.floats(0.05, 0.95), confidence=st.sampled_from([0.95, 0.998])
)
def test_exact_and_normal_limits_differ_by_less_than_two_events_for_large_units(n, target, confidence):
    # Interpolating the discrete quantile shifts the exact limits by about half an event, and skewness
    # by about z²/6 events; both vanish next to the width of the funnel.
    exact = control_limits([n], statistic="proportion", target=target, confidence=confidence)
    normal = control_limits(
        [n], statistic="proportion", target=target, confidence=confidence, method="normal"
    )

    assert abs(exact[0][0] - normal[0][0]) * n < 2
    assert abs(exact[1][0] - normal[1][0]) * n < 2


@PROPERTY
@given(frame=proportions(min_size=3), method=st.sampled_from(["exact", "normal"]))
def test_overdispersed_limits_are_at_least_as_wide_as_the_plain_ones(frame, method):
    options = {"numerator": "numerator", "denominator": "denominator", "method": method}
    plain = proportion_funnel(frame, **options).frame
    for adjustment in ("multiplicative", "additive"):
        adjusted = proportion_funnel(frame, **options, adjustment=adjustment).frame
        for level in ("95", "99_8"):
            assert (adjusted[f"lower_{level}"] <= plain[f"lower_{level}"] + 1e-12).all()
            assert (adjusted[f"upper_{level}"] >= plain[f"upper_{level}"] - 1e-12).all()
            assert (adjusted[f"upper_{level}"] <= 1).all()
            assert (adjusted[f"lower_{level}"] >= 0).all()


@PROPERTY
@given(
    denominators=st.lists(st.integers(1, 100_000), min_size=2, max_size=30, unique=True),
    target=st.floats(0.01, 0.99),
)
def test_the_normal_funnel_narrows_as_units_grow(denominators, target):
    n = np.sort(np.asarray(denominators, dtype=float))
    lower, upper = control_limits(n, statistic="proportion", target=target, confidence=0.95, method="normal")

    assert (np.diff(upper) <= 1e-12).all()
    assert (np.diff(lower) >= -1e-12).all()
