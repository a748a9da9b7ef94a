"""GET /api/v1/organisations, GET and PATCH /api/v1/organisations/{id}, through HTTP."""

from __future__ import annotations

import csv
import io
import typing

import openpyxl
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Field
from django.test import Client
from django.utils.translation import gettext

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.accounts.models import Membership
from welfarelab.accounts.permissions import NOT_YOURS
from welfarelab.api.v1.organisations import NAME_CANNOT_BE_CLEARED, LegalForm, OrganisationKind
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.services import LEGAL_FORM_ONLY_FOR_ETS

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/organisations"


def detail_url(organisation: Organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}"


def stored(organisation: Organisation) -> dict[str, object]:
    """Every column of the organisation as the database holds it now."""
    organisation.refresh_from_db()
    return {
        field.attname: getattr(organisation, field.attname) for field in Organisation._meta.concrete_fields
    }


def patch(client: Client, organisation: Organisation, data: dict[str, object]):
    return client.patch(detail_url(organisation), data=data, content_type="application/json")


@pytest.fixture
def comuni_bodies(italy):
    """The Comune di Agliè (public) and the Comune di Roma, each the body of its comune."""
    aglie = OrganisationFactory(
        kind=Organisation.Kind.COMUNE,
        name="Comune di Agliè",
        territory=italy["aglie"],
        tax_code="83001350013",
    )
    roma = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Roma", territory=italy["roma"])
    return {"aglie": aglie, "roma": roma}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member_of(organisation: Organisation, role: str) -> Client:
    return signed_in(MembershipFactory(organisation=organisation, role=role).user)


def test_the_choices_of_the_api_are_the_choices_of_the_model():
    assert list(typing.get_args(OrganisationKind)) == Organisation.Kind.values
    assert list(typing.get_args(LegalForm)) == Organisation.LegalForm.values


# --- list -------------------------------------------------------------------------------------------


def test_anonymous_list_holds_public_organisations_by_name(api_client, comuni_bodies):
    # given
    OrganisationFactory(name="Associazione nascosta", is_public=False)
    anffas = OrganisationFactory(
        name="Anffas Roma", territory=comuni_bodies["roma"].territory, runts_id="123"
    )
    # when
    response = api_client.get(LIST_URL)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "page": 1,
        "pages": 1,
        "results": [
            {
                "id": anffas.pk,
                "kind": "ets",
                "name": "Anffas Roma",
                "legal_form": "aps",
                "runts_id": "123",
                "tax_code": None,
                "territory_kind": "comune",
                "territory_code": "058091",
                "territory_name": "Roma",
                "website": None,
                "email": None,
                "is_public": True,
            },
            {
                "id": comuni_bodies["aglie"].pk,
                "kind": "comune",
                "name": "Comune di Agliè",
                "legal_form": None,
                "runts_id": None,
                "tax_code": "83001350013",
                "territory_kind": "comune",
                "territory_code": "001001",
                "territory_name": "Agliè",
                "website": None,
                "email": None,
                "is_public": True,
            },
            {
                "id": comuni_bodies["roma"].pk,
                "kind": "comune",
                "name": "Comune di Roma",
                "legal_form": None,
                "runts_id": None,
                "tax_code": None,
                "territory_kind": "comune",
                "territory_code": "058091",
                "territory_name": "Roma",
                "website": None,
                "email": None,
                "is_public": True,
            },
        ],
    }


def test_member_also_lists_its_own_unlisted_organisation(italy):
    # given
    hidden = OrganisationFactory(name="Associazione nascosta", is_public=False)
    OrganisationFactory(name="Altra nascosta", is_public=False)
    client = member_of(hidden, Membership.Role.VIEWER)
    # when
    response = client.get(LIST_URL)
    # then
    assert [row["name"] for row in response.json()["results"]] == ["Associazione nascosta"]
    assert response.json()["results"][0]["is_public"] is False


def test_coordinator_lists_every_organisation(italy):
    OrganisationFactory(name="Associazione nascosta", is_public=False)
    OrganisationFactory(name="Altra nascosta", is_public=False)

    response = signed_in(UserFactory(is_lab_coordinator=True)).get(LIST_URL)

    assert [row["name"] for row in response.json()["results"]] == ["Altra nascosta", "Associazione nascosta"]


