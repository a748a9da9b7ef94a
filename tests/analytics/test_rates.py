import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.rates import (
    byar_limits,
    count_with_poisson_ci,
    exact_poisson_limits,
    poisson_limits,
    rate_with_poisson_ci,
)

Z_95 = 1.959963984540054


def test_exact_limits_for_a_count_of_5():
    # χ²(0.025; 10)/2 = 3.24697/2 and χ²(0.975; 12)/2 = 23.33666/2, from any chi-square table.
    lower, upper = exact_poisson_limits([5])

    assert round(lower[0], 4) == 1.6235
    assert round(upper[0], 4) == 11.6683


def test_exact_limits_for_a_count_of_0_have_a_closed_form():
    # With no events the lower limit is 0 and the upper solves e^(−μ) = 0.025: μ = −ln 0.025.
    lower, upper = exact_poisson_limits([0])

    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(-math.log(0.025), abs=1e-9)


def test_byar_limits_for_a_count_of_100():
    # Byar (Breslow and Day 1987), by hand: 100·(1 − 1/900 − 1.959964/30)³ = 100·0.9335568³
    # and 101·(1 − 1/909 + 1.959964/(3·√101))³.
    lower, upper = byar_limits([100])

    assert lower[0] == pytest.approx(100 * (1 - 1 / 900 - Z_95 / 30) ** 3, abs=1e-12)
    assert upper[0] == pytest.approx(101 * (1 - 1 / 909 + Z_95 / (3 * math.sqrt(101))) ** 3, abs=1e-12)
    assert round(lower[0], 4) == 81.3621
    assert round(upper[0], 4) == 121.6279


def test_byar_and_exact_limits_of_100_agree_to_two_decimals():
    # The exact limits of 100 are 81.364 and 121.627 (χ²(0.025; 200)/2, χ²(0.975; 202)/2).
    exact_lower, exact_upper = exact_poisson_limits([100])
    byar_lower, byar_upper = byar_limits([100])

    assert round(exact_lower[0], 3) == 81.364
    assert round(exact_upper[0], 3) == 121.627
    assert byar_lower[0] == pytest.approx(exact_lower[0], abs=0.01)
    assert byar_upper[0] == pytest.approx(exact_upper[0], abs=0.01)


def test_auto_uses_exact_below_10_events_and_byar_from_10():
    frame = pl.DataFrame({"events": [9, 10, None]})

    result = count_with_poisson_ci(frame, count="events")

    exact_lower, _ = exact_poisson_limits([9])
    byar_lower, _ = byar_limits([10])
    assert result["method"].to_list() == ["exact", "byar", None]
    assert result["lower_ci"][0] == pytest.approx(exact_lower[0])
    assert result["lower_ci"][1] == pytest.approx(byar_lower[0])
    assert result["value"].to_list() == [9.0, 10.0, None]


def test_a_rate_per_1000_divides_the_count_limits_by_the_population():
    frame = pl.DataFrame({"code": ["001001", "001002"], "births": [5, 100], "residents": [2_000, 10_000]})

    result = rate_with_poisson_ci(frame, count="births", denominator="residents")

    assert result["value"].to_list() == [2.5, 10.0]
    assert result["lower_ci"].round(4).to_list() == [0.8117, 8.1362]
    assert result["upper_ci"].round(4).to_list() == [5.8342, 12.1628]
    assert result["method"].to_list() == ["exact", "byar"]


def test_the_method_can_be_forced_and_the_multiplier_changed():
    frame = pl.DataFrame({"events": [100], "people": [100_000]})

    result = rate_with_poisson_ci(
        frame, count="events", denominator="people", method="exact", multiplier=100_000
    )

    assert result["value"][0] == pytest.approx(100.0)
    assert round(result["lower_ci"][0], 3) == 81.364
    assert result["method"][0] == "exact"


def test_a_denominator_of_zero_gives_nulls_and_a_count_may_exceed_it():
    frame = pl.DataFrame({"events": [3, 0, 12], "people": [0, 0, 10]})

    result = rate_with_poisson_ci(frame, count="events", denominator="people", multiplier=1)

    assert result["value"].to_list() == [None, None, 1.2]
    assert result["lower_ci"][:2].to_list() == [None, None]
    assert result["method"].to_list() == [None, None, "byar"]


def test_negative_counts_are_refused_naming_the_row():
    with pytest.raises(ValueError, match=r"Row 1 has a negative count \(events = -2\)"):
        count_with_poisson_ci(pl.DataFrame({"events": [1, -2]}), count="events")
    with pytest.raises(ValueError, match=r"Row 0 has a negative denominator"):
        rate_with_poisson_ci(
            pl.DataFrame({"events": [1], "people": [-5]}), count="events", denominator="people"
        )


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="Method must be one of byar, exact, auto"):
        poisson_limits([1], method="wald")  # type: ignore[arg-type]


def test_byar_lower_limit_is_zero_where_its_formula_turns_negative():
    # At 99.8% the formula gives 1·(1 − 1/9 − 3.09/3)³ < 0 for one event; a count cannot have a negative limit.
    lower, _ = byar_limits([0, 1], confidence=0.998)

    assert lower.tolist() == [0.0, 0.0]


counts = st.lists(st.integers(0, 1_000_000), min_size=1, max_size=30)


@PROPERTY
@given(values=counts, method=st.sampled_from(["byar", "exact", "auto"]))
def test_the_limits_bracket_the_count_and_never_go_below_zero(values, method):
    lower, upper = poisson_limits(values, method=method)

    x = np.asarray(values, dtype=float)
    assert (lower >= 0).all()
    assert (lower <= x).all()
    assert (upper > x).all()


@PROPERTY
@given(values=counts, method=st.sampled_from(["byar", "exact", "auto"]))
def test_the_99_8_percent_limits_contain_the_95_percent_limits(values, method):
    lower_95, upper_95 = poisson_limits(values, method=method)
    lower_998, upper_998 = poisson_limits(values, method=method, confidence=0.998)

    assert (lower_998 <= lower_95).all()
    assert (upper_998 >= upper_95).all()


@PROPERTY
@given(values=st.lists(st.integers(100, 10_000_000), min_size=1, max_size=30))
def test_exact_and_byar_agree_closely_for_large_counts(values):
    exact_lower, exact_upper = exact_poisson_limits(values)
    byar_lower, byar_upper = byar_limits(values)

    assert np.allclose(byar_lower, exact_lower, rtol=1e-3)
    assert np.allclose(byar_upper, exact_upper, rtol=1e-3)


@PROPERTY
@given(
    events=st.integers(0, 5_000),
    people=st.integers(1, 100_000),
    factor=st.integers(2, 100),
    method=st.sampled_from(["byar", "exact"]),
)
def test_the_rate_interval_widens_as_counts_fall_at_a_fixed_rate(events, people, factor, method):
    frame = pl.DataFrame({"events": [events, events * factor], "people": [people, people * factor]})

    result = rate_with_poisson_ci(frame, count="events", denominator="people", method=method)

    width = result["upper_ci"] - result["lower_ci"]
    assert result["value"][0] == pytest.approx(result["value"][1])
    assert width[1] < width[0]
