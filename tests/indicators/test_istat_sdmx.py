"""ISTAT SDMX connector: real SDMX files read by sdmx1, areas mapped, one value per cell, one batch."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.factories import TerritoryFactory, make_italy_slice
from welfarelab.indicators.istat_sdmx import (
    SdmxError,
    area_lookup,
    nuts_frame,
    sdmx_area_names,
    sdmx_cells_check,
    sdmx_message_read,
    sdmx_message_table,
    sdmx_structure_read,
    sdmx_table_filter,
    sdmx_table_map_areas,
    territories_area_frame,
)
from welfarelab.indicators.models import ImportBatch, Indicator, Observation
from welfarelab.territories.models import Territory

SPECIMENS = Path(__file__).parent / "sdmx"
GENERIC = SPECIMENS / "22_289_generic.xml"
STRUCTURE_SPECIFIC = SPECIMENS / "22_289_structurespecific.xml"
JSON = SPECIMENS / "22_289_data.json"
STRUCTURE = SPECIMENS / "22_289_structure.xml"
DIMENSIONS = ("FREQ", "REF_AREA", "DATA_TYPE", "SEX", "AGE", "MARITAL_STATUS")
# Residents on 1 January of the years in the specimens (SEX=9, AGE=TOTAL).
RESIDENTS = {
    ("IT", 2022): 59_019_317,
    ("IT", 2023): 58_840_177,
    ("ITC1", 2022): 4_256_350,
    ("ITC1", 2023): 4_240_736,
    ("ITC11", 2022): 2_208_370,
    ("ITC11", 2023): 2_198_237,
    ("ITE4", 2022): 5_714_882,
    ("ITE4", 2023): 5_707_112,
    ("ITE43", 2022): 4_216_874,
    ("ITE43", 2023): 4_216_553,
    ("001001", 2022): 2_562,
    ("001001", 2023): 2_558,
    ("058091", 2022): 2_749_031,
    ("058091", 2023): 2_748_109,
}


def _cells(frame: pl.DataFrame) -> dict[tuple[str, int], float]:
    return {
        (area, period): value
        for area, period, value in frame.select("REF_AREA", "period", "value").iter_rows()
    }


def _indicator(**fields) -> Indicator:
    values = {
        "code": "residenti_sdmx",
        "name_it": "Residenti (ISTAT SDMX)",
        "definition_it": "Popolazione residente al 1° gennaio.",
        "polarity": "no_judgement",
        "statistic": Indicator.Statistic.ENUMERATION,
        "source": "ISTAT",
        "licence": "CC BY 4.0",
        "period_type": Indicator.PeriodType.JANUARY_FIRST,
        **fields,
    }
    return Indicator.objects.create(**values)


def _pull(*args: str, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("pull_istat", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# Reading the three formats -------------------------------------------------------------------------


def test_generic_data_is_read_into_one_row_per_observation():
    table = sdmx_message_table(sdmx_message_read(GENERIC))

    assert table.dimensions == DIMENSIONS
    assert table.frame.height == 9 * 3 * 2
    assert table.frame.schema["period"] == pl.Int16
    assert table.frame.schema["value"] == pl.Float64
    roma_2023 = table.frame.filter(
        (pl.col("REF_AREA") == "058091") & (pl.col("SEX") == "2") & (pl.col("TIME_PERIOD") == "2023")
    )
    assert roma_2023.select("FREQ", "DATA_TYPE", "AGE", "MARITAL_STATUS", "period", "value").row(0) == (
        "A",
        "JAN",
        "TOTAL",
        "99",
        2023,
        1_442_165.0,
    )


def test_structure_specific_data_with_its_dsd_and_sdmx_json_give_the_same_values():
    structure = sdmx_structure_read(STRUCTURE)
    specific = sdmx_message_table(sdmx_message_read(STRUCTURE_SPECIFIC, structure=structure))
    without_dsd = sdmx_message_table(sdmx_message_read(STRUCTURE_SPECIFIC))
    as_json = sdmx_message_table(sdmx_message_read(JSON))

    assert specific.dimensions == without_dsd.dimensions == as_json.dimensions == DIMENSIONS
    comuni = {cell: RESIDENTS[cell] for cell in RESIDENTS if cell[0] in {"001001", "058091"}}
    assert (
        _cells(
            sdmx_table_filter(specific, filters={"AGE": ["TOTAL"], "REF_AREA": ["001001", "058091"]}).frame
        )
        == comuni
    )
    assert _cells(as_json.frame) == comuni
    assert _cells(sdmx_table_filter(specific, filters={"AGE": ["Y0"]}).frame) == {
        ("ITE43", 2022): 27_800,
        ("ITE43", 2023): 26_906,
        ("001001", 2022): 18,
        ("001001", 2023): 8,
        ("058091", 2022): 18_194,
        ("058091", 2023): 17_511,
    }


def test_dates_as_time_periods_become_their_year(tmp_path):
    document = json.loads(JSON.read_text(encoding="utf-8"))
    document["structure"]["dimensions"]["observation"][0]["values"] = [
        {"id": "2022-01-01", "name": "2022-01-01"},
        {"id": "2023-01-01", "name": "2023-01-01"},
    ]
    dated = tmp_path / "dated.json"
    dated.write_text(json.dumps(document), encoding="utf-8")

    frame = sdmx_message_table(sdmx_message_read(dated)).frame

    assert frame.select("TIME_PERIOD", "period").unique().sort("period").rows() == [
        ("2022-01-01", 2022),
        ("2023-01-01", 2023),
    ]


def test_a_structure_message_is_not_taken_for_data():
    with pytest.raises(SdmxError, match="holds no SDMX data message"):
        sdmx_message_table(sdmx_message_read(STRUCTURE), name=STRUCTURE.name)


def test_the_code_lists_name_the_areas_in_italian():
    names = sdmx_area_names(sdmx_structure_read(STRUCTURE))

    assert (names["ITC"], names["ITE43"], names["001001"]) == ("Nord-ovest", "Roma", "Agliè")


# Choosing one series --------------------------------------------------------------------------------


def test_a_positional_key_and_filters_choose_the_series():
    table = sdmx_message_table(sdmx_message_read(GENERIC))

    by_key = sdmx_table_filter(table, key="A.001001+058091.JAN.9.TOTAL.99")
    by_filters = sdmx_table_filter(
        table, filters={"REF_AREA": ["001001", "058091"], "SEX": ["9"]}, start=2023
    )

    assert _cells(by_key.frame) == {
        cell: RESIDENTS[cell] for cell in RESIDENTS if cell[0] in {"001001", "058091"}
    }
    assert _cells(by_filters.frame) == {("001001", 2023): 2_558, ("058091", 2023): 2_748_109}


def test_a_key_with_the_wrong_number_of_parts_is_refused():
    table = sdmx_message_table(sdmx_message_read(GENERIC))

    with pytest.raises(SdmxError, match=r"has 3 part\(s\).*6 dimensions: FREQ\.REF_AREA\.DATA_TYPE"):
        sdmx_table_filter(table, key="A.058091.JAN")


def test_a_filter_on_an_unknown_dimension_is_refused():
    table = sdmx_message_table(sdmx_message_read(GENERIC))

    with pytest.raises(SdmxError, match="no dimension SESSO"):
        sdmx_table_filter(table, filters={"SESSO": ["9"]})


def test_several_observations_per_area_and_year_are_refused_naming_what_varies():
    table = sdmx_table_filter(sdmx_message_table(sdmx_message_read(GENERIC)), filters={"AGE": ["TOTAL"]})

    with pytest.raises(SdmxError) as refused:
        sdmx_cells_check(table)

    assert str(refused.value) == (
        "The data hold up to 3 observations for one area and year (e.g. 001001 in 2022): the dimensions "
        "SEX (1, 2, 9) still vary. Choose one value of each with --filter DIM=VALUE or --key."
    )


# Areas ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_istat_area_codes_map_to_our_territories_and_the_others_are_reported():
    places = make_italy_slice()
    table = sdmx_table_filter(sdmx_message_table(sdmx_message_read(GENERIC)), filters={"SEX": ["9"]})
    lookup = area_lookup(
        territories=territories_area_frame(), nuts=nuts_frame(data_dir=settings.WELFARELAB_DATA_DIR)
    )

    summary = sdmx_table_map_areas(table, lookup=lookup)

    mapped = dict(summary.mapped.select("REF_AREA", "territory_id").unique().iter_rows())
    assert mapped == {
        "IT": places["italia"].pk,
        "ITC1": places["piemonte"].pk,
        "ITC11": places["torino"].pk,
        "ITE4": places["lazio"].pk,
        "ITE43": places["roma_provincia"].pk,
        "001001": places["aglie"].pk,
        "058091": places["roma"].pk,
    }
    # Nord-ovest is no territory of ours; the comune of Torino is not in this test's list.
    assert (summary.unmapped_areas, summary.unmapped_rows) == (("001272", "ITC"), 4)


def _territories(rows: list[tuple[int, str, str, str, int | None, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=["territory_id", "kind", "code", "code_2026", "provincia_id", "regione_id"],
        orient="row",
    )


def test_a_nuts_code_names_a_territory_only_when_it_covers_exactly_its_comuni():
    territories = _territories(
        [
            (1, "regione", "01", "", None, None),
            (10, "provincia", "001", "", None, 1),
            (11, "provincia", "002", "", None, 1),
            (100, "comune", "001001", "", 10, 1),
            (101, "comune", "001002", "", 10, 1),
            (102, "comune", "002001", "", 11, 1),
            (103, "comune", "002002", "", 11, 1),
        ]
    )
    # ITC11 covers all of provincia 001; ITC12 only part of 002, whose other comune is in ITC13.
    nuts = pl.DataFrame(
        {
            "codice_comune": ["001001", "001002", "002001", "002002"],
            "nuts3_2024": ["ITC11", "ITC11", "ITC12", "ITC13"],
        }
    )

    lookup = dict(area_lookup(territories=territories, nuts=nuts).iter_rows())

    assert (lookup.get("ITC11"), lookup.get("ITC12"), lookup.get("ITC13"), lookup.get("ITC1")) == (
        10,
        None,
        None,
        1,
    )
    assert lookup["IT001"] == 10


def test_a_2026_code_names_a_comune_unless_a_merger_gave_it_to_several():
    territories = _territories(
        [
            (100, "comune", "111001", "090001", None, None),
            (101, "comune", "005079", "005122", None, None),
            (102, "comune", "005110", "005122", None, None),
        ]
    )
    nuts = pl.DataFrame({"codice_comune": ["090001"], "nuts3_2024": ["ITG2D"]})

    lookup = dict(area_lookup(territories=territories, nuts=nuts).iter_rows())

    assert (lookup["111001"], lookup["090001"], lookup["005079"]) == (100, 100, 101)
    assert "005122" not in lookup


# The command ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pull_istat_from_a_file_stores_one_batch_of_observations():
    places = make_italy_slice()
    indicator = _indicator()

    out, err = _pull(
        "22_289", "--file", str(GENERIC), "--key", "A..JAN.9.TOTAL.99", "--indicator", indicator.code
    )

    batch = ImportBatch.objects.get()
    assert (batch.origin, batch.source, batch.filename, batch.rows) == (
        ImportBatch.Origin.SDMX,
        "ISTAT SDMX 22_289 A..JAN.9.TOTAL.99",
        "22_289_generic.xml",
        14,
    )
    assert len(batch.sha256) == 64
    stored = {
        (
            o.territory.code if o.territory.kind != Territory.Kind.PROVINCIA else f"P{o.territory.code}",
            o.period,
        ): (
            o.value,
            o.numerator,
            o.origin,
            o.batch_id,
            o.source,
        )
        for o in Observation.objects.filter(indicator=indicator).select_related("territory")
    }
    assert stored[("058091", 2023)] == (2_748_109.0, 2_748_109.0, "reported", batch.pk, batch.source)
    assert stored[("P058", 2022)][0] == 4_216_874.0
    assert stored[(places["lazio"].code, 2023)][0] == 5_707_112.0
    assert stored[("IT", 2022)][0] == 59_019_317.0
    assert len(stored) == 14
    assert "stored (import batch" in out
    assert "001272, ITC" in err


@pytest.mark.django_db
def test_unmapped_areas_are_reported_and_kept_in_the_batch_note():
    make_italy_slice()
    indicator = _indicator()

    _out, err = _pull(
        "22_289",
        "--file",
        str(GENERIC),
        "--filter",
        "SEX=9",
        "--structure",
        str(STRUCTURE),
        "--indicator",
        indicator.code,
    )

    assert (
        "4 observation(s) of 2 area(s) with no territory, not stored: 001272 (Torino), ITC (Nord-ovest)"
        in err
    )
    assert (
        ImportBatch.objects.get().note
        == "4 observation(s) of areas with no territory, not stored: 001272, ITC."
    )


@pytest.mark.django_db
def test_pull_istat_reads_structure_specific_data_with_its_dsd_and_stores_again_in_place():
    places = make_italy_slice()
    indicator = _indicator()
    arguments = ["22_289", "--file", str(STRUCTURE_SPECIFIC), "--structure", str(STRUCTURE)]

    _pull(*arguments, "--filter", "AGE=TOTAL", "--start", "2023", "--indicator", indicator.code)
    _pull(*arguments, "--filter", "AGE=TOTAL", "--start", "2023", "--indicator", indicator.code)

    assert ImportBatch.objects.count() == 2
    assert sorted(
        Observation.objects.filter(indicator=indicator, origin="reported").values_list(
            "territory", "period", "value"
        )
    ) == sorted(
        [
            (places["roma_provincia"].pk, 2023, 4_216_553.0),
            (places["aglie"].pk, 2023, 2_558.0),
            (places["roma"].pk, 2023, 2_748_109.0),
        ]
    )


@pytest.mark.django_db
def test_a_dry_run_shows_the_values_and_writes_nothing():
    make_italy_slice()
    indicator = _indicator()

    out, _err = _pull("22_289", "--file", str(JSON), "--indicator", indicator.code, "--dry-run")

    assert "4 observation(s) of 2 territories, years 2022, 2023" in out
    assert "│ 058091   ┆ 2749031 ┆ 2748109 │" in out
    assert "Dry run: nothing was written." in out
    assert not ImportBatch.objects.exists()
    assert not Observation.objects.exists()


@pytest.mark.django_db
def test_several_series_per_cell_stop_the_command_before_anything_is_written():
    make_italy_slice()
    indicator = _indicator()

    with pytest.raises(CommandError, match=r"the dimensions SEX \(1, 2, 9\) still vary"):
        _pull("22_289", "--file", str(GENERIC), "--indicator", indicator.code)

    assert not ImportBatch.objects.exists()
    assert not Observation.objects.exists()


@pytest.fixture
def sdmx_stub():
    """ISTAT's web service on loopback: dataflow 22_289 answers with the generic specimen, others 404."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            if self.path.startswith("/SDMXWS/rest/data/22_289/"):
                body, status = GENERIC.read_bytes(), 200
                content_type = "application/vnd.sdmx.genericdata+xml; version=2.1"
            else:
                body, status, content_type = b"NoResultsFound", 404, "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/SDMXWS/rest", requests
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.django_db
def test_pull_istat_queries_the_web_service_and_stores_its_answer(sdmx_stub):
    url, requests = sdmx_stub
    places = make_italy_slice()
    indicator = _indicator()

    _pull(
        "22_289",
        "--key",
        "A..JAN.9.TOTAL.99",
        "--start",
        "2023",
        "--end",
        "2023",
        "--url",
        url,
        "--indicator",
        indicator.code,
    )

    assert requests == ["/SDMXWS/rest/data/22_289/A..JAN.9.TOTAL.99?startPeriod=2023&endPeriod=2023"]
    batch = ImportBatch.objects.get()
    assert (batch.filename, batch.sha256, batch.rows) == (
        "",
        hashlib.sha256(GENERIC.read_bytes()).hexdigest(),
        7,
    )
    assert Observation.objects.get(indicator=indicator, territory=places["roma"]).value == 2_748_109.0


