import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.comparisons import Comparison, Polarity
from welfarelab.analytics.profiles import (
    Change,
    IndicatorEvidence,
    change_between,
    domain_priorities,
    indicator_score,
    peer_summary,
    spine_position,
)


def test_peer_summary_pools_counts_for_proportions_and_gives_quartiles():
    summary = peer_summary(
        [10.0, 20.0, 30.0, 40.0, 50.0],
        numerators=[1, 2, 3, 4, 50],
        denominators=[10, 10, 10, 10, 100],
        multiplier=100,
        poolable=True,
    )

    assert summary.pooled
    assert summary.value == pytest.approx(60 / 140 * 100)  # Σ numerators / Σ denominators, not a mean
    assert (summary.minimum, summary.median, summary.maximum) == (10, 30, 50)
    assert (summary.lower_quartile, summary.upper_quartile) == (20, 40)
    assert summary.spread == pytest.approx(20 / 1.349)


def test_peer_summary_takes_the_median_when_a_peer_lacks_its_counts_or_the_statistic_cannot_pool():
    missing = peer_summary([1.0, 2.0, 9.0], numerators=[1, 2, None], denominators=[1, 1, 1], poolable=True)
    ratio = peer_summary([1.0, 2.0, 9.0], numerators=[1, 2, 9], denominators=[1, 1, 1], poolable=False)

    assert not missing.pooled and missing.value == 2.0
    assert not ratio.pooled and ratio.value == 2.0
    assert missing.spread is None  # fewer than four peers: no robust spread


def test_peer_summary_of_no_peer_is_empty():
    summary = peer_summary([None, None])

    assert summary.count == 0 and summary.value is None and summary.spread is None


@pytest.mark.parametrize(
    ("earlier", "later", "polarity", "expected"),
    [
        ((10, 12), (13, 15), Polarity.HIGHER_IS_BETTER, Change.GETTING_BETTER),
        ((10, 12), (13, 15), Polarity.LOWER_IS_BETTER, Change.GETTING_WORSE),
        ((10, 12), (7, 9), Polarity.NO_JUDGEMENT, Change.DECREASING),
        ((10, 12), (11, 13), Polarity.HIGHER_IS_BETTER, Change.NO_SIGNIFICANT_CHANGE),
        ((10, 12), (12, 14), Polarity.HIGHER_IS_BETTER, Change.NO_SIGNIFICANT_CHANGE),  # touching
        ((None, None), (13, 15), Polarity.HIGHER_IS_BETTER, Change.CANNOT_BE_CALCULATED),
    ],
)
def test_change_between_two_periods_needs_intervals_that_do_not_overlap(earlier, later, polarity, expected):
    assert change_between(earlier, later, polarity=polarity) is expected


def _evidence(**changes):
    values = {
        "code": "x",
        "polarity": Polarity.HIGHER_IS_BETTER,
        "value": 10.0,
        "peers": peer_summary([10.0, 20.0, 30.0, 40.0, 50.0]),
        "versus_peers": Comparison.WORSE,
        "versus_italy": Comparison.WORSE,
        "change": Change.GETTING_WORSE,
    }
    values.update(changes)
    return IndicatorEvidence(**values)


def test_the_indicator_score_follows_the_documented_formula():
    score = indicator_score(_evidence())

    # peers' median 30, spread (40 − 20) / 1.349 = 14.83: gap (30 − 10) / 14.83 = 1.349 sd → 1.349 / 3.
    assert score.gap == pytest.approx((30 - 10) / (20 / 1.349) / 3)
    assert (score.significance, score.trend) == (1.0, 1.0)
    assert score.total == pytest.approx(40 * score.gap + 30 + 20)


def test_lower_is_better_turns_the_gap_and_a_better_territory_scores_below_zero():
    score = indicator_score(
        _evidence(
            polarity=Polarity.LOWER_IS_BETTER,
            versus_peers=Comparison.BETTER,
            versus_italy=Comparison.BETTER,
            change=Change.GETTING_BETTER,
        )
    )

    assert score.gap < 0 and score.significance == -1 and score.trend == -1
    assert score.total < 0


def test_indicators_without_a_direction_do_not_count():
    assert indicator_score(_evidence(polarity=Polarity.NO_JUDGEMENT)) is None


def test_worse_than_italy_only_counts_half():
    score = indicator_score(_evidence(versus_peers=Comparison.SIMILAR, change=Change.NO_SIGNIFICANT_CHANGE))

    assert score.significance == 0.5 and score.trend == 0


def test_domains_are_ranked_most_urgent_first_and_leps_adds_its_share():
    ranked = domain_priorities(
        [
            (
                "a",
                [
                    _evidence(
                        versus_peers=Comparison.SIMILAR,
                        versus_italy=Comparison.SIMILAR,
                        change=Change.NO_SIGNIFICANT_CHANGE,
                    )
                ],
            ),
            ("b", [_evidence()]),
            ("c", [_evidence(polarity=Polarity.NO_JUDGEMENT)]),  # nothing to rank it by
        ],
        leps_shortfall_by_domain={"a": 0.5},
    )

    assert [p.domain for p in ranked] == ["b", "a"]
    assert ranked[1].leps_shortfall == 0.5
    assert ranked[1].score == pytest.approx(round(40 * ranked[1].indicators[0].gap + 5, 1))


def test_an_unknown_change_is_refused():
    with pytest.raises(ValueError):
        indicator_score(_evidence(change="sideways"))


@PROPERTY
@given(
    value=st.floats(-1e6, 1e6),
    centre=st.floats(-1e6, 1e6),
    half_width=st.floats(1e-3, 1e6),
    polarity=st.sampled_from(list(Polarity)),
)
def test_spine_positions_stay_on_the_chart_and_italy_is_at_the_centre(value, centre, half_width, polarity):
    position = spine_position(value, centre=centre, half_width=half_width, polarity=polarity)

    assert 0 <= position <= 1
    assert spine_position(centre, centre=centre, half_width=half_width, polarity=polarity) == 0.5


def test_spine_puts_better_to_the_right_whatever_the_polarity():
    higher = spine_position(12, centre=10, half_width=4, polarity=Polarity.HIGHER_IS_BETTER)
    lower = spine_position(12, centre=10, half_width=4, polarity=Polarity.LOWER_IS_BETTER)

    assert higher == pytest.approx(0.75) and lower == pytest.approx(0.25)
