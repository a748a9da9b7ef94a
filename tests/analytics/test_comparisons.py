import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.comparisons import Comparison, Polarity, compare_to_comparator
from welfarelab.analytics.proportions import proportion_with_wilson_ci


def _intervals(*rows):
    return pl.DataFrame(rows, schema=["value", "lower_ci", "upper_ci"], orient="row")


# Interval wholly above 0.30, wholly below, straddling, touching it from above.
ROWS = [(0.40, 0.35, 0.45), (0.20, 0.15, 0.25), (0.31, 0.25, 0.37), (0.35, 0.30, 0.40)]


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (Polarity.HIGHER_IS_BETTER, ["better", "worse", "similar", "similar"]),
        (Polarity.LOWER_IS_BETTER, ["worse", "better", "similar", "similar"]),
        (Polarity.NO_JUDGEMENT, ["higher", "lower", "similar", "similar"]),
    ],
)
def test_an_interval_that_excludes_the_comparator_is_significant_and_polarity_names_it(polarity, expected):
    result = compare_to_comparator(_intervals(*ROWS), comparator=0.30, polarity=polarity)

    assert result["comparison"].to_list() == expected


def test_the_house_example_lower_is_better():
    # reference/aesthetics-ecosystem.md §6: 30/100 and 5/100 against 0.30, lower is better.
    frame = pl.DataFrame({"istat_code": ["001001", "001002"], "cases": [30, 5], "population": [100, 100]})

    result = compare_to_comparator(
        proportion_with_wilson_ci(frame, numerator="cases", denominator="population"),
        comparator=0.30,
        polarity="lower_is_better",
    )

    assert result["comparison"].to_list() == ["similar", "better"]


def test_a_comparator_with_an_interval_needs_the_intervals_not_to_overlap():
    frame = _intervals((0.40, 0.35, 0.45), (0.40, 0.33, 0.47), (0.10, 0.05, 0.15))

    result = compare_to_comparator(
        frame,
        comparator=0.30,
        comparator_lower_ci=0.26,
        comparator_upper_ci=0.34,
        polarity="higher_is_better",
    )

    assert result["comparison"].to_list() == ["better", "similar", "worse"]


def test_each_row_can_have_its_own_comparator_column():
    frame = _intervals(*ROWS[:2]).with_columns(region=pl.Series([0.50, 0.10]))

    result = compare_to_comparator(
        frame, comparator="region", polarity="higher_is_better", output="vs_region"
    )

    assert result["vs_region"].to_list() == ["worse", "better"]


def test_missing_data_is_not_comparable():
    frame = pl.DataFrame(
        {
            "value": [None, 0.4, 0.4, 0.4],
            "lower_ci": [0.3, None, 0.35, 0.35],
            "upper_ci": [0.5, 0.45, 0.45, 0.45],
            "region": [0.3, 0.3, None, float("nan")],
        }
    )

    result = compare_to_comparator(frame, comparator="region", polarity="higher_is_better")

    assert result["comparison"].to_list() == ["not_comparable"] * 4
    assert (
        compare_to_comparator(frame, comparator=None, polarity="no_judgement")["comparison"][1]
        == "not_comparable"
    )


def test_the_outcomes_are_the_enum_values():
    assert [member.value for member in Comparison] == [
        "better",
        "similar",
        "worse",
        "higher",
        "lower",
        "not_comparable",
    ]


def test_an_unknown_polarity_is_refused():
    with pytest.raises(
        ValueError, match="Polarity must be one of higher_is_better, lower_is_better, no_judgement"
    ):
        compare_to_comparator(_intervals(*ROWS), comparator=0.3, polarity="up")


def test_one_comparator_limit_alone_is_refused():
    with pytest.raises(ValueError, match="Give both comparator limits, or neither"):
        compare_to_comparator(
            _intervals(*ROWS), comparator=0.3, comparator_lower_ci=0.2, polarity="no_judgement"
        )


interval = st.tuples(st.floats(0, 1), st.floats(0, 0.5), st.floats(0, 0.5)).map(
    lambda t: (t[0], t[0] - t[1], t[0] + t[2])
)


@PROPERTY
@given(rows=st.lists(interval, min_size=1, max_size=30), comparator=st.floats(0, 1))
def test_the_comparison_flips_with_polarity(rows, comparator):
    frame = _intervals(*rows)

    def outcomes(polarity):
        return compare_to_comparator(frame, comparator=comparator, polarity=polarity)["comparison"].to_list()

    swap = {"better": "worse", "worse": "better", "similar": "similar"}
    higher_is_better = outcomes("higher_is_better")
    assert outcomes("lower_is_better") == [swap[outcome] for outcome in higher_is_better]
    as_direction = {"better": "higher", "worse": "lower", "similar": "similar"}
    assert outcomes("no_judgement") == [as_direction[outcome] for outcome in higher_is_better]
