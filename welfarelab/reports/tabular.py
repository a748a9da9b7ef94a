"""Tables as downloads: one list of columns and rows answers CSV, XLSX or JSON.

Every list of the platform, page or API, answers `?format=csv|xlsx|json` through `tabular_response`:

    columns = [Column("code"), Column("name", label=_("Name")), Column("population_2023")]
    rows = ((t.code, t.name, t.population_2023) for t in territories)
    return tabular_response(columns=columns, rows=rows, fmt=TabularFormat.CSV, filename="territories")

Contracts:

- CSV is UTF-8 without a byte-order mark, comma-separated, with one header row and RFC 4180 quoting.
  Empty cells are unknown values (`None`), never zero; booleans are written `true`/`false`; dates ISO 8601.
  Values are written as they are (open data for programs): people who open files in a spreadsheet should
  take the XLSX, which cannot run formulas.
- XLSX is written by openpyxl in write-only mode (constant memory per row): a bold, frozen header row,
  numbers as numbers, booleans as booleans; text that starts with "=" stays text, never a formula, and
  characters that XLSX cannot hold (control characters) are dropped.
- JSON is a list of objects keyed by the columns' keys, with the same values as the other formats.

`rows` is consumed once, lazily: pass a generator over `queryset.iterator()` for long lists.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json"

XLSX_MAX_CELL_CHARACTERS = 32_767  # Excel refuses longer text in one cell
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


class TabularFormat(StrEnum):
    """The formats a list answers; `json` is the default of the API's paginated lists."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Column:
    """One column: `key` names it in JSON (and in the header when there is no `label`)."""

    key: str
    label: str | Promise | None = None

    @property
    def header(self) -> str:
        return str(self.label) if self.label is not None else self.key


Row = Sequence[object]


def tabular_response(
    *, columns: Sequence[Column], rows: Iterable[Row], fmt: TabularFormat | str, filename: str
) -> HttpResponse:
    """An attachment `<filename>.<fmt>` holding `rows` under `columns`, in the format `fmt`.

    `filename` has no extension; each row has one value per column, in the columns' order.
    Raises ValueError for an unknown format (callers validate it first: the API with an enum).
    """
    fmt = TabularFormat(fmt)
    if fmt is TabularFormat.CSV:
        response = csv_response(columns=columns, rows=rows)
    elif fmt is TabularFormat.XLSX:
        response = xlsx_response(columns=columns, rows=rows, sheet_title=filename)
    else:
        response = json_response(columns=columns, rows=rows)
    disposition = content_disposition_header(as_attachment=True, filename=f"{filename}.{fmt.value}")
    if disposition is not None:  # None only when not an attachment and without a name
        response.headers["Content-Disposition"] = disposition
    return response


def csv_response(*, columns: Sequence[Column], rows: Iterable[Row]) -> HttpResponse:
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    writer = csv.writer(response)  # HttpResponse is file-like; csv writes "\r\n" line ends (RFC 4180)
    writer.writerow([column.header for column in columns])
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    return response


def xlsx_response(
    *, columns: Sequence[Column], rows: Iterable[Row], sheet_title: str = "data"
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)


def json_response(*, columns: Sequence[Column], rows: Iterable[Row]) -> HttpResponse:
    keys = [column.key for column in columns]
    records = [dict(zip(keys, (_json_value(value) for value in row), strict=True)) for row in rows]
    return HttpResponse(
        json.dumps(records, cls=DjangoJSONEncoder, ensure_ascii=False), content_type=JSON_CONTENT_TYPE
    )


# A spreadsheet runs a cell that starts with one of these as a formula; user text must not (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def _json_value(value: object) -> object:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None  # a number, as the API's schemas promise
    return value


def _xlsx_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_CELL_CHARACTERS]


def _xlsx_value(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        text = _xlsx_text(value)
        if not text.startswith("="):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would otherwise write a formula
        return cell
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)  # XLSX has no time zones: local time of the installation
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return value


def _sheet_title(title: str) -> str:
    return title.translate(_SHEET_TITLE_FORBIDDEN)[:31] or "data"  # Excel: at most 31 characters
