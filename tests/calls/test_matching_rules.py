"""The matching rules (pure): eligibility explained, and the vectorised ranking equal to the one by one."""

from __future__ import annotations

import random

import pytest

from welfarelab.analytics.matching import (
    APPLICANT_ELIGIBLE,
    APPLICANT_FORM_NOT_STATED,
    APPLICANT_NOT_STATED_BY_CALL,
    COFINANCING_REQUIRED,
    RESERVED_TO_GROUP,
    TERRITORY_ITALY,
    TERRITORY_PROVINCE,
    TERRITORY_REGION,
    TERRITORY_UNKNOWN,
    THEMES_NONE_SHARED,
    THEMES_NOT_STATED,
    THEMES_SHARED,
    CallFacts,
    CallMatrix,
    OrganisationFacts,
    OrganisationMatrix,
    Vocabulary,
    explain,
    rank_for_organisation,
    top_matches,
)
from welfarelab.calls.vocabulary import APPLICANT_GROUPS, ETS_TYPES, THEMES

APS_MILANO = OrganisationFacts(
    key=1, applicant_types=frozenset({"aps"}), region="03", province="015", themes=frozenset({"cultura"})
)


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def test_an_aps_may_apply_to_a_national_call_for_the_third_sector_on_its_theme():
    call = CallFacts(key=7, applicant_types=frozenset(ETS_TYPES), themes=frozenset({"cultura", "sport"}))

    match = explain(APS_MILANO, call, groups=APPLICANT_GROUPS)

    assert match.eligible
    assert codes(match.reasons) == [APPLICANT_ELIGIBLE, TERRITORY_ITALY, THEMES_SHARED, RESERVED_TO_GROUP]
    assert match.reasons[2].params == {"themes": ["cultura"]}
    assert match.lacks == ()
    assert match.score == 2 + 1


def test_a_call_of_another_region_or_for_other_applicants_is_not_shown():
    veneto = CallFacts(key=1, applicant_types=frozenset({"aps"}), regions=frozenset({"05"}))
    comuni = CallFacts(key=2, applicant_types=frozenset({"comune"}))

    assert not explain(APS_MILANO, veneto, groups=APPLICANT_GROUPS).eligible
    assert not explain(APS_MILANO, comuni, groups=APPLICANT_GROUPS).eligible


def test_local_calls_count_more_and_co_financing_less():
    regional = CallFacts(
        key=1, applicant_types=frozenset({"aps", "comune"}), regions=frozenset({"03"}), cofinancing_percent=20
    )
    provincial = CallFacts(key=2, applicant_types=frozenset({"aps", "comune"}), provinces=frozenset({"015"}))

    first = explain(APS_MILANO, regional, groups=APPLICANT_GROUPS)
    second = explain(APS_MILANO, provincial, groups=APPLICANT_GROUPS)

    assert codes(first.reasons) == [APPLICANT_ELIGIBLE, TERRITORY_REGION]
    assert codes(first.lacks) == [COFINANCING_REQUIRED]
    assert first.lacks[0].params == {"percent": 20}
    assert first.score == 1 - 0.5
    assert codes(second.reasons) == [APPLICANT_ELIGIBLE, TERRITORY_PROVINCE]
    assert second.score == 1


def test_what_is_not_known_is_said_and_lowers_the_call():
    ets_of_unknown_form = OrganisationFacts(
        key=2, applicant_types=frozenset(ETS_TYPES), type_known=False, themes=frozenset()
    )
    call = CallFacts(
        key=1, applicant_types=frozenset({"odv"}), regions=frozenset({"03"}), themes=frozenset({"salute"})
    )
    unstated = CallFacts(key=2, themes=frozenset({"salute"}))

    match = explain(ets_of_unknown_form, call, groups=APPLICANT_GROUPS)
    other = explain(APS_MILANO, unstated, groups=APPLICANT_GROUPS)

    assert match.eligible
    assert codes(match.lacks) == [APPLICANT_FORM_NOT_STATED, TERRITORY_UNKNOWN, THEMES_NOT_STATED]
    assert match.lacks[0].params == {"types": ["odv"]}
    assert match.score == -2 + 1  # two uncertainties, reserved to the Third Sector
    assert other.eligible and codes(other.lacks) == [APPLICANT_NOT_STATED_BY_CALL, THEMES_NONE_SHARED]


