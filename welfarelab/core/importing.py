"""What every import shares: row/column-precise errors and reading an uploaded CSV or XLSX safely.

Imports never half-load: a file is parsed and checked whole, every error collected, and only a file
with no error is written, in one transaction.

Rows are numbered as a spreadsheet shows them: the header is row 1; blank rows count but are skipped.
An error about the whole file (its size, its encoding) has row 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 20 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based as in a spreadsheet: the header is row 1; 0 for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "-",
            "message": self.message,
        }


class ImportRejected(Exception):
    """The whole file was refused; nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(_("%(count)s error(s); nothing was imported.") % {"count": len(self.errors)})


@dataclass(frozen=True)
class Table:
    """A file's cells as text: the header's column names and the non-blank rows, by row number."""

    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    # A semicolon CSV comes from a spreadsheet in an Italian locale: its numbers may be written 12,5.
    decimal_comma: bool = False


def megabytes(size: int) -> str:
    return number_format(size / (1024 * 1024), decimal_pos=1)


def check_size(size: int) -> None:
    """Refuse a file over MAX_IMPORT_BYTES before reading it (call it with the upload's size)."""
    if size > MAX_IMPORT_BYTES:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    _("The file is %(size)s MB: the limit is %(limit)s MB.")
                    % {"size": megabytes(size), "limit": MAX_IMPORT_BYTES // (1024 * 1024)},
                )
            ]
        )


def read_table(
    content: bytes,
    *,
    filename: str = "",
    required_columns: Sequence[str],
    optional_columns: Sequence[str] | None = None,
) -> Table:
    """Read a CSV or, by its content or name, an XLSX file (first sheet) into a Table; check its header.

    Without `optional_columns` any other column is accepted; with it, a column named in neither list
    is an error (a misspelt optional column would otherwise be silently ignored). Raises ImportRejected
    when the file is too large, empty, not UTF-8, not readable, has another separator, lacks a required
    column, repeats a column, or has a row with more or fewer values than the header.
    """
    check_size(len(content))
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        header, rows = _xlsx_cells(content)
        decimal_comma = False
    else:
        header, rows, delimiter = _csv_cells(content)
        decimal_comma = delimiter == ";"
    return _table(
        header,
        rows,
        decimal_comma=decimal_comma,
        required_columns=required_columns,
        optional_columns=optional_columns,
    )


