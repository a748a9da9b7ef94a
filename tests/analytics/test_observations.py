"""Intervals by kind of statistic, and sums of comuni up the hierarchy."""

from __future__ import annotations

import polars as pl
import pytest

from welfarelab.analytics.observations import STATISTICS, sum_up, value_from_counts, with_intervals


def _frame(numerators, denominators):
    return pl.DataFrame(
        {
            "territory": list("abcdefgh"[: len(numerators)]),
            "period": [2023] * len(numerators),
            "numerator": numerators,
            "denominator": denominators,
        },
        schema={
            "territory": pl.String,
            "period": pl.Int16,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )


def test_a_proportion_gets_wilson_limits_scaled_by_the_multiplier():
    result = with_intervals(_frame([5.0], [10.0]), statistic="proportion", multiplier=100)
    # Wilson 95% for 5/10: 0.2366 – 0.7634 (Newcombe and Altman).
    assert result["lower_95"][0] == pytest.approx(23.659309)
    assert result["upper_95"][0] == pytest.approx(76.340691)


def test_a_rate_gets_the_exact_poisson_limits_below_ten_events():
    result = with_intervals(_frame([5.0], [10_000.0]), statistic="rate", multiplier=10_000)
    # Exact Poisson 95% for 5 events: 1.6235 – 11.6683.
    assert result["lower_95"][0] == pytest.approx(1.623486, rel=1e-5)
    assert result["upper_95"][0] == pytest.approx(11.668332, rel=1e-5)


@pytest.mark.parametrize("statistic", ["ratio", "mean", "change", "enumeration"])
def test_statistics_without_an_interval_get_none(statistic):
    result = with_intervals(_frame([5.0], [10.0]), statistic=statistic, multiplier=100)
    assert result["lower_95"].to_list() == [None] and result["upper_95"].to_list() == [None]


def test_unknown_or_impossible_counts_get_no_interval_but_keep_their_rows():
    result = with_intervals(
        _frame([None, 30.0, 3.0], [10.0, 20.0, 10.0]), statistic="proportion", multiplier=100
    )
    assert result["territory"].to_list() == ["a", "b", "c"]
    assert result["lower_95"].to_list()[:2] == [None, None]  # unknown numerator; numerator above denominator
    assert result["lower_95"][2] is not None


def test_an_unknown_kind_of_statistic_is_refused_with_the_accepted_ones():
    with pytest.raises(ValueError, match="guess"):
        with_intervals(_frame([1.0], [2.0]), statistic="guess", multiplier=1)
    assert "proportion" in STATISTICS


def test_values_come_from_counts_and_a_zero_denominator_is_unknown():
    frame = _frame([5.0, 5.0], [10.0, 0.0]).with_columns(
        value=value_from_counts(statistic="ratio", multiplier=100)
    )
    assert frame["value"].to_list() == [50.0, None]
    counts = _frame([7.0], [None]).with_columns(value=value_from_counts(statistic="count", multiplier=1))
    assert counts["value"].to_list() == [7.0]


def test_sums_add_numerators_and_denominators_and_tell_the_coverage():
    observations = _frame([10.0, 30.0, None], [100.0, 100.0, 50.0])
    membership = pl.DataFrame(
        {"territory": ["a", "b", "c", "a"], "parent": ["P", "P", "P", "Q"], "members": [3, 3, 3, 1]}
    )
    result = sum_up(observations, membership, statistic="proportion", multiplier=100).sort("territory")
    assert result.row(0, named=True) == {
        "territory": "P",
        "period": 2023,
        "numerator": 40.0,
        "denominator": 200.0,
        "value": 20.0,
        "coverage": pytest.approx(2 / 3),
    }
    # Not the mean of 10% and 30% weighted equally with the unknown third: the ratio of the sums.
    assert result.row(1, named=True)["value"] == 10.0 and result.row(1, named=True)["coverage"] == 1.0
