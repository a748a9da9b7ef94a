"""GET /api/v1/practices and /api/v1/practices/{slug}: only published practices, the list's filters,
the downloads, and the values the schema promises."""

from __future__ import annotations

import csv
import io
import typing

import openpyxl
import pytest
from django.test import Client

from tests.factories import IndicatorFactory
from welfarelab.api.v1.practices import AttachmentKind, Funding, Licence, PartnerKind, PartnerRole
from welfarelab.indicators.models import Observation
from welfarelab.practices import services
from welfarelab.practices.models import Practice, PracticeAttachment, PracticePartner

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/practices"


@pytest.fixture
def published(make_practice, places, domains):
    return {
        "aglie": make_practice(title="Portierato di comunità"),
        "roma": make_practice(
            title="Emporio solidale",
            territory=places["roma"],
            need_domains=[domains["poverta_inclusione"]],
            summary="Spesa a punti per le famiglie.",
            problem="Povertà.",
            actions="Un emporio.",
            total_cost=None,
        ),
    }


def test_the_literals_are_the_models_choices():
    assert set(typing.get_args(Licence)) == set(Practice.Licence.values)
    assert set(typing.get_args(PartnerKind)) == set(PracticePartner.Kind.values)
    assert set(typing.get_args(PartnerRole)) == set(PracticePartner.Role.values)
    assert set(typing.get_args(AttachmentKind)) == set(PracticeAttachment.Kind.values)
    assert set(typing.get_args(Funding)) == set(Practice.Funding.values)


def test_the_list_holds_only_published_practices(published, make_practice):
    make_practice(status=Practice.Status.PROPOSED, title="Proposta")
    make_practice(status=Practice.Status.RETURNED, title="Restituita")

    body = Client().get(LIST_URL).json()

    assert body["count"] == 2
    assert {item["slug"] for item in body["results"]} == {published["aglie"].slug, published["roma"].slug}
    item = next(i for i in body["results"] if i["slug"] == published["aglie"].slug)
    assert item | {"published_at": None} == {
        "slug": "portierato-di-comunita",
        "title": "Portierato di comunità",
        "summary": "Un punto di ascolto per gli anziani soli.",
        "is_example": False,
        "territory_kind": "comune",
        "territory_code": "001001",
        "territory_name": "Agliè",
        "regione_code": "01",
        "need_domains": ["invecchiamento_non_autosufficienza"],
        "start_year": 2022,
        "end_year": None,
        "total_cost": None,
        "funding_sources": [],
        "licence": "cc-by-4.0",
        "published_at": None,
        "url": "/buone-pratiche/portierato-di-comunita/",
    }


def test_the_list_filters_by_domain_territory_and_keywords(published):
    def slugs(**params) -> set[str]:
        response = Client().get(LIST_URL, params)
        assert response.status_code == 200, response.content
        return {item["slug"] for item in response.json()["results"]}

    assert slugs(need_domain="poverta_inclusione") == {published["roma"].slug}
    assert slugs(territory="regione:01") == {published["aglie"].slug}
    assert slugs(territory="provincia:058") == {published["roma"].slug}
    assert slugs(territory="comune:001001") == {published["aglie"].slug}
    assert slugs(territory="ambito:PIE01") == {published["aglie"].slug}  # Agliè is in it
    assert slugs(territory="italia:IT") == {published["aglie"].slug, published["roma"].slug}
    assert slugs(q="emporio famiglie") == {published["roma"].slug}
    assert slugs(q="emporio", territory="regione:01") == set()


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"need_domain": "astrologia"}, 404, "No need domain with code 'astrologia'."),
        ({"territory": "comune:999999"}, 404, None),
        ({"territory": "058091"}, 422, None),  # kind:code
        ({"territory": "quartiere:1"}, 422, None),
        ({"format": "pdf"}, 422, None),
        ({"page": 9}, 404, "Page 9 does not exist: the last page is 1."),
    ],
)
def test_bad_parameters(published, params, status, detail):
    response = Client().get(LIST_URL, params)

    assert response.status_code == status
    if detail:
        assert response.json() == {"detail": detail}


def test_downloads_hold_the_same_rows(published):
    page = Client().get(LIST_URL).json()["results"]
    as_csv = Client().get(LIST_URL, {"format": "csv"})
    as_xlsx = Client().get(LIST_URL, {"format": "xlsx"})

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [row["slug"] for row in rows] == [item["slug"] for item in page]
    assert rows[0].keys() == page[0].keys()
    roma = next(row for row in rows if row["slug"] == published["roma"].slug)
    assert (roma["need_domains"], roma["is_example"], roma["total_cost"]) == (
        "poverta_inclusione",
        "false",
        "",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == list(page[0].keys())
    assert sheet.max_row == 3


def test_one_practice_with_its_parts(make_practice, people, content, places):
    indicator = IndicatorFactory(code="anziani_seguiti", unit_it="%")
    Observation.objects.create(indicator=indicator, territory=places["aglie"], period=2021, value=12.5)
    from dataclasses import replace

    practice = services.practice_propose(
        proposer=people["proposer"],
        data=replace(
            content,
            evidence=[
                services.EvidenceData(
                    indicator=indicator,
                    territory=places["aglie"],
                    period_before=2021,
                    period_after=2023,
                    note="Dopo",
                )
            ],
            other_territories=[places["roma"]],
        ),
        attachments=[services.NewAttachment(title="Delibera", url="https://example.org/delibera.pdf")],
    )
    services.practice_start_review(practice=practice, reviewer=people["reviewer"])
    services.practice_publish(practice=practice, reviewer=people["reviewer"])

    body = Client().get(f"{LIST_URL}/{practice.slug}").json()

    assert body["problem"] == "Molti anziani vivono soli e isolati."
    assert body["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["other_territories"] == [{"kind": "comune", "code": "058091", "name": "Roma"}]
    assert [(p["name"], p["role"], p["kind"]) for p in body["partners"]] == [
        ("Comune di Agliè", "promoter", "ente_pubblico"),
        ("Associazione Ponte", "partner", "ets"),
        ("Farmacia del paese", "partner", "sanita"),
    ]
    assert body["contacts"] == [
        {"name": "Anna Verdi", "role": "Assistente sociale", "email": "anna@example.org", "phone": None}
    ]  # Bruno Neri did not agree
    assert body["evidence"] == [
        {
            "indicator_code": "anziani_seguiti",
            "indicator_name": indicator.name_it,
            "unit": "%",
            "territory_kind": "comune",
            "territory_code": "001001",
            "period_before": 2021,
            "value_before": 12.5,
            "period_after": 2023,
            "value_after": None,
            "note": "Dopo",
        }
    ]
    assert body["attachments"] == [
        {"title": "Delibera", "kind": "link", "url": "https://example.org/delibera.pdf", "size": None}
    ]


@pytest.mark.parametrize(
    "status", [Practice.Status.PROPOSED, Practice.Status.IN_REVIEW, Practice.Status.RETURNED]
)
def test_an_unpublished_practice_is_404_even_for_its_coordinator(make_practice, people, status):
    practice = make_practice(status=status)
    client = Client()
    client.force_login(people["coordinator"])

    response = client.get(f"{LIST_URL}/{practice.slug}")

    assert response.status_code == 404
    assert response.json() == {"detail": f"No published practice '{practice.slug}'."}
    assert client.get(LIST_URL).json()["count"] == 0
