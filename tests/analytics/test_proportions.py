import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY, proportions
from welfarelab.analytics.proportions import proportion_with_wilson_ci


def _wilson(numerators, denominators, **options):
    frame = pl.DataFrame({"cases": numerators, "population": denominators})
    return proportion_with_wilson_ci(frame, numerator="cases", denominator="population", **options)


def test_wilson_interval_of_the_house_notes():
    # House notes (reference/aesthetics-ecosystem.md §6), cross-checked by hand:
    # (2·30 + z² ∓ z·√(z² + 4·30·0.7)) / (2·(100 + z²)), z = 1.959964 → 45.47193/207.68292, 82.21099/207.68292.
    result = _wilson([30, 5], [100, 100])

    assert result["value"].to_list() == [0.3, 0.05]
    assert result["lower_ci"].round(6).to_list() == [0.218949, 0.021544]
    assert result["upper_ci"].round(6).to_list() == [0.395849, 0.11175]
    assert result["confidence"].to_list() == [0.95, 0.95]
    assert result["method"].to_list() == ["wilson", "wilson"]


@pytest.mark.parametrize(
    ("cases", "population", "lower", "upper"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_matches_newcombe_1998(cases, population, lower, upper):
    # Newcombe RG, "Two-sided confidence intervals for the single proportion: comparison of seven
    # methods", Stat Med 1998;17:857-872, the four worked examples, method 3 (score, no continuity correction).
    result = _wilson([cases], [population])

    assert round(result["lower_ci"][0], 4) == lower
    assert round(result["upper_ci"][0], 4) == upper


def test_wilson_interval_at_99_8_percent_and_as_a_percentage():
    # The same formula with z = 3.090232 (Φ⁻¹(0.999)), z² = 9.549536: (69.549536 ∓ 29.889039)/219.099071.
    result = _wilson([30], [100], confidence=0.998, multiplier=100)

    assert result["value"][0] == pytest.approx(30.0)
    assert round(result["lower_ci"][0], 4) == 18.1016
    assert round(result["upper_ci"][0], 4) == 45.3852
    assert result["confidence"][0] == 0.998


def test_all_and_none_give_limits_at_the_bounds():
    result = _wilson([0, 20], [20, 20])

    assert result["lower_ci"][0] == 0.0
    assert result["upper_ci"][1] == 1.0
    # 20/20: the lower limit is n/(n + z²) = 20/23.841459.
    assert result["lower_ci"][1] == pytest.approx(20 / (20 + 1.959963984540054**2), abs=1e-12)


def test_a_denominator_of_zero_or_a_missing_count_gives_nulls_not_errors():
    result = _wilson([0, None, 3], [0, 10, None])

    assert result["value"].to_list() == [None, None, None]
    assert result["lower_ci"].to_list() == [None, None, None]
    assert result["upper_ci"].to_list() == [None, None, None]


def test_a_numerator_above_its_denominator_is_refused_naming_the_row():
    with pytest.raises(
        ValueError, match=r"Row 1 has numerator cases = 12 greater than its denominator population = 10"
    ):
        _wilson([3, 12], [10, 10])


def test_negative_counts_are_refused_naming_the_row():
    with pytest.raises(ValueError, match=r"Row 2 has a negative numerator \(cases = -1\)"):
        _wilson([1, 2, -1], [10, 10, 10])
    with pytest.raises(ValueError, match=r"Row 0 has a negative denominator \(population = -10\)"):
        _wilson([0], [-10])


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="lacks the column"):
        proportion_with_wilson_ci(pl.DataFrame({"a": [1]}), numerator="a", denominator="b")


@PROPERTY
@given(frame=proportions())
def test_the_interval_brackets_the_proportion_and_stays_within_0_and_1(frame):
    result = proportion_with_wilson_ci(frame, numerator="numerator", denominator="denominator")

    assert (result["lower_ci"] >= 0).all()
    assert (result["upper_ci"] <= 1).all()
    assert (result["lower_ci"] <= result["value"] + 1e-12).all()
    assert (result["value"] <= result["upper_ci"] + 1e-12).all()


@PROPERTY
@given(frame=proportions())
def test_the_99_8_percent_interval_contains_the_95_percent_interval(frame):
    narrow = proportion_with_wilson_ci(frame, numerator="numerator", denominator="denominator")
    wide = proportion_with_wilson_ci(
        frame, numerator="numerator", denominator="denominator", confidence=0.998
    )

    assert (wide["lower_ci"] <= narrow["lower_ci"] + 1e-12).all()
    assert (wide["upper_ci"] >= narrow["upper_ci"] - 1e-12).all()


@PROPERTY
@given(frame=proportions(max_denominator=10_000), factor=st.integers(2, 50))
def test_the_interval_widens_as_counts_fall_at_a_fixed_proportion(frame, factor):
    small = proportion_with_wilson_ci(frame, numerator="numerator", denominator="denominator")
    large = proportion_with_wilson_ci(
        frame.select(pl.col("numerator") * factor, pl.col("denominator") * factor),
        numerator="numerator",
        denominator="denominator",
    )

    small_width = small["upper_ci"] - small["lower_ci"]
    large_width = large["upper_ci"] - large["lower_ci"]
    assert (large["value"] - small["value"]).abs().max() < 1e-12
    assert (large_width < small_width).all()
