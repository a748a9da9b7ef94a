"""The Italia Domani table of PNRR calls imports as it is; a second import changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from decimal import Decimal

import pytest

from tests.calls.conftest import PNRR_FILE
from welfarelab.calls.importers.pnrr import SOURCE_NAME, applicants_from_text, themes_of
from welfarelab.calls.models import Call, CallChange, ImportRun
from welfarelab.calls.services import pnrr_import

pytestmark = pytest.mark.django_db

ROWS = 245


def _rows() -> tuple[list[str], list[dict[str, str]]]:
    text = gzip.decompress(PNRR_FILE.read_bytes()).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _write(path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def test_the_bundled_table_imports_every_row():
    run = pnrr_import()

    assert (run.state, run.added, run.changed, run.skipped, run.flagged) == (
        ImportRun.State.DONE,
        ROWS,
        0,
        0,
        0,
    )
    assert Call.objects.filter(source=Call.Source.CSV, source_name=SOURCE_NAME).count() == ROWS
    assert CallChange.objects.filter(action=CallChange.Action.CREATED).count() == ROWS


def test_a_row_is_mapped_to_the_fields():
    pnrr_import()

    call = Call.objects.get(source_name=SOURCE_NAME, source_id="88")  # Avviso 1/2022 for the ambiti
    assert call.issuer == "MINISTERO DEL LAVORO E POLITICHE SOCIALI"
    assert call.issuer_type == Call.IssuerType.MINISTRY
    assert sorted(call.themes.values_list("slug", flat=True)) == ["politiche-sociali"]
    assert list(call.eligible_applicants.values_list("slug", flat=True)) == ["ambito"]
    assert call.eligibility_notes == "Ambiti territoriali sociali"
    assert call.total_budget == Decimal("500100000.00")
    rome = dt.timezone(dt.timedelta(hours=1))  # CET in March
    assert call.opens_at == dt.datetime(2022, 3, 1, 0, 0, tzinfo=rome)
    assert call.closes_at == dt.datetime(2022, 4, 1, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert call.source_status == "Aggiudicato (al 23/05/2022)" and not call.closed_early
    assert call.source_data["codice_submisura"] == "M5C2I1.01.02"
    assert not call.territories.exists()  # all Italy


def test_a_call_the_source_says_is_over_before_its_deadline_is_closed_early():
    pnrr_import()

    # "Chiuso" when observed on 24/01/2023, though its deadline was 10/02/2023.
    over = Call.objects.get(source_name=SOURCE_NAME, source_id="151")
    ended = Call.objects.get(source_name=SOURCE_NAME, source_id="213")  # "Chiuso" after its deadline
    running = Call.objects.get(source_name=SOURCE_NAME, source_id="129")  # Smart&Start, "In corso", no date
    assert over.closed_early and over.status_at(dt.datetime(2023, 2, 1, tzinfo=dt.UTC)) == Call.Status.CLOSED
    assert (
        not ended.closed_early
        and ended.status_at(dt.datetime(2022, 12, 1, tzinfo=dt.UTC)) == Call.Status.OPEN
    )
    assert running.closes_at is None and not running.closed_early and running.status == Call.Status.OPEN
    assert running.procedure == ""
    assert Call.objects.get(source_name=SOURCE_NAME, source_id="198").procedure == Call.Procedure.FIRST_COME


def test_several_links_give_the_page_and_attachments():
    pnrr_import()

    call = Call.objects.get(source_name=SOURCE_NAME, source_id="53")
    assert call.url == "https://dait.interno.gov.it/documenti/decreto_fl_02-04-2021.pdf"
    assert list(call.attachments.values_list("url", flat=True)) == [
        "https://dait.interno.gov.it/finanza-locale/documentazione/decreto-4-aprile-2022"
    ]


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    pnrr_import()
    updated = dict(Call.objects.values_list("pk", "updated_at"))
    history = CallChange.objects.count()

    second = pnrr_import()

    assert (second.added, second.changed, second.unchanged, second.flagged, second.skipped) == (
        0,
        0,
        ROWS,
        0,
        0,
    )
    assert dict(Call.objects.values_list("pk", "updated_at")) == updated
    assert CallChange.objects.count() == history
    assert ImportRun.objects.count() == 2  # the second run is logged all the same


def test_a_broken_row_is_reported_and_skipped_and_the_rest_goes_on(tmp_path):
    header, rows = _rows()
    rows[9]["data_apertura"] = "31/02/2022"
    rows[9]["data_apertura_iso"] = ""
    rows[20]["numero_seriale"] = ""
    path = tmp_path / "pnrr.csv"
    _write(path, header, rows)

    run = pnrr_import(path=path)

    assert (run.added, run.skipped) == (ROWS - 2, 2)
    assert run.messages[0]["where"] == "row 11"
    assert "data_apertura" in run.messages[0]["reason"] and "31/02/2022" in run.messages[0]["reason"]
    assert run.messages[1]["where"] == "row 22" and "numero_seriale" in run.messages[1]["reason"]
    assert not Call.objects.filter(source_id=rows[9]["numero_seriale"]).exists()


def test_a_change_in_the_source_updates_in_place_with_its_history(tmp_path):
    pnrr_import()
    header, rows = _rows()
    rows[0]["stato"] = "Chiuso"
    rows[0]["data_chiusura"], rows[0]["data_chiusura_iso"] = "30/04/2023", "2023-04-30"
    path = tmp_path / "pnrr.csv"
    _write(path, header, rows)

    run = pnrr_import(path=path)

    assert (run.added, run.changed, run.unchanged) == (0, 1, ROWS - 1)
    call = Call.objects.get(source_name=SOURCE_NAME, source_id=rows[0]["numero_seriale"])
    assert call.source_status == "Chiuso (al 10/02/2023)"
    change = call.changes.get(action=CallChange.Action.CHANGED)
    assert change.import_run == run
    assert change.changes["source_status"] == ["In corso (al 10/02/2023)", "Chiuso (al 10/02/2023)"]
    assert change.changes["source_data.stato"] == ["In corso", "Chiuso"]
    assert "closes_at" in change.changes
    assert Call.objects.count() == ROWS


def test_a_call_gone_from_the_source_is_flagged_not_deleted_and_unflagged_when_back(tmp_path):
    pnrr_import()
    header, rows = _rows()
    gone = rows.pop(5)
    path = tmp_path / "pnrr.csv"
    _write(path, header, rows)

    run = pnrr_import(path=path)

    call = Call.objects.get(source_name=SOURCE_NAME, source_id=gone["numero_seriale"])
    assert run.flagged == 1 and call.flagged_missing_from_source and call.missing_since is not None
    assert call.changes.filter(action=CallChange.Action.FLAGGED).count() == 1
    assert pnrr_import(path=path).flagged == 0  # flagged once

    back = pnrr_import()

    call.refresh_from_db()
    assert back.changed == 1 and not call.flagged_missing_from_source and call.missing_since is None


def test_a_file_without_the_columns_fails_whole_and_changes_nothing(tmp_path):
    pnrr_import()
    path = tmp_path / "other.csv"
    path.write_text("titolo,ente\nUn bando,Un ente\n", encoding="utf-8")

    run = pnrr_import(path=path)

    assert run.state == ImportRun.State.FAILED
    assert "numero_seriale" in " ".join(m["reason"] for m in run.messages)
    assert Call.objects.filter(flagged_missing_from_source=True).count() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ambiti territoriali sociali", {"ambito"}),
        ("Amministrazioni pubbliche, esclusi i Comuni e le istituzioni scolastiche", {"altro_ente_pubblico"}),
        ("Regioni e province autonome", {"regione"}),
        ("Individui / Liberi Professionisti", {"persona_fisica"}),
        ("Qualcosa di nuovo", {"altro"}),
    ],
)
def test_who_may_apply_is_read_from_the_free_text(text, expected):
    assert applicants_from_text(text) == expected


def test_organisations_of_the_third_sector_are_every_ets_form():
    types = applicants_from_text("Imprese, Organizzazioni/Associazioni del terzo settore, Regioni")
    assert {"aps", "odv", "impresa_sociale", "impresa", "regione"} <= types


def test_themes_come_from_the_longest_prefix_of_the_sub_measure():
    assert themes_of("M5C2I3.01.00") == {"sport", "politiche-sociali"}
    assert themes_of("M5C2I1.02.00") == {"politiche-sociali"}
    assert themes_of("M1C1I1.07.01") == {"digitale", "politiche-giovanili"}
    assert themes_of("X9") == frozenset()
