"""API of indicators: catalogue, one indicator, values with filters and downloads."""

from __future__ import annotations

import csv
import io

import openpyxl
import polars as pl
import pytest

from welfarelab.indicators.catalogue import catalogue_load
from welfarelab.indicators.models import Indicator
from welfarelab.indicators.services import observations_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def values(italy):
    """share_65_plus reported for Agliè, Roma and Forlì in 2023; sums for their parents."""
    catalogue_load()
    indicator = Indicator.objects.get(code="share_65_plus")
    frame = pl.DataFrame(
        {
            "territory_id": [italy["aglie"].pk, italy["roma"].pk, italy["forli"].pk],
            "period": [2023, 2023, 2023],
            "numerator": [600.0, 650_000.0, 28_000.0],
            "denominator": [2_500.0, 2_750_000.0, 117_000.0],
        }
    )
    observations_store(indicator=indicator, frame=frame, batch=None)
    return italy


def test_the_catalogue_lists_every_published_indicator_with_its_metadata(api_client, db):
    catalogue_load()
    Indicator.objects.filter(code="mean_age").update(is_published=False)
    body = api_client.get("/api/v1/indicators", {"page_size": 100}).json()
    codes = [item["code"] for item in body["results"]]
    assert body["count"] == 17 and "mean_age" not in codes
    old_age = next(item for item in body["results"] if item["code"] == "old_age_index")
    assert old_age["statistic"] == "ratio" and old_age["multiplier"] == 100
    assert old_age["licence"] == "CC BY 4.0"


def test_the_catalogue_filters_by_need_domain(api_client, db):
    catalogue_load()
    body = api_client.get("/api/v1/indicators", {"domain": "poverta_inclusione"}).json()
    assert {item["code"] for item in body["results"]} == {
        "taxpayers_per_100",
        "mean_taxable_income",
        "low_income_taxpayers_share",
    }


def test_one_indicator_tells_its_interval_method_domains_and_periods(api_client, values):
    body = api_client.get("/api/v1/indicators/share_65_plus").json()
    assert body["interval_method"] == "wilson"
    assert body["numerator"] == "residenti di 65 anni e più"
    assert body["periods"] == [2023]
    assert {d["code"] for d in body["need_domains"]} == {"demografia", "invecchiamento_non_autosufficienza"}
    ratio = api_client.get("/api/v1/indicators/old_age_index").json()
    assert ratio["interval_method"] == "none" and ratio["periods"] == []


def test_unknown_indicator_is_404_with_its_code(api_client, db):
    response = api_client.get("/api/v1/indicators/no_such_thing/values")
    assert response.status_code == 404
    assert response.json() == {"detail": "No indicator with code 'no_such_thing'."}


def test_values_of_comuni_within_a_region_carry_numerator_denominator_and_limits(api_client, values):
    body = api_client.get(
        "/api/v1/indicators/share_65_plus/values", {"kind": "comune", "period": 2023, "within": "regione:12"}
    ).json()
    assert body["count"] == 1
    roma = body["results"][0]
    assert roma["territory_code"] == "058091" and roma["origin"] == "reported"
    assert (roma["numerator"], roma["denominator"]) == (650_000.0, 2_750_000.0)
    assert roma["value"] == pytest.approx(23.636364)
    assert roma["lower_95"] < roma["value"] < roma["upper_95"]


def test_italy_is_the_sum_of_its_comuni_numerators_and_denominators(api_client, values):
    body = api_client.get("/api/v1/indicators/share_65_plus/values", {"kind": "italia"}).json()
    italy = body["results"][0]
    assert italy["origin"] == "aggregated"
    assert (italy["numerator"], italy["denominator"]) == (678_600.0, 2_869_500.0)
    assert italy["value"] == pytest.approx(678_600 / 2_869_500 * 100)


def test_values_download_as_csv_and_xlsx_with_the_same_columns(api_client, values):
    params = {"kind": "comune", "period": 2023}
    response = api_client.get("/api/v1/indicators/share_65_plus/values", {**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["territory_code"] for row in rows] == ["001001", "040012", "058091"]
    assert rows[0]["numerator"] == "600.0"
    response = api_client.get("/api/v1/indicators/share_65_plus/values", {**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["territory_kind", "territory_code", "territory_name", "period", "value"]
    assert sheet.max_row == 4


@pytest.mark.parametrize("within", ["regione", "comune:058091", "regione:"])
def test_a_malformed_within_is_422(api_client, values, within):
    response = api_client.get("/api/v1/indicators/share_65_plus/values", {"within": within})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "within"]


def test_an_unknown_within_territory_is_404(api_client, values):
    response = api_client.get("/api/v1/indicators/share_65_plus/values", {"within": "regione:99"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No regione with code '99'."}