def csv_rows(content: bytes, *, required_columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Decode `content` (UTF-8, with or without BOM; comma or semicolon) into (row number, values by column).

    Raises ImportRejected as `read_table` does.
    """
    check_size(len(content))
    header, rows, _delimiter = _csv_cells(content)
    table = _table(
        header, rows, decimal_comma=False, required_columns=required_columns, optional_columns=None
    )
    return [(number, dict(zip(table.header, values, strict=True))) for number, values in table.rows]


def _table(
    header: tuple[str, ...] | None,
    rows: list[tuple[int, list[str]]],
    *,
    decimal_comma: bool,
    required_columns: Sequence[str],
    optional_columns: Sequence[str] | None,
) -> Table:
    if header is None:
        raise ImportRejected([RowError(1, "", _("The file is empty."))])
    header, rows = _without_unnamed_empty_columns(header, rows)
    _check_header(header, required_columns=required_columns, optional_columns=optional_columns)
    width = len(header)
    errors = [
        RowError(
            number,
            "",
            _("The row has %(found)s values; the header has %(expected)s columns.")
            % {"found": len(values), "expected": width},
        )
        for number, values in rows
        if len(values) != width
    ]
    if errors:
        raise ImportRejected(errors)
    return Table(header=header, rows=rows, decimal_comma=decimal_comma)


# --- CSV ---------------------------------------------------------------------------------------------

# Separators a spreadsheet may use when asked for "text": recognised to say so, never accepted.
_OTHER_SEPARATORS = ("\t", "|")


def _csv_cells(content: bytes) -> tuple[tuple[str, ...] | None, list[tuple[int, list[str]]], str]:
    text = _decoded(content)
    if not text.strip():
        return None, [], ","
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = tuple(name.strip().lower() for name in next(reader))
        rows = [
            (number, [value.strip() for value in values])
            for number, values in enumerate(reader, start=2)
            if any(value.strip() for value in values)
        ]
    except csv.Error as error:
        raise ImportRejected(
            [
                RowError(
                    reader.line_num, "", _("The file is not readable CSV: %(reason)s.") % {"reason": error}
                )
            ]
        ) from None
    return header, rows, delimiter


def _delimiter(header_line: str) -> str:
    commas, semicolons = header_line.count(","), header_line.count(";")
    if not commas and not semicolons:
        for separator in _OTHER_SEPARATORS:
            if separator in header_line:
                shown = _("a tab") if separator == "\t" else f"“{separator}”"
                raise ImportRejected(
                    [
                        RowError(
                            1,
                            "",
                            _(
                                "The separator of the columns seems to be %(found)s: a comma or a semicolon "
                                "is expected. Save the file as “CSV UTF-8” (comma-separated) from the "
                                "spreadsheet."
                            )
                            % {"found": shown},
                        )
                    ]
                )
    return ";" if semicolons > commas else ","


def _decoded(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([_encoding_error(content, error)]) from None


def _encoding_error(content: bytes, error: UnicodeDecodeError) -> RowError:
    """Where the first byte that is not UTF-8 is, and what it probably was (a Latin-1 accented letter)."""
    row = content.count(b"\n", 0, error.start) + 1
    line_start = content.rfind(b"\n", 0, error.start) + 1
    header = content.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = [name.strip().strip('"').lower() for name in header.split(delimiter)]
    index = content[line_start : error.start].count(delimiter.encode())
    column = names[index] if row > 1 and index < len(names) else ""
    bad_rows = sum(1 for line in content.split(b"\n") if not _is_utf8(line))
    byte = content[error.start : error.start + 1]
    return RowError(
        row,
        column,
        _(
            "The file is not UTF-8 text: row %(row)s has the byte 0x%(byte)s, which is “%(letter)s” in the "
            "Latin-1 or Windows encoding (%(count)s row(s) in all). Save the file as “CSV UTF-8” from the "
            "spreadsheet and upload it again."
        )
        % {
            "row": row,
            "byte": byte.hex().upper(),
            "letter": byte.decode("cp1252", errors="replace"),
            "count": bad_rows,
        },
    )


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- XLSX --------------------------------------------------------------------------------------------


def _xlsx_cells(content: bytes) -> tuple[tuple[str, ...] | None, list[tuple[int, list[str]]]]:
    """The first sheet's cells as text, read in read-only mode (rows streamed, formulas' saved values)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportRejected(
            [RowError(0, "", _("The file is not a readable XLSX workbook: %(reason)s.") % {"reason": error})]
        ) from None
    try:
        if not workbook.worksheets:
            return None, []
        sheet = workbook.worksheets[0]
        # The size a sheet declares may be wrong (some programs write "A1"): read every row it has.
        sheet.reset_dimensions()
        lines: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
        header_cells = next(lines, ())
        rows: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(lines, start=2):
            values = [_cell_text(value) for value in _trimmed(cells)]
            if any(values):
                rows.append((number, values))
        if not any(_cell_text(value) for value in header_cells):
            if rows:
                raise ImportRejected(
                    [RowError(1, "", _("Row 1 is empty: the names of the columns go in the first row."))]
                )
            return None, []
        header = tuple(_cell_text(value).lower() for value in _trimmed(header_cells))
        # Cells after the last one written are missing, not extra: pad them as empty.
        return header, [(number, values + [""] * (len(header) - len(values))) for number, values in rows]
    finally:
        workbook.close()


def _trimmed(cells: Sequence[object]) -> list[object]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return list(cells[:end])


def _cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: integral numbers without ".0", dates in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


# --- the header --------------------------------------------------------------------------------------


def _without_unnamed_empty_columns(
    header: tuple[str, ...], rows: list[tuple[int, list[str]]]
) -> tuple[tuple[str, ...], list[tuple[int, list[str]]]]:
    """Drop columns with no name and no value: spreadsheets often export trailing empty columns."""
    unnamed = [index for index, name in enumerate(header) if not name]
    if not unnamed:
        return header, rows
    empty = [
        index
        for index in unnamed
        if all(index >= len(values) or not values[index] for _number, values in rows)
    ]
    if not empty:
        return header, rows
    kept = [index for index in range(len(header)) if index not in set(empty)]
    width = len(header)

    def keep(values: list[str]) -> list[str]:
        # A row of another width is reported by the caller, so it keeps its values as they were.
        return [values[index] for index in kept] if len(values) == width else values

    return tuple(header[index] for index in kept), [(number, keep(values)) for number, values in rows]


def _check_header(
    header: Sequence[str], *, required_columns: Sequence[str], optional_columns: Sequence[str] | None
) -> None:
    missing = [column for column in required_columns if column not in header]
    if missing:
        raise ImportRejected(
            [
                RowError(
                    1,
                    column,
                    _("Required column is missing (expected: %(columns)s).")
                    % {"columns": ", ".join(required_columns)},
                )
                for column in missing
            ]
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportRejected(
            [RowError(1, name, _("The column appears more than once in the header.")) for name in repeated]
        )
    if optional_columns is not None:
        known = (*required_columns, *optional_columns)
        unknown = [name for name in header if name not in known]
        if unknown:
            raise ImportRejected(
                [
                    RowError(
                        1,
                        name,
                        _("Unknown column %(column)s: the columns are %(columns)s.")
                        % {
                            "column": _quoted(name) if name else _("without a name"),
                            "columns": ", ".join(known),
                        },
                    )
                    for name in unknown
                ]
            )


def _quoted(name: str) -> str:
    return f"“{name}”"
