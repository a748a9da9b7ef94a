"""The indicators of all Italy through the API, checked against the bundled files read independently."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from django.conf import settings

pytestmark = [pytest.mark.national, pytest.mark.usefixtures("national")]

VALUES = "/api/v1/indicators/old_age_index/values"


@pytest.fixture(scope="module")
def population_2023() -> pl.DataFrame:
    """65+ and 0–14 residents of every code of the source file, straight from the CSV (not the database)."""
    wide = pl.read_csv(
        settings.WELFARELAB_DATA_DIR / "istat/popolazione_eta_sesso_comuni_2022_2023.csv.gz",
        infer_schema=False,
    ).filter(pl.col("anno") == "2023")
    ages = [c for c in wide.columns if c.startswith("a") and c[1:].isdigit()]
    old = pl.sum_horizontal(pl.col(c).cast(pl.Int64) for c in ages if int(c[1:]) >= 65)
    young = pl.sum_horizontal(pl.col(c).cast(pl.Int64) for c in ages if int(c[1:]) <= 14)
    return wide.group_by("codice_comune").agg(old=old.sum(), young=young.sum())


def test_old_age_index_of_italy_agrees_with_the_population_file_to_the_last_digit(client, population_2023):
    body = client.get(VALUES, {"kind": "italia", "period": 2023}).json()
    italy = body["results"][0]
    old, young = population_2023["old"].sum(), population_2023["young"].sum()
    assert (italy["numerator"], italy["denominator"]) == (old, young)
    assert italy["value"] == old / young * 100
    assert round(italy["value"], 1) == 193.3  # ISTAT's published old-age index at 1 January 2023


def test_old_age_index_of_every_comune_agrees_with_the_population_file(client, population_2023):
    response = client.get(VALUES, {"kind": "comune", "period": 2023, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = {
        row["codice_comune"]: (row["old"], row["young"]) for row in population_2023.iter_rows(named=True)
    }
    assert len(rows) == 7_899 - 3  # the three comuni without population rows have no value
    for row in rows:
        old, young = expected[row["territory_code"]]
        assert (float(row["numerator"]), float(row["denominator"])) == (old, young), row["territory_code"]
        assert float(row["value"]) == old / young * 100, row["territory_code"]


def test_income_indicators_cover_every_comune_and_sum_up_to_italy(client):
    body = client.get("/api/v1/indicators/taxpayers_per_100/values", {"kind": "italia"}).json()
    italy = body["results"][0]
    irpef = pl.read_csv(settings.WELFARELAB_DATA_DIR / "mef/irpef_comuni_2021.csv", infer_schema=False)
    without_residents = ["081025", "099030", "099031"]  # no population rows: no denominator to sum
    counted = irpef.filter(~pl.col("codice_comune").is_in(without_residents))
    # 41,497,318 in the file, less 2,959 of comuni merged in 2023 and 3,302 without a comune.
    assert counted["numero_contribuenti"].cast(pl.Int64).sum() - 2_959 - 3_302 == italy["numerator"]
    assert italy["origin"] == "aggregated"
    assert italy["coverage"] == pytest.approx(7_896 / 7_899)  # three comuni have no residents
    comuni = client.get("/api/v1/indicators/mean_taxable_income/values", {"kind": "comune"}).json()
    assert comuni["count"] == 7_899
