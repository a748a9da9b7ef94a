"""The directory's reads: search with accent folding, filters by kind, form and place, and visibility."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    make_italy_slice,
)
from welfarelab.accounts.models import Membership
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.selectors import organisation_list, organisation_members
from welfarelab.territories.models import Territory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


def names(queryset) -> list[str]:
    return [o.name for o in queryset]


@pytest.fixture
def directory():
    italy = make_italy_slice()
    forli = TerritoryFactory(code="040012", name="Forlì", province_abbreviation="FC")
    return {
        **italy,
        "forli": forli,
        "comune_aglie": OrganisationFactory(
            kind=Organisation.Kind.COMUNE, name="Comune di Agliè", territory=italy["aglie"]
        ),
        "comune_roma": OrganisationFactory(
            kind=Organisation.Kind.COMUNE, name="Comune di Roma", territory=italy["roma"]
        ),
        "regione_lazio": OrganisationFactory(
            kind=Organisation.Kind.REGIONE, name="Regione Lazio", territory=italy["lazio"]
        ),
        "provincia_torino": OrganisationFactory(
            kind=Organisation.Kind.PROVINCIA, name="Città metropolitana di Torino", territory=italy["torino"]
        ),
        "odv_forli": OrganisationFactory(
            name="Volontari di Forlì ODV",
            legal_form=Organisation.LegalForm.ODV,
            territory=forli,
            tax_code="92012340403",
        ),
        "aps_roma": OrganisationFactory(name="APS Roma Insieme", territory=italy["roma"]),
        "aps_aglie": OrganisationFactory(name="Pro Loco Agliè", territory=italy["aglie"]),
        "hidden": OrganisationFactory(
            name="Rete riservata di Roma", territory=italy["roma"], is_public=False
        ),
    }


def test_everything_public_is_listed_by_folded_name(directory):
    assert names(organisation_list(user=ANONYMOUS)) == [
        "APS Roma Insieme",
        "Città metropolitana di Torino",
        "Comune di Agliè",
        "Comune di Roma",
        "Pro Loco Agliè",
        "Regione Lazio",
        "Volontari di Forlì ODV",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("forli", ["Volontari di Forlì ODV"]),
        ("FORLÌ", ["Volontari di Forlì ODV"]),
        ("aglie", ["Comune di Agliè", "Pro Loco Agliè"]),
        ("agliè comune", ["Comune di Agliè"]),  # every word, in any order
        ("92012340403", ["Volontari di Forlì ODV"]),  # a tax code
        (
            "  ",
            [
                "APS Roma Insieme",
                "Città metropolitana di Torino",
                "Comune di Agliè",
                "Comune di Roma",
                "Pro Loco Agliè",
                "Regione Lazio",
                "Volontari di Forlì ODV",
            ],
        ),
        ("nessuna corrispondenza", []),
    ],
)
def test_search_ignores_accents_and_case(directory, query, expected):
    assert names(organisation_list(user=ANONYMOUS, filters={"q": query})) == expected


def test_filter_by_kind_and_legal_form(directory):
    assert names(organisation_list(user=ANONYMOUS, filters={"kind": "comune"})) == [
        "Comune di Agliè",
        "Comune di Roma",
    ]
    assert names(organisation_list(user=ANONYMOUS, filters={"kind": "ets", "legal_form": "odv"})) == [
        "Volontari di Forlì ODV"
    ]


def test_filter_by_regione_includes_its_own_body_and_everything_inside(directory):
    assert names(organisation_list(user=ANONYMOUS, filters={"regione": "12"})) == [
        "APS Roma Insieme",
        "Comune di Roma",
        "Regione Lazio",
    ]
    assert names(organisation_list(user=ANONYMOUS, filters={"regione": "01"})) == [
        "Città metropolitana di Torino",
        "Comune di Agliè",
        "Pro Loco Agliè",
    ]


def test_filter_by_provincia(directory):
    assert names(organisation_list(user=ANONYMOUS, filters={"provincia": "001"})) == [
        "Città metropolitana di Torino",
        "Comune di Agliè",
        "Pro Loco Agliè",
    ]


@pytest.mark.parametrize("comune", ["058091", "roma", " Roma "])
def test_filter_by_comune_name_or_code(directory, comune):
    assert names(organisation_list(user=ANONYMOUS, filters={"comune": comune})) == [
        "APS Roma Insieme",
        "Comune di Roma",
    ]


def test_filter_by_comune_ignores_the_provincia_of_the_same_name(directory):
    # Roma is a comune and a provincia: the comune filter means the comune only.
    assert "Città metropolitana di Roma" not in names(
        organisation_list(user=ANONYMOUS, filters={"comune": "roma"})
    )
    assert Territory.objects.filter(name="Roma").count() == 2


def test_filters_combine(directory):
    filters = {"q": "roma", "kind": "ets", "regione": "12"}
    assert names(organisation_list(user=ANONYMOUS, filters=filters)) == ["APS Roma Insieme"]


def test_hidden_organisations_are_listed_to_their_members_and_coordinators_only(directory):
    hidden = directory["hidden"]
    member = MembershipFactory(organisation=hidden, role=Membership.Role.VIEWER).user
    outsider = MembershipFactory(organisation=directory["comune_roma"], role=Membership.Role.ADMIN).user
    coordinator = UserFactory(is_lab_coordinator=True)

    assert hidden not in organisation_list(user=ANONYMOUS, filters={"q": "riservata"})
    assert hidden not in organisation_list(user=outsider, filters={"q": "riservata"})
    assert list(organisation_list(user=member, filters={"q": "riservata"})) == [hidden]
    assert list(organisation_list(user=coordinator, filters={"q": "riservata"})) == [hidden]


def test_listing_a_page_takes_one_query_whatever_its_size(directory, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = list(organisation_list(user=ANONYMOUS)[:25])
        assert [o.territory.name if o.territory else None for o in page]


def test_members_are_shown_to_members_and_coordinators_only(directory):
    organisation = directory["aps_roma"]
    admin = MembershipFactory(
        organisation=organisation, role=Membership.Role.ADMIN, user__last_name="Bianchi"
    )
    viewer = MembershipFactory(
        organisation=organisation, role=Membership.Role.VIEWER, user__last_name="Azzurri"
    )

    assert list(organisation_members(user=viewer.user, organisation=organisation)) == [admin, viewer]
    assert list(
        organisation_members(user=UserFactory(is_lab_coordinator=True), organisation=organisation)
    ) == [admin, viewer]
    assert organisation_members(user=ANONYMOUS, organisation=organisation) is None
    assert organisation_members(user=UserFactory(), organisation=organisation) is None