def test_ranking_is_by_score_then_nearest_deadline_then_key():
    calls = [
        CallFacts(key=3, applicant_types=frozenset({"aps"}), closes_at=300.0),
        CallFacts(key=1, applicant_types=frozenset({"aps"}), closes_at=None),
        CallFacts(key=2, applicant_types=frozenset({"aps"}), closes_at=100.0),
        CallFacts(key=4, applicant_types=frozenset({"aps"}), themes=frozenset({"cultura"}), closes_at=900.0),
        CallFacts(key=5, applicant_types=frozenset({"odv"})),
    ]

    ranked = rank_for_organisation(APS_MILANO, calls, groups=APPLICANT_GROUPS)

    assert [m.call_key for m in ranked] == [4, 2, 3, 1]


def _random_facts(rng: random.Random, n_calls: int, n_organisations: int):
    regions = ["01", "03", "05", "12"]
    provinces = {"01": ["001", "002"], "03": ["015", "016"], "05": ["028"], "12": ["058"]}
    themes = [entry.slug for entry in THEMES][:6]
    types = [*ETS_TYPES, "comune", "ambito", "impresa"]
    calls = []
    for key in range(n_calls):
        region = rng.choice(regions)
        scope = rng.random()
        calls.append(
            CallFacts(
                key=key,
                applicant_types=frozenset(rng.sample(types, rng.randint(0, 4))),
                themes=frozenset(rng.sample(themes, rng.randint(0, 2))),
                regions=frozenset({region}) if scope < 0.3 else frozenset(),
                provinces=frozenset({rng.choice(provinces[region])}) if 0.3 <= scope < 0.5 else frozenset(),
                cofinancing_percent=rng.choice([None, 0, 20]),
                closes_at=rng.choice([None, float(rng.randint(0, 50))]),
            )
        )
    organisations = []
    for key in range(n_organisations):
        region = rng.choice([*regions, None])
        known = rng.random() < 0.7
        organisations.append(
            OrganisationFacts(
                key=key,
                applicant_types=frozenset({rng.choice(types)}) if known else frozenset(ETS_TYPES),
                type_known=known,
                region=region,
                province=rng.choice(provinces[region]) if region else None,
                themes=frozenset(rng.sample(themes, rng.randint(0, 2))),
            )
        )
    return calls, organisations


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_matrix_ranks_every_organisation_as_the_one_by_one_rules(seed):
    rng = random.Random(seed)
    calls, organisations = _random_facts(rng, n_calls=60, n_organisations=150)
    vocabulary = Vocabulary.build(
        applicant_groups=APPLICANT_GROUPS,
        themes=[entry.slug for entry in THEMES],
        regions=["01", "03", "05", "12"],
        provinces=["001", "002", "015", "016", "028", "058"],
    )

    top = top_matches(
        OrganisationMatrix.build(organisations, vocabulary),
        CallMatrix.build(calls, vocabulary),
        k=8,
        chunk=37,
    )

    for row, organisation in enumerate(organisations):
        expected = rank_for_organisation(organisation, calls, groups=APPLICANT_GROUPS)
        assert top.eligible_counts[row] == len(expected)
        assert [int(k) for k in top.call_keys[row] if k >= 0] == [m.call_key for m in expected[:8]]
        assert [float(s) for s in top.scores[row][: len(expected[:8])]] == [m.score for m in expected[:8]]


def test_sharing_profiles_gives_the_same_result_as_scoring_every_row():
    calls, organisations = _random_facts(random.Random(9), n_calls=40, n_organisations=300)
    vocabulary = Vocabulary.build(
        applicant_groups=APPLICANT_GROUPS,
        themes=[entry.slug for entry in THEMES],
        regions=["01", "03", "05", "12"],
        provinces=["001", "002", "015", "016", "028", "058"],
    )
    matrix = OrganisationMatrix.build(organisations + organisations, vocabulary)  # every profile twice

    shared = top_matches(matrix, CallMatrix.build(calls, vocabulary))
    every = top_matches(matrix, CallMatrix.build(calls, vocabulary), share_profiles=False)

    assert shared.distinct_profiles <= 300
    assert (shared.call_keys == every.call_keys).all()
    assert (shared.eligible_counts == every.eligible_counts).all()
