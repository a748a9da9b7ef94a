"""The generic layout (CSV or XLSX with Italian headers): rows mapped, bad rows reported and skipped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from tests.calls.conftest import FILES
from welfarelab.calls.models import Call, CallChange, ImportRun
from welfarelab.calls.services import call_update, table_import

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def test_rows_are_mapped_and_bad_rows_reported_by_row_and_column(places):
    run = table_import(path=FILES / "bandi_generici.csv", source_name="esempio")

    assert (run.state, run.added, run.skipped) == (ImportRun.State.DONE, 3, 2)
    assert run.messages == [
        {"where": "row 4", "reason": "column temi: unknown theme “astrologia”"},
        {
            "where": "row 5",
            "reason": "column apertura: “31/02/2026” is not a date (write 30/06/2026 or 30/06/2026 12:00, Italian time).",
        },
    ]
    call = Call.objects.get(source_name="esempio", source_id="LOM-2026-01")
    assert call.issuer_type == Call.IssuerType.REGION
    assert sorted(call.themes.values_list("slug", flat=True)) == ["politiche-giovanili", "sport"]
    assert sorted(call.eligible_applicants.values_list("slug", flat=True)) == ["aps", "odv"]
    assert list(call.territories.all()) == [places["lombardia"]]
    assert (call.total_budget, call.min_grant, call.max_grant) == (
        Decimal("1500000"),
        Decimal("5000"),
        Decimal("40000"),
    )
    assert (call.estimated_awards, call.cofinancing_percent, call.procedure) == (
        40,
        Decimal("20"),
        "graduatoria",
    )
    assert call.opens_at == dt.datetime(2026, 5, 1, tzinfo=ROME)
    assert call.closes_at == dt.datetime(2026, 9, 30, 12, 0, tzinfo=ROME)
    assert list(call.attachments.values_list("title", "url")) == [
        ("Bando", "https://bandi.example.org/lom-2026-01/bando.pdf"),
        ("modulo.docx", "https://bandi.example.org/lom-2026-01/modulo.docx"),
    ]
    energy = Call.objects.get(source_id="LOM-2026-02")
    assert {"aps", "odv", "impresa_sociale", "comune"} <= set(
        energy.eligible_applicants.values_list("slug", flat=True)
    )
    assert list(energy.territories.all()) == [places["milano_provincia"]]
    assert energy.closes_at is None and energy.cofinancing_percent == 0
    assert Call.objects.get(source_id="LOM-2026-05").closed_early


def test_the_same_file_twice_changes_nothing(places):
    table_import(path=FILES / "bandi_generici.csv", source_name="esempio")
    updated = dict(Call.objects.values_list("pk", "updated_at"))
    history = CallChange.objects.count()

    run = table_import(path=FILES / "bandi_generici.csv", source_name="esempio")

    assert (run.added, run.changed, run.unchanged, run.flagged, run.skipped) == (0, 0, 3, 0, 2)
    assert dict(Call.objects.values_list("pk", "updated_at")) == updated
    assert CallChange.objects.count() == history


def test_an_xlsx_file_in_the_same_layout_imports(places, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Codice", "Titolo", "Ente", "Scadenza", "Temi", "Dotazione"])
    sheet.append(
        [
            "X-1",
            "Bando da foglio di calcolo",
            "Comune di Milano",
            dt.datetime(2026, 12, 31),  # noqa: DTZ001 (a spreadsheet's date cell has no time zone)
            "cultura",
            25000.5,
        ]
    )
    path = tmp_path / "bandi.xlsx"
    workbook.save(path)

    run = table_import(path=path, source_name="foglio")

    call = Call.objects.get(source_name="foglio", source_id="X-1")
    assert run.added == 1
    assert call.closes_at == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=ROME)
    assert call.total_budget == Decimal("25000.50")
    assert call.issuer_type == Call.IssuerType.OTHER


def test_a_file_without_a_required_column_fails_whole(places, tmp_path):
    path = tmp_path / "bandi.csv"
    path.write_text("codice,titolo\nA,Un bando\n", encoding="utf-8")

    run = table_import(path=path, source_name="rotto")

    assert run.state == ImportRun.State.FAILED and run.added == 0
    assert run.messages[0]["where"] == "row 1, column ente"
    assert not Call.objects.exists()


def test_a_correction_by_an_editor_survives_the_next_import(places, editor):
    table_import(path=FILES / "bandi_generici.csv", source_name="esempio")
    call = Call.objects.get(source_id="LOM-2026-01")
    call_update(call=call, changed_by=editor, data={"title": "Oratori e centri giovanili (corretto)"})

    run = table_import(path=FILES / "bandi_generici.csv", source_name="esempio")

    call.refresh_from_db()
    assert call.title == "Oratori e centri giovanili (corretto)"
    assert call.edited_fields == ["title"]
    assert run.changed == 0
