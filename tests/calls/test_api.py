"""API: /api/v1/calls (filters, downloads), one call, an organisation's matching calls."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.calls.conftest import CallFactory
from tests.factories import OrganisationFactory
from welfarelab.calls.models import OrganisationProfile, Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(places):
    now = dt.datetime.now(dt.UTC)
    youth = CallFactory(
        title="Giovani in Veneto",
        themes=["politiche-giovanili"],
        applicants=["aps", "odv"],
        places=[places["veneto"]],
        max_grant=30000,
        cofinancing_percent=10,
    )
    national = CallFactory(
        title="Nazionale per tutti", themes=["politiche-giovanili", "sport"], applicants=["aps"]
    )
    lombardy = CallFactory(
        title="Solo Lombardia",
        themes=["politiche-giovanili"],
        applicants=["aps"],
        places=[places["milano_provincia"]],
    )
    closed = CallFactory(
        title="Chiuso",
        applicants=["aps"],
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=2),
    )
    return {"youth": youth, "national": national, "lombardy": lombardy, "closed": closed}


def test_the_issue_s_example_query(client, calls):
    response = client.get("/api/v1/calls?status=open&beneficiary=aps&region=05&theme=politiche-giovanili")

    body = response.json()
    assert response.status_code == 200
    assert [item["title"] for item in body["results"]] == ["Giovani in Veneto", "Nazionale per tutti"]
    first = body["results"][0]
    assert first["status"] == "open" and first["regions"] == ["05"] and first["provinces"] == []
    assert first["beneficiaries"] == ["aps", "odv"] and first["max_grant"] == 30000.0
    assert first["closes_at"].endswith(("+01:00", "+02:00"))


def test_downloads_hold_the_same_items(client, calls):
    page = client.get("/api/v1/calls?status=all").json()["results"]
    as_csv = client.get("/api/v1/calls?status=all&format=csv")
    as_xlsx = client.get("/api/v1/calls?status=all&format=xlsx")

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [row["title"] for row in rows] == [item["title"] for item in page]
    assert rows[0]["themes"] == "; ".join(page[0]["themes"])
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["id", "title", "issuer"]
    assert sheet.max_row == len(page) + 1


def test_one_call_and_unknown_things(client, calls):
    detail = client.get(f"/api/v1/calls/{calls['youth'].pk}")

    assert detail.status_code == 200 and detail.json()["cofinancing_percent"] == 10.0
    assert client.get("/api/v1/calls/999999").status_code == 404
    assert client.get("/api/v1/calls?theme=astrologia").status_code == 404
    assert client.get("/api/v1/calls?region=99").status_code == 404
    assert client.get("/api/v1/calls?region=Veneto").status_code == 422
    assert client.get("/api/v1/calls?status=maybe").status_code == 422


def test_matching_calls_of_an_organisation_explain_themselves(client, calls, places):
    organisation = OrganisationFactory(legal_form="aps", territory=places["padova"])
    profile = OrganisationProfile.objects.create(organisation=organisation)
    profile.themes.set(Theme.objects.filter(slug="politiche-giovanili"))

    response = client.get(f"/api/v1/organisations/{organisation.pk}/matching-calls")

    body = response.json()
    assert response.status_code == 200
    assert [r["call"]["title"] for r in body["results"]] == ["Giovani in Veneto", "Nazionale per tutti"]
    first = body["results"][0]
    assert first["reason_codes"] == [
        "applicant_eligible",
        "territory_region",
        "themes_shared",
        "reserved_to_group",
    ]
    assert first["lack_codes"] == ["cofinancing_required"]
    assert first["score"] == 2 + 1 + 1 - 0.5
    download = client.get(f"/api/v1/organisations/{organisation.pk}/matching-calls?format=csv")
    assert download.status_code == 200 and "Giovani in Veneto" in download.content.decode()
    assert client.get("/api/v1/organisations/999999/matching-calls").status_code == 404


def test_the_organisation_routes_still_answer(client, places):
    organisation = OrganisationFactory(legal_form="aps", territory=places["padova"])

    assert client.get(f"/api/v1/organisations/{organisation.pk}").json()["id"] == organisation.pk
