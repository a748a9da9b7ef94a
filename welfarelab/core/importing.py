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


def csv_rows(content: bytes, *, required_columns: Sequence[str]) -> list[dict[str, str]]:
    """Decode `content` (UTF-8, with or without BOM; comma or semicolon) into dicts keyed by column.

    Raises ImportRejected when the file is empty, too large, not UTF-8 or lacks a required column.
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
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
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
    reader.fieldnames = header
    return [{key: (value or "").strip() for key, value in row.items() if key is not None} for row in reader]