def test_list_filters_by_kind_comune_and_search(api_client, comuni_bodies):
    # given
    roma = comuni_bodies["roma"].territory
    OrganisationFactory(name="Anffas Roma", territory=roma)
    OrganisationFactory(name="Caritas Città di Roma", territory=roma)
    OrganisationFactory(name="Caritas Torino")
    # when
    response = api_client.get(LIST_URL, {"kind": "ets", "territory": "058091", "search": "CITTA"})
    # then
    assert [row["name"] for row in response.json()["results"]] == ["Caritas Città di Roma"]


def test_search_finds_a_tax_code(api_client, comuni_bodies):
    response = api_client.get(LIST_URL, {"search": "83001350013"})

    assert [row["name"] for row in response.json()["results"]] == ["Comune di Agliè"]


def test_unknown_comune_is_404_naming_it(api_client, comuni_bodies):
    response = api_client.get(LIST_URL, {"territory": "999999"})

    assert response.status_code == 404
    assert response.json() == {"detail": "No comune with code '999999'."}


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"territory": "58091"}, ["query", "territory"]),
        ({"kind": "partito"}, ["query", "kind"]),
        ({"page": -1}, ["query", "page"]),
        ({"format": "ods"}, ["query", "format"]),
    ],
)
def test_bad_parameters_are_422(api_client, comuni_bodies, params, loc):
    response = api_client.get(LIST_URL, params)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_list_costs_two_queries_for_anonymous_visitors(api_client, italy, django_assert_max_num_queries):
    for n in range(30):
        OrganisationFactory(name=f"Associazione {n:02d}", territory=italy["roma"])

    with django_assert_max_num_queries(2):  # one count, one page with the territories joined
        response = api_client.get(LIST_URL, {"page_size": 30})

    assert len(response.json()["results"]) == 30


def test_list_costs_three_queries_for_a_member(italy, django_assert_max_num_queries):
    for n in range(30):
        OrganisationFactory(name=f"Associazione {n:02d}", territory=italy["roma"])
    client = member_of(OrganisationFactory(is_public=False), Membership.Role.VIEWER)

    with django_assert_max_num_queries(5):  # session and user, memberships, count, page
        response = client.get(LIST_URL, {"page_size": 50})

    assert response.json()["count"] == 31


def test_page_after_the_last_is_404(api_client, comuni_bodies):
    response = api_client.get(LIST_URL, {"page": 2})

    assert response.status_code == 404
    assert response.json() == {"detail": "Page 2 does not exist: the last page is 1."}


def test_csv_and_xlsx_hold_what_the_user_may_see(api_client, comuni_bodies):
    # given
    OrganisationFactory(name="Associazione nascosta", is_public=False)
    OrganisationFactory(name='=HYPERLINK("http://evil.example")', website="https://example.org")
    header = [
        "id",
        "kind",
        "name",
        "legal_form",
        "runts_id",
        "tax_code",
        "territory_kind",
        "territory_code",
        "territory_name",
        "website",
        "email",
        "is_public",
    ]
    # when
    as_csv = api_client.get(LIST_URL, {"format": "csv", "kind": "comune"})
    as_xlsx = api_client.get(LIST_URL, {"format": "xlsx"})
    # then
    assert as_csv["Content-Disposition"] == 'attachment; filename="organisations.csv"'
    assert list(csv.reader(io.StringIO(as_csv.content.decode("utf-8")))) == [
        header,
        [
            str(comuni_bodies["aglie"].pk),
            "comune",
            "Comune di Agliè",
            "",
            "",
            "83001350013",
            "comune",
            "001001",
            "Agliè",
            "",
            "",
            "true",
        ],
        [
            str(comuni_bodies["roma"].pk),
            "comune",
            "Comune di Roma",
            "",
            "",
            "",
            "comune",
            "058091",
            "Roma",
            "",
            "",
            "true",
        ],
    ]
    assert as_xlsx["Content-Disposition"] == 'attachment; filename="organisations.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(header)
    assert [row[2] for row in rows[1:]] == [
        "Comune di Agliè",
        "Comune di Roma",
        '=HYPERLINK("http://evil.example")',
    ]
    assert sheet["C4"].data_type == "s"  # text, never a formula


