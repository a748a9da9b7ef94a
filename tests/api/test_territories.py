"""GET /api/v1/territories and /api/v1/territories/{kind}/{code}, through HTTP."""

from __future__ import annotations

import csv
import io
import typing

import openpyxl
import pytest

from tests.factories import add_population
from welfarelab.api.v1.territories import TerritoryKind
from welfarelab.territories.models import Territory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/territories"
ROMA_ROW = {
    "code": "058091",
    "kind": "comune",
    "name": "Roma",
    "regione_code": "12",
    "provincia_code": "058",
    "ambito_code": None,
}
AGLIE_ROW = {
    "code": "001001",
    "kind": "comune",
    "name": "Agliè",
    "regione_code": "01",
    "provincia_code": "001",
    "ambito_code": "PIE01",
}
FORLI_ROW = {
    "code": "040012",
    "kind": "comune",
    "name": "Forlì",
    "regione_code": None,
    "provincia_code": "040",
    "ambito_code": None,
}


def test_the_kinds_of_the_api_are_the_kinds_of_the_model():
    assert list(typing.get_args(TerritoryKind)) == Territory.Kind.values


def test_list_of_comuni_is_paginated_by_name_with_parents_and_population(api_client, italy):
    # given
    add_population(italy["roma"], year=2022, per_age=(1, 1))
    add_population(italy["roma"], year=2023, per_age=(10, 11))
    add_population(italy["aglie"], year=2023, per_age=(2, 3))
    # when
    response = api_client.get(LIST_URL, {"kind": "comune", "page_size": 2})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "page": 1,
        "pages": 2,
        "results": [
            {**AGLIE_ROW, "population_2023": 505},
            {**FORLI_ROW, "population_2023": None},  # no data: unknown, never 0
        ],
    }


def test_second_page_holds_the_rest(api_client, italy):
    response = api_client.get(LIST_URL, {"kind": "comune", "page_size": 2, "page": 2})

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "page": 2,
        "pages": 2,
        "results": [{**ROMA_ROW, "population_2023": None}],
    }


def test_page_after_the_last_one_is_404_naming_the_last_page(api_client, italy):
    response = api_client.get(LIST_URL, {"kind": "comune", "page_size": 2, "page": 3})

    assert response.status_code == 404
    assert response.json() == {"detail": "Page 3 does not exist: the last page is 2."}


def test_empty_list_has_one_empty_page(api_client, italy):
    response = api_client.get(LIST_URL, {"search": "zzzz"})

    assert response.status_code == 200
    assert response.json() == {"count": 0, "page": 1, "pages": 1, "results": []}


def test_list_without_kind_puts_larger_kinds_first(api_client, italy):
    response = api_client.get(LIST_URL, {"page_size": 5})

    assert [(row["kind"], row["code"]) for row in response.json()["results"]] == [
        ("italia", "IT"),
        ("regione", "12"),
        ("regione", "01"),
        ("provincia", "040"),
        ("provincia", "058"),
    ]


@pytest.mark.parametrize("search", ["forli", "FORLÌ", "Forlì", " forlì "])
def test_search_ignores_accents_and_case(api_client, italy, search):
    response = api_client.get(LIST_URL, {"kind": "comune", "search": search})

    assert response.json()["results"] == [{**FORLI_ROW, "population_2023": None}]


def test_search_without_kind_finds_provincia_before_comune(api_client, italy):
    response = api_client.get(LIST_URL, {"search": "roma"})

    assert [(row["kind"], row["code"]) for row in response.json()["results"]] == [
        ("provincia", "058"),
        ("comune", "058091"),
    ]


def test_search_finds_an_exact_code(api_client, italy):
    response = api_client.get(LIST_URL, {"search": "058091"})

    assert [row["code"] for row in response.json()["results"]] == ["058091"]


def test_list_costs_three_queries_whatever_the_page_size(api_client, italy, django_assert_max_num_queries):
    # given: every territory has residents, so a per-row query would show
    for territory in italy.values():
        add_population(territory, year=2023)
    # when / then: one count, one page, one sum of the residents of the page
    with django_assert_max_num_queries(3):
        response = api_client.get(LIST_URL, {"page_size": 100})
    assert response.json()["count"] == 10
    assert {row["population_2023"] for row in response.json()["results"]} == {2121}


