import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.trends import TrendAssessment, TrendDirection, chi_square_for_trend

# Mills and Graubard (1987): congenital malformations by the mother's alcohol consumption
# (0, <1, 1–2, 3–5, ≥6 drinks a day), as analysed in Agresti, *Categorical Data Analysis* (2nd ed.), §3.4.
MALFORMED = [48, 38, 5, 1, 1]
ABSENT = [17066, 14464, 788, 126, 37]

# Indredavik et al. (2008): elevated troponin T in stroke patients by five ordered groups, as analysed in
# Fagerland, Lydersen and Laake, *Statistical Analysis of Contingency Tables* (2017), chapter 5.
ELEVATED = [8, 10, 11, 22, 6]
NORMAL = [53, 48, 100, 102, 129]


def _series(events, non_events, unit="u", scores=None):
    frame = pl.DataFrame(
        {
            "unit": unit,
            "year": [2019, 2020, 2021, 2022, 2023],
            "events": events,
            "total": [a + b for a, b in zip(events, non_events, strict=True)],
        }
    )
    return frame if scores is None else frame.with_columns(score=pl.Series(scores, dtype=pl.Float64))


def _trend(frame, **options):
    options = {"by": "unit", "period": "year", "numerator": "events", "denominator": "total", **options}
    options.setdefault("polarity", "no_judgement")
    return chi_square_for_trend(frame, **options)


def test_agresti_alcohol_and_malformations_with_equally_spaced_scores():
    # Agresti reports M² = 1.83 (P = 0.18) for scores 1…5; his M² = (N − 1)r², ours N·r²: equal to 2 decimals.
    result = _trend(_series(MALFORMED, ABSENT)).row(0, named=True)

    assert round(result["chi_square"], 2) == 1.83
    assert round(result["p_value"], 2) == 0.18
    assert result["direction"] == "no_significant_change"


def test_agresti_alcohol_and_malformations_with_midpoint_scores():
    # With scores 0, 0.5, 1.5, 4.0, 7.0 Agresti reports M² = 6.57, P = 0.01: an increasing trend.
    result = _trend(_series(MALFORMED, ABSENT, scores=[0, 0.5, 1.5, 4.0, 7.0]), score="score").row(
        0, named=True
    )

    assert round(result["chi_square"], 2) == 6.57
    assert round(result["p_value"], 2) == 0.01
    assert result["direction"] == "increasing"


def test_troponin_example_of_fagerland_lydersen_and_laake():
    # Their `CochranArmitage_MH_tests_rx2` test expects the Mantel–Haenszel T = −1.790, P = 0.07351,
    # where T = √(N/(N − 1)) × the Cochran–Armitage Z and Z² is our χ².
    n = sum(ELEVATED) + sum(NORMAL)

    result = _trend(_series(ELEVATED, NORMAL)).row(0, named=True)

    t = -math.sqrt(result["chi_square"] * n / (n - 1))
    assert round(t, 3) == -1.790
    assert round(math.erfc(abs(t) / math.sqrt(2)), 5) == 0.07351
    assert round(result["chi_square"], 4) == 3.1963
    assert result["direction"] == "no_significant_change"
    assert _trend(_series(ELEVATED, NORMAL), confidence=0.90)["direction"][0] == "decreasing"


@pytest.mark.parametrize(
    ("polarity", "assessment"),
    [
        ("higher_is_better", "getting_better"),
        ("lower_is_better", "getting_worse"),
        ("no_judgement", "increasing"),
    ],
)
def test_the_assessment_reads_the_direction_with_the_polarity(polarity, assessment):
    result = _trend(_series([10, 20, 30, 40, 50], [990, 980, 970, 960, 950]), polarity=polarity).row(
        0, named=True
    )

    assert result["direction"] == TrendDirection.INCREASING
    assert result["assessment"] == assessment


def test_the_99_8_percent_option_asks_for_stronger_evidence():
    # χ² ≈ 6.57 (P ≈ 0.010): significant at 95%, not at 99.8% (critical value 9.55).
    frame = _series(MALFORMED, ABSENT, scores=[0, 0.5, 1.5, 4.0, 7.0])

    assert _trend(frame, score="score")["direction"][0] == "increasing"
    assert _trend(frame, score="score", confidence=0.998)["direction"][0] == "no_significant_change"


