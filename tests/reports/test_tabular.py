"""reports.tabular: the same columns and rows as CSV, XLSX and JSON downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils.translation import gettext_lazy

from welfarelab.reports.tabular import Column, TabularFormat, tabular_response

COLUMNS = [Column("code"), Column("name", label="Nome"), Column("people"), Column("known"), Column("amount")]
ROWS = [
    ("058091", "Roma", 2_755_309, True, Decimal("1234.50")),
    ("001001", "Agliè", None, False, None),
]


def read_xlsx(content: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_csv_has_a_header_and_writes_unknown_as_empty():
    response = tabular_response(columns=COLUMNS, rows=ROWS, fmt="csv", filename="comuni")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="comuni.csv"'
    assert response.content.decode("utf-8").split("\r\n") == [
        "code,Nome,people,known,amount",
        "058091,Roma,2755309,true,1234.50",
        "001001,Agliè,,false,",
        "",
    ]


def test_csv_quotes_commas_quotes_and_new_lines():
    rows = [("1", 'Associazione "La Rete", Roma\nsede legale', None, None, None)]

    response = tabular_response(columns=COLUMNS, rows=rows, fmt=TabularFormat.CSV, filename="x")

    assert list(csv.reader(io.StringIO(response.content.decode("utf-8"))))[1][1] == (
        'Associazione "La Rete", Roma\nsede legale'
    )


def test_xlsx_keeps_types_and_a_bold_frozen_header():
    response = tabular_response(columns=COLUMNS, rows=ROWS, fmt="xlsx", filename="comuni")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="comuni.xlsx"'
    assert read_xlsx(response.content) == [
        ("code", "Nome", "people", "known", "amount"),
        ("058091", "Roma", 2_755_309, True, 1234.5),
        ("001001", "Agliè", None, False, None),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "comuni"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b is True


def test_xlsx_never_writes_a_formula_nor_a_control_character():
    rows = [("=1+1", '=HYPERLINK("http://evil.example")', "bell\x07 and tab\t", None, None)]

    response = tabular_response(columns=COLUMNS, rows=rows, fmt="xlsx", filename="x")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value] == [
        "=1+1",
        '=HYPERLINK("http://evil.example")',
        "bell and tab\t",
    ]
    assert {sheet["A2"].data_type, sheet["B2"].data_type} == {"s"}


def test_xlsx_writes_aware_datetimes_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Rome"
    moment = dt.datetime(2026, 1, 15, 11, 30, tzinfo=ZoneInfo("UTC"))

    response = tabular_response(columns=[Column("at")], rows=[(moment,)], fmt="xlsx", filename="x")

    in_rome = dt.datetime(2026, 1, 15, 12, 30, tzinfo=ZoneInfo("Europe/Rome"))
    assert read_xlsx(response.content)[1] == (in_rome.replace(tzinfo=None),)


def test_csv_writes_dates_in_iso_8601():
    moment = dt.datetime(2026, 1, 15, 11, 30, tzinfo=ZoneInfo("UTC"))

    response = tabular_response(
        columns=[Column("day"), Column("at")], rows=[(dt.date(2026, 1, 15), moment)], fmt="csv", filename="x"
    )

    assert response.content.decode().splitlines()[1] == "2026-01-15,2026-01-15T11:30:00+00:00"


def test_json_is_a_list_of_objects_keyed_by_column():
    response = tabular_response(columns=COLUMNS, rows=ROWS, fmt="json", filename="comuni")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="comuni.json"'
    assert json.loads(response.content) == [
        {"code": "058091", "name": "Roma", "people": 2_755_309, "known": True, "amount": 1234.5},
        {"code": "001001", "name": "Agliè", "people": None, "known": False, "amount": None},
    ]


def test_lazy_translations_are_written_as_text():
    label, value = gettext_lazy("Kind"), gettext_lazy("Municipality")
    columns, rows = [Column("kind", label=label)], [(value,)]

    as_csv = tabular_response(columns=columns, rows=rows, fmt="csv", filename="x")
    as_xlsx = tabular_response(columns=columns, rows=rows, fmt="xlsx", filename="x")
    as_json = tabular_response(columns=columns, rows=rows, fmt="json", filename="x")

    assert as_csv.content.decode() == f"{label}\r\n{value}\r\n"
    assert read_xlsx(as_xlsx.content) == [(str(label),), (str(value),)]
    assert json.loads(as_json.content) == [{"kind": str(value)}]


def test_rows_may_be_a_generator_read_once():
    rows = (("058091", f"Comune {n}", n, True, None) for n in range(3))

    response = tabular_response(columns=COLUMNS, rows=rows, fmt="csv", filename="x")

    assert len(response.content.decode().splitlines()) == 4


def test_sheet_title_drops_what_excel_forbids():
    response = tabular_response(
        columns=[Column("a")], rows=[], fmt="xlsx", filename="a/b:c*d?[e]-with-a-long-name"
    )

    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.title == "a-b-c-d--e--with-a-long-name"


def test_unknown_format_is_a_value_error():
    with pytest.raises(ValueError, match="'pdf' is not a valid TabularFormat"):
        tabular_response(columns=COLUMNS, rows=ROWS, fmt="pdf", filename="x")


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_csv_never_hands_a_spreadsheet_a_formula(text):
    rows = [("1", text, -5, None, None)]

    response = tabular_response(columns=COLUMNS, rows=rows, fmt="csv", filename="x")

    record = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))[1]
    assert record[1] == "'" + text
    assert record[2] == "-5"  # numbers are not text: they stay numbers