def test_unknown_kind_is_422_naming_the_parameter(api_client, italy):
    response = api_client.get(LIST_URL, {"kind": "frazione"})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "kind"]
    assert error["type"] == "literal_error"


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"page": 0}, ["query", "page"]),
        ({"page": "two"}, ["query", "page"]),
        ({"page_size": 0}, ["query", "page_size"]),
        ({"page_size": 1001}, ["query", "page_size"]),
        ({"format": "pdf"}, ["query", "format"]),
        ({"search": "x" * 101}, ["query", "search"]),
    ],
)
def test_bad_parameters_are_422_naming_them(api_client, italy, params, loc):
    response = api_client.get(LIST_URL, params)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_search_with_a_nul_character_is_no_server_error(api_client, italy):
    response = api_client.get(LIST_URL, {"search": "ro\x00ma"})

    assert response.status_code == 200


def test_csv_holds_the_whole_filtered_list_not_one_page(api_client, italy):
    # given
    add_population(italy["roma"], year=2023, per_age=(10, 11))
    # when
    response = api_client.get(LIST_URL, {"kind": "comune", "format": "csv", "page_size": 1, "page": 2})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="territories-comune.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode("utf-8")))) == [
        ["code", "kind", "name", "regione_code", "provincia_code", "ambito_code", "population_2023"],
        ["001001", "comune", "Agliè", "01", "001", "PIE01", ""],
        ["040012", "comune", "Forlì", "", "040", "", ""],
        ["058091", "comune", "Roma", "12", "058", "", "2121"],
    ]


def test_xlsx_holds_the_whole_filtered_list_with_numbers_as_numbers(api_client, italy):
    # given
    add_population(italy["roma"], year=2023, per_age=(10, 11))
    # when
    response = api_client.get(LIST_URL, {"kind": "comune", "search": "o", "format": "xlsx"})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="territories-comune.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("code", "kind", "name", "regione_code", "provincia_code", "ambito_code", "population_2023"),
        ("040012", "comune", "Forlì", None, "040", None, None),
        ("058091", "comune", "Roma", "12", "058", None, 2121),
    ]