def test_fewer_than_five_points_cannot_be_calculated_and_more_use_the_latest_five():
    short = _series([1, 2, 3, 4, 5], [99, 98, 97, 96, 95], unit="short").slice(1)
    long = pl.concat(
        [
            pl.DataFrame({"unit": "long", "year": [2018], "events": [90], "total": [100]}),
            _series([1, 2, 3, 4, 5], [99, 98, 97, 96, 95], unit="long"),
        ],
        how="vertical_relaxed",
    )

    result = _trend(pl.concat([short, long], how="vertical_relaxed"))

    assert result["unit"].to_list() == ["short", "long"]
    assert result["points"].to_list() == [4, 5]
    assert result["first_period"].to_list() == [2020, 2019]
    assert result["direction"].to_list() == ["cannot_be_calculated", "no_significant_change"]
    assert result["assessment"][0] == TrendAssessment.CANNOT_BE_CALCULATED
    assert result["chi_square"][0] is None


def test_a_gap_in_the_latest_five_points_cannot_be_calculated():
    frame = _series([1, 2, 3, 4, 5], [99, 98, 97, 96, 95]).with_columns(events=pl.Series([1, None, 3, 4, 5]))
    zero_denominator = _series([0, 0, 0, 0, 0], [10, 10, 0, 10, 10], unit="v")

    result = _trend(pl.concat([frame, zero_denominator]))

    assert result["direction"].to_list() == ["cannot_be_calculated", "cannot_be_calculated"]


def test_a_series_of_zeros_has_no_change():
    result = _trend(_series([0] * 5, [100] * 5)).row(0, named=True)

    assert (result["chi_square"], result["p_value"], result["direction"]) == (
        0.0,
        1.0,
        "no_significant_change",
    )


def test_units_are_tested_together_and_keyed_by_several_columns():
    women = _series([10, 20, 30, 40, 50], [990, 980, 970, 960, 950]).with_columns(sex=pl.lit("F"))
    men = _series([50, 40, 30, 20, 10], [950, 960, 970, 980, 990]).with_columns(sex=pl.lit("M"))

    result = _trend(pl.concat([women, men]), by=["unit", "sex"])

    assert result.select("unit", "sex", "direction").rows() == [
        ("u", "F", "increasing"),
        ("u", "M", "decreasing"),
    ]


def test_a_repeated_period_is_refused_naming_the_unit():
    frame = pl.concat([_series([1] * 5, [9] * 5), _series([1] * 5, [9] * 5).head(1)])

    with pytest.raises(ValueError, match=r"Row 5: unit u has period 2019 more than once"):
        _trend(frame)


def test_a_numerator_above_its_denominator_is_refused():
    with pytest.raises(ValueError, match=r"Row 0 has numerator events = 5 greater than its denominator"):
        _trend(pl.DataFrame({"unit": ["u"], "year": [2020], "events": [5], "total": [4]}))


counts = st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=5, max_size=5).filter(
    lambda rows: all(a + b > 0 for a, b in rows) and 0 < sum(a for a, _ in rows) < sum(a + b for a, b in rows)
)


@PROPERTY
@given(rows=counts)
def test_the_statistic_is_n_times_the_squared_correlation_of_outcome_and_score(rows):
    # Armitage (1955): expand the table to its N individuals; χ² for trend = N·r².
    events, non_events = [a for a, _ in rows], [b for _, b in rows]
    outcome = np.concatenate([np.r_[np.ones(a), np.zeros(b)] for a, b in rows])
    score = np.concatenate([np.full(a + b, i + 1.0) for i, (a, b) in enumerate(rows)])

    result = _trend(_series(events, non_events))

    r = np.corrcoef(outcome, score)[0, 1] if score.std() > 0 else 0.0
    assert result["chi_square"][0] == pytest.approx(outcome.size * r**2, rel=1e-9, abs=1e-9)


@PROPERTY
@given(rows=counts)
def test_reversing_time_keeps_the_statistic_and_flips_the_direction(rows):
    events, non_events = [a for a, _ in rows], [b for _, b in rows]

    forward = _trend(_series(events, non_events)).row(0, named=True)
    backward = _trend(_series(events[::-1], non_events[::-1])).row(0, named=True)

    assert backward["chi_square"] == pytest.approx(forward["chi_square"], rel=1e-9, abs=1e-12)
    flipped = {"increasing": "decreasing", "decreasing": "increasing"}
    assert backward["direction"] == flipped.get(forward["direction"], forward["direction"])