@pytest.mark.parametrize("params", [{}, {"kind": "comune"}, {"search": "roma"}])
def test_download_holds_what_the_json_pages_hold(comuni_bodies, params):
    # given: a coordinator sees unlisted organisations too
    OrganisationFactory(
        name="Anffas Roma", territory=comuni_bodies["roma"].territory, runts_id="123", email="a@b.example"
    )
    OrganisationFactory(name="Associazione nascosta", is_public=False, tax_code="97123450580")
    client = signed_in(UserFactory(is_lab_coordinator=True))
    # when
    page = client.get(LIST_URL, {**params, "page_size": 1000}).json()
    download = client.get(LIST_URL, {**params, "format": "xlsx"})
    # then
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    header, values = rows[0], rows[1:]
    assert [dict(zip(header, row, strict=True)) for row in values] == page["results"]
    assert len(values) == page["count"] > 0


# --- detail -----------------------------------------------------------------------------------------


def test_detail_of_a_public_organisation(api_client, italy):
    # given
    organisation = OrganisationFactory(
        name="Anffas Roma",
        territory=italy["roma"],
        description="Famiglie di persone con disabilità.",
        website="https://anffas.example",
        email="info@anffas.example",
        source=Organisation.Source.FIVE_PER_MILLE,
        five_per_mille_choices=1200,
        five_per_mille_amount="25432.10",
    )
    organisation.refresh_from_db()
    # when
    response = api_client.get(detail_url(organisation))
    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": organisation.pk,
        "kind": "ets",
        "name": "Anffas Roma",
        "legal_form": "aps",
        "runts_id": None,
        "tax_code": None,
        "territory_kind": "comune",
        "territory_code": "058091",
        "territory_name": "Roma",
        "website": "https://anffas.example",
        "email": "info@anffas.example",
        "is_public": True,
        "description": "Famiglie di persone con disabilità.",
        "source": "5x1000_2022",
        "five_per_mille_choices": 1200,
        "five_per_mille_amount": 25432.1,
        "updated_at": DjangoJSONEncoder().default(organisation.updated_at),
    }


def test_unlisted_organisation_is_404_for_others(api_client, italy):
    hidden = OrganisationFactory(is_public=False)

    anonymous = api_client.get(detail_url(hidden))
    other_member = member_of(OrganisationFactory(), Membership.Role.ADMIN).get(detail_url(hidden))

    assert anonymous.status_code == other_member.status_code == 404
    assert anonymous.json() == {"detail": gettext("Not found.")}


def test_unlisted_organisation_is_seen_by_its_viewer(italy):
    hidden = OrganisationFactory(is_public=False)

    response = member_of(hidden, Membership.Role.VIEWER).get(detail_url(hidden))

    assert response.status_code == 200
    assert response.json()["id"] == hidden.pk


def test_missing_organisation_is_404_and_a_bad_id_422(api_client, italy):
    assert api_client.get("/api/v1/organisations/987654").status_code == 404
    assert api_client.get("/api/v1/organisations/abc").status_code == 422
    assert api_client.get(f"/api/v1/organisations/{2**64}").status_code == 422


# --- change -----------------------------------------------------------------------------------------


def test_editor_changes_its_own_organisation(comuni_bodies):
    # given
    organisation = comuni_bodies["aglie"]
    client = member_of(organisation, Membership.Role.EDITOR)
    # when
    response = patch(
        client,
        organisation,
        {
            "name": "  Comune di Agliè (TO) ",
            "website": "https://www.comune.aglie.to.it",
            "email": None,
        },
    )
    # then
    assert response.status_code == 200
    assert response.json()["name"] == "Comune di Agliè (TO)"
    assert response.json()["website"] == "https://www.comune.aglie.to.it"
    organisation.refresh_from_db()
    assert organisation.name == "Comune di Agliè (TO)"
    assert organisation.name_folded == "comune di aglie to"
    assert organisation.website == "https://www.comune.aglie.to.it"
    assert organisation.tax_code == "83001350013"  # untouched


def test_coordinator_changes_any_organisation(comuni_bodies):
    organisation = comuni_bodies["roma"]

    response = patch(
        signed_in(UserFactory(is_lab_coordinator=True)), organisation, {"description": "Capitale."}
    )

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.description == "Capitale."


def test_editor_of_an_ets_sets_its_legal_form(italy):
    organisation = OrganisationFactory(legal_form=Organisation.LegalForm.APS)

    response = patch(member_of(organisation, Membership.Role.ADMIN), organisation, {"legal_form": "odv"})

    assert response.status_code == 200
    assert response.json()["legal_form"] == "odv"