def test_export_of_every_kind_is_named_territories(api_client, italy):
    response = api_client.get(LIST_URL, {"format": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="territories.csv"'
    assert len(response.content.decode("utf-8").splitlines()) == 1 + 10


def test_export_costs_one_query(api_client, italy, django_assert_max_num_queries):
    for territory in italy.values():
        add_population(territory, year=2023)

    with django_assert_max_num_queries(1):
        response = api_client.get(LIST_URL, {"format": "xlsx"})

    assert response.status_code == 200


@pytest.mark.parametrize("params", [{}, {"kind": "comune"}, {"search": "ro"}])
def test_download_holds_what_the_json_pages_hold(api_client, italy, params):
    # given
    add_population(italy["roma"], year=2023)
    add_population(italy["lazio"], year=2023, per_age=(0, 0))  # known to be zero: 0, not empty
    # when
    page = api_client.get(LIST_URL, {**params, "page_size": 1000}).json()
    download = api_client.get(LIST_URL, {**params, "format": "xlsx"})
    # then
    rows = list(openpyxl.load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    header, values = rows[0], rows[1:]
    assert [dict(zip(header, row, strict=True)) for row in values] == page["results"]
    assert len(values) == page["count"] > 0


def test_detail_of_a_comune(api_client, italy):
    # given
    roma = italy["roma"]
    Territory.objects.filter(pk=roma.pk).update(
        area_km2=1287.36,
        cadastral_code="H501",
        province_abbreviation="RM",
        altimetric_zone=4,
        altitude_m=20,
        is_coastal=True,
        is_island=False,
        is_coastal_area=True,
        degurba=1,
        inner_area_class="A",
        inner_area_code_2020="058091",
        travel_minutes_to_hub=0.0,
        code_2026="058091",
        crosswalk_2026="stesso_comune",
        tax_code="02438750586",
    )
    add_population(roma, year=2022, per_age=(1, 2))
    add_population(roma, year=2023, per_age=(10, 11))
    # when
    response = api_client.get("/api/v1/territories/comune/058091")
    # then
    assert response.status_code == 200
    body = response.json()
    bands_2023 = body["population_by_age_band"].pop("2023")
    bands_2022 = body["population_by_age_band"].pop("2022")
    assert body == {
        "code": "058091",
        "kind": "comune",
        "name": "Roma",
        "area_km2": 1287.36,
        "comune": {
            "cadastral_code": "H501",
            "province_abbreviation": "RM",
            "altimetric_zone": 4,
            "altimetric_zone_label": str(Territory.AltimetricZone.COASTAL_HILL.label),
            "altitude_m": 20,
            "is_coastal": True,
            "is_island": False,
            "is_coastal_area": True,
            "degurba": 1,
            "degurba_label": str(Territory.Degurba.CITIES.label),
            "inner_area_class": "A",
            "inner_area_class_label": str(Territory.InnerAreaClass.A.label),
            "inner_area_code_2020": "058091",
            "travel_minutes_to_hub": 0.0,
            "code_2026": "058091",
            "crosswalk_2026": "stesso_comune",
            "crosswalk_2026_label": str(Territory.Crosswalk2026.SAME.label),
            "tax_code": "02438750586",
        },
        "parents": [
            {"kind": "italia", "code": "IT", "name": "Italia"},
            {"kind": "regione", "code": "12", "name": "Lazio"},
            {"kind": "provincia", "code": "058", "name": "Roma"},
        ],
        "members": None,
        "population_available": True,
        "population_total": {"2022": 303, "2023": 2121},
        "population_by_age_band": {},
    }
    assert [band["band"] for band in bands_2023] == [
        "0-2",
        "3-5",
        "6-14",
        "15-24",
        "25-44",
        "45-64",
        "65-74",
        "75-84",
        "85+",
    ]
    assert bands_2023[0] == {"band": "0-2", "males": 30, "females": 33, "total": 63}
    assert bands_2023[-1] == {"band": "85+", "males": 160, "females": 176, "total": 336}
    assert sum(band["total"] for band in bands_2023) == 2121
    assert bands_2022[0] == {"band": "0-2", "males": 3, "females": 6, "total": 9}


def test_comune_without_data_says_so_instead_of_zero(api_client, italy):
    response = api_client.get("/api/v1/territories/comune/001001")

    body = response.json()
    assert body["population_available"] is False
    assert body["population_total"] == {}
    assert body["population_by_age_band"] == {}
    assert body["comune"]["altimetric_zone"] is None
    assert body["comune"]["altimetric_zone_label"] is None
    assert body["comune"]["cadastral_code"] is None
    assert body["parents"] == [
        {"kind": "italia", "code": "IT", "name": "Italia"},
        {"kind": "regione", "code": "01", "name": "Piemonte"},
        {"kind": "provincia", "code": "001", "name": "Torino"},
        {"kind": "ambito", "code": "PIE01", "name": "Ambito di Ivrea"},
    ]


def test_detail_of_an_ambito_counts_its_comuni(api_client, italy):
    # given: a second comune of the ambito
    roma = italy["roma"]
    roma.ambito = italy["ambito"]
    roma.save(update_fields=["ambito"])
    # when
    response = api_client.get("/api/v1/territories/ambito/PIE01")
    # then
    body = response.json()
    assert body["members"] == {"kind": "comune", "count": 2}
    assert body["comune"] is None
    assert body["parents"] == [
        {"kind": "italia", "code": "IT", "name": "Italia"},
        {"kind": "regione", "code": "01", "name": "Piemonte"},
    ]


@pytest.mark.parametrize(
    ("kind", "code", "members"),
    [
        ("italia", "IT", {"kind": "regione", "count": 2}),
        ("regione", "12", {"kind": "provincia", "count": 1}),
        ("provincia", "058", {"kind": "comune", "count": 1}),
    ],
)
def test_detail_counts_the_members_of_every_larger_kind(api_client, italy, kind, code, members):
    response = api_client.get(f"/api/v1/territories/{kind}/{code}")

    assert response.status_code == 200
    assert response.json()["members"] == members


def test_unknown_code_is_404_naming_it(api_client, italy):
    response = api_client.get("/api/v1/territories/comune/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "No comune with code '999999'."}


def test_code_of_another_kind_is_404(api_client, italy):
    response = api_client.get("/api/v1/territories/provincia/058091")

    assert response.status_code == 404
    assert response.json() == {"detail": "No provincia with code '058091'."}


def test_unknown_kind_in_the_path_is_422(api_client, italy):
    response = api_client.get("/api/v1/territories/frazione/058091")

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["path", "kind"]]


def test_malformed_code_is_422(api_client, italy):
    response = api_client.get("/api/v1/territories/comune/%3Cscript%3E")

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["path", "code"]]