@pytest.mark.django_db
def test_an_http_error_of_the_web_service_is_a_sentence_not_a_traceback(sdmx_stub):
    url, _requests = sdmx_stub
    indicator = _indicator()

    with pytest.raises(CommandError) as failed:
        _pull("99_999", "--url", url, "--indicator", indicator.code)

    assert str(failed.value) == (
        f"ISTAT's SDMX web service answered 404 for {url}/data/99_999: no such dataflow, or no data match "
        "the key and years."
    )
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_without_a_network_the_command_fails_cleanly_and_suggests_a_file():
    make_italy_slice()
    indicator = _indicator()
    # A port just freed on loopback: nothing listens there, so the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/SDMXWS/rest"

    with pytest.raises(CommandError) as failed:
        _pull("22_289", "--key", "A.058091.JAN.9.TOTAL.99", "--url", url, "--indicator", indicator.code)

    assert str(failed.value) == (
        f"Cannot reach ISTAT's SDMX web service at {url} (connection failed). Without a network, save the "
        "response of the query in a browser and pass it with --file PATH."
    )
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: None, "No indicator has the code 'residenti_sdmx'"),
        (lambda: _indicator(is_builtin=True), "residenti_sdmx is a built-in indicator"),
    ],
)
def test_only_an_existing_indicator_of_our_own_is_filled(make, message):
    make()
    TerritoryFactory(code="058091")

    with pytest.raises(CommandError, match=message):
        _pull("22_289", "--file", str(JSON), "--indicator", "residenti_sdmx")

    assert not ImportBatch.objects.exists()
