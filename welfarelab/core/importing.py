"""What every import shares: row/column-precise errors and reading an uploaded CSV safely.

Imports never half-load: a file is parsed and checked whole, every error collected, and only a file
with no error is written, in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based as in a spreadsheet: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
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


def csv_rows(content: bytes, *, required_columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Decode `content` (UTF-8, with or without BOM; comma or semicolon) into (row number, values by column).

    Raises ImportRejected when the file is empty, too large, not UTF-8, not readable CSV, lacks a required
    column, repeats a column, or has a row with more or fewer values than the header.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRejected([RowError(0, "", _("The file is larger than 20 MB."))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [
                RowError(
                    0, "", _("The file is not UTF-8 text (byte %(position)s).") % {"position": error.start}
                )
            ]
        ) from None
    if not text.strip():
        raise ImportRejected([RowError(1, "", _("The file is empty."))])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
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
                [
                    RowError(1, name, _("The column appears more than once in the header."))
                    for name in repeated
                ]
            )
        rows: list[tuple[int, dict[str, str]]] = []
        errors: list[RowError] = []
        # Numbered as a spreadsheet shows them: the header is row 1, blank rows count but are skipped.
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                errors.append(
                    RowError(
                        number,
                        "",
                        _("The row has %(found)s values; the header has %(expected)s columns.")
                        % {"found": len(values), "expected": len(header)},
                    )
                )
                continue
            rows.append((number, {name: value.strip() for name, value in zip(header, values, strict=True)}))
    except csv.Error as error:
        raise ImportRejected(
            [
                RowError(
                    reader.line_num, "", _("The file is not readable CSV: %(reason)s.") % {"reason": error}
                )
            ]
        ) from None
    if errors:
        raise ImportRejected(errors)
    return rows
