"""A slice of Italy with residents, need domains, the people of the review workflow, and practices."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    add_population,
    make_italy_slice,
)
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import NeedDomain
from welfarelab.organisations.models import Organisation
from welfarelab.practices import services
from welfarelab.practices.models import Practice, PracticeEvent
from welfarelab.territories.models import Territory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def english():
    """Compare messages with their English msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Attachments go to a folder of the test's own, which the tests inspect."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(db) -> dict[str, Territory]:
    """make_italy_slice() plus Fiumicino, an ambito holding Agliè, and residents: Agliè 2,121 (a small
    comune), Roma 303,000, Fiumicino 80,800."""
    territories: dict[str, Any] = dict(make_italy_slice())
    territories["fiumicino"] = TerritoryFactory(
        code="058120",
        name="Fiumicino",
        regione=territories["lazio"],
        provincia=territories["roma_provincia"],
    )
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="PIE01", name="Ambito di Ivrea", regione=territories["piemonte"]
    )
    territories["aglie"].ambito = ambito
    territories["aglie"].save(update_fields=["ambito"])
    territories["ambito"] = ambito
    add_population(territories["aglie"], year=2023, per_age=(10, 11))  # 2,121
    add_population(territories["roma"], year=2023, per_age=(1500, 1500))  # 303,000
    add_population(territories["fiumicino"], year=2023, per_age=(400, 400))  # 80,800
    return territories


@pytest.fixture
def domains(db) -> dict[str, NeedDomain]:
    rows = [
        (
            "invecchiamento_non_autosufficienza",
            "Invecchiamento e non autosufficienza",
            "Ageing and long-term care",
        ),
        ("poverta_inclusione", "Povertà, reddito e inclusione sociale", "Poverty and inclusion"),
        ("casa_abitare", "Casa e abitare", "Housing"),
    ]
    return {
        code: NeedDomain.objects.create(code=code, name_it=name_it, name_en=name_en, position=number)
        for number, (code, name_it, name_en) in enumerate(rows)
    }


@pytest.fixture
def orgs(places) -> dict[str, Organisation]:
    return {
        "aglie": OrganisationFactory(
            kind=Organisation.Kind.COMUNE,
            name="Comune di Agliè",
            territory=places["aglie"],
            tax_code="83001350013",
        ),
        "roma": OrganisationFactory(
            kind=Organisation.Kind.COMUNE, name="Roma Capitale", territory=places["roma"]
        ),
        "university": OrganisationFactory(
            kind=Organisation.Kind.UNIVERSITY, name="Università del Piemonte", legal_form=""
        ),
        "csv": OrganisationFactory(kind=Organisation.Kind.CSV, name="CSV Torino", legal_form=""),
        "ets": OrganisationFactory(
            name="Associazione Ponte", tax_code="97000000019", territory=places["aglie"]
        ),
    }


@pytest.fixture
def people(orgs) -> dict[str, Any]:
    """proposer (editor of the Comune di Agliè), colleague (its admin), viewer (its viewer), reviewer
    (editor of a university), csv_reviewer (editor of a CSV), university_viewer (viewer of the
    university: not a reviewer), outsider (editor of Roma Capitale), coordinator, anonymous."""
    from django.contrib.auth.models import AnonymousUser

    def member(organisation: str, role: str, **user: Any):
        return MembershipFactory(organisation=orgs[organisation], role=role, user=UserFactory(**user)).user

    return {
        "proposer": member("aglie", Membership.Role.EDITOR, first_name="Paola"),
        "colleague": member("aglie", Membership.Role.ADMIN),
        "viewer": member("aglie", Membership.Role.VIEWER),
        "reviewer": member("university", Membership.Role.EDITOR, first_name="Rita", last_name="Revisori"),
        "csv_reviewer": member("csv", Membership.Role.EDITOR),
        "university_viewer": member("university", Membership.Role.VIEWER),
        "outsider": member("roma", Membership.Role.EDITOR),
        "coordinator": UserFactory(is_lab_coordinator=True),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def content(places, domains, orgs) -> services.PracticeData:
    """A complete practice in Agliè, answering ageing, with a partner and a consenting contact."""
    return services.PracticeData(
        title="Portierato di comunità",
        summary="Un punto di ascolto per gli anziani soli.",
        territory=places["aglie"],
        need_domains=[domains["invecchiamento_non_autosufficienza"]],
        owner_organisation=orgs["aglie"],
        problem="Molti anziani vivono soli e isolati.",
        actions="Volontari del quartiere telefonano ogni settimana agli anziani.",
        start_year=2022,
        partners=[
            services.PartnerData(name="Associazione Ponte", kind="ets", organisation=orgs["ets"]),
            services.PartnerData(name="Farmacia del paese", kind="sanita", contribution="Segnala i casi."),
        ],
        contacts=[
            services.ContactData(
                name="Anna Verdi", role="Assistente sociale", email="anna@example.org", consent=True
            ),
            services.ContactData(name="Bruno Neri", email="bruno@example.org", consent=False),
        ],
    )


@pytest.fixture
def make_practice(people, content):
    """make_practice(status="published", **changes): a practice proposed by `proposer` and taken to `status`."""

    def make(status: str = Practice.Status.PUBLISHED, **changes: Any) -> Practice:
        practice = services.practice_propose(proposer=people["proposer"], data=replace(content, **changes))
        if status in (Practice.Status.IN_REVIEW, Practice.Status.PUBLISHED, Practice.Status.RETURNED):
            services.practice_start_review(practice=practice, reviewer=people["reviewer"])
        if status == Practice.Status.PUBLISHED:
            services.practice_publish(practice=practice, reviewer=people["reviewer"])
        if status == Practice.Status.RETURNED:
            services.practice_return(practice=practice, reviewer=people["reviewer"], comment="Add the costs.")
        practice.refresh_from_db()
        return practice

    return make


def event_actions(practice: Practice) -> list[tuple[str, str, str]]:
    return list(
        PracticeEvent.objects.filter(practice=practice)
        .order_by("created_at", "pk")
        .values_list("action", "from_status", "to_status")
    )