def test_viewer_may_not_change_its_organisation(comuni_bodies):
    # given
    organisation = comuni_bodies["aglie"]
    before = stored(organisation)
    # when
    response = patch(member_of(organisation, Membership.Role.VIEWER), organisation, {"name": "Preso"})
    # then
    assert response.status_code == 403
    assert response.json() == {"detail": str(NOT_YOURS)}
    assert stored(organisation) == before


def test_comune_may_not_change_another_comune_it_sees(comuni_bodies):
    # given: an editor of the Comune di Agliè, and the public Comune di Roma
    client = member_of(comuni_bodies["aglie"], Membership.Role.EDITOR)
    roma = comuni_bodies["roma"]
    before = stored(roma)
    # when
    response = patch(client, roma, {"name": "Comune di Agliè bis"})
    # then
    assert response.status_code == 403
    assert response.json() == {"detail": str(NOT_YOURS)}
    assert stored(roma) == before


def test_comune_may_not_change_another_comune_it_cannot_see(comuni_bodies):
    # given: the Comune di Roma is not listed in the public directory
    client = member_of(comuni_bodies["aglie"], Membership.Role.EDITOR)
    roma = comuni_bodies["roma"]
    Organisation.objects.filter(pk=roma.pk).update(is_public=False)
    before = stored(roma)
    # when
    response = patch(client, roma, {"name": "Comune di Agliè bis"})
    # then: as if it did not exist
    assert response.status_code == 404
    assert stored(roma) == before


def test_anonymous_change_is_401(api_client, comuni_bodies):
    organisation = comuni_bodies["aglie"]
    before = stored(organisation)

    response = patch(api_client, organisation, {"name": "Preso"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert stored(organisation) == before


def test_change_without_csrf_token_is_refused(comuni_bodies):
    # given
    organisation = comuni_bodies["aglie"]
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = stored(organisation)
    # when
    refused = patch(client, organisation, {"name": "Preso"})
    # then
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert stored(organisation) == before


def test_change_with_csrf_token_is_accepted(comuni_bodies):
    organisation = comuni_bodies["aglie"]
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    client.cookies["csrftoken"] = "a" * 32

    response = client.patch(
        detail_url(organisation),
        data={"description": "Servizi sociali"},
        content_type="application/json",
        headers={"X-CSRFToken": "a" * 32},
    )

    assert response.status_code == 200
    assert response.json()["description"] == "Servizi sociali"


@pytest.mark.parametrize(
    ("data", "loc", "msg"),
    [
        ({"email": "not an email"}, ["body", "email"], EmailValidator.message),
        ({"website": "www.example.org"}, ["body", "website"], URLValidator.message),
        ({"name": "   "}, ["body", "name"], Field.default_error_messages["blank"]),
        ({"name": None}, ["body", "payload", "name"], f"Value error, {NAME_CANNOT_BE_CLEARED}"),
        ({"name": ""}, ["body", "payload", "name"], "String should have at least 1 character"),
        ({"legal_form": "spa"}, ["body", "payload", "legal_form"], None),  # pydantic lists the choices
        ({"is_public": False}, ["body", "payload", "is_public"], "Extra inputs are not permitted"),
        ({"tax_code": "X"}, ["body", "payload", "tax_code"], "Extra inputs are not permitted"),
    ],
)
def test_invalid_change_is_422_naming_the_field_and_changes_nothing(comuni_bodies, data, loc, msg):
    # given
    organisation = comuni_bodies["aglie"]
    client = member_of(organisation, Membership.Role.EDITOR)
    before = stored(organisation)
    # when
    response = patch(client, organisation, {"description": "Nuova descrizione.", **data})
    # then
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    if msg is not None:
        assert error["msg"] == str(msg)
    assert stored(organisation) == before


def test_legal_form_of_a_public_body_is_422(comuni_bodies):
    organisation = comuni_bodies["aglie"]
    before = stored(organisation)

    response = patch(member_of(organisation, Membership.Role.EDITOR), organisation, {"legal_form": "odv"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "invalid", "loc": ["body", "legal_form"], "msg": str(LEGAL_FORM_ONLY_FOR_ETS)}]
    }
    assert stored(organisation) == before


def test_empty_change_changes_nothing(comuni_bodies):
    organisation = comuni_bodies["aglie"]
    before = stored(organisation)

    response = patch(member_of(organisation, Membership.Role.EDITOR), organisation, {})

    assert response.status_code == 200
    assert stored(organisation) == before  # not even updated_at
