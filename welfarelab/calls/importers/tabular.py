"""The generic layout of a table of calls (CSV or XLSX, Italian headers) for sources other than PNRR.

One row per call; the header names the columns (any order, lower or upper case). Documented in
docs/calls.md with an example; in short:

| column | required | what |
| --- | --- | --- |
| codice | yes | the call's id in this source (kept up to date by it) |
| titolo | yes | title |
| ente | yes | issuer |
| tipo_ente | | ministero, regione, ente_locale, ue, fondazione_bancaria, fondazione, altro (default altro) |
| codice_fiscale_ente, descrizione, link | | issuer's tax code, summary, official page (https://…) |
| temi | | themes by slug or name, separated by `;` (politiche-giovanili; Ambiente) |
| destinatari | | applicant types by slug or name (aps; odv; comune), or `ETS` for every ETS form |
| note_destinatari | | who may apply, in the call's words |
| regioni, province | | ISTAT codes or names separated by `;`; both empty: all Italy |
| dotazione, contributo_min, contributo_max | | euro: 150000 or 150.000,00 |
| numero_contributi, cofinanziamento | | expected number of grants; co-financing required, % |
| procedura | | sportello, graduatoria or gara |
| apertura, scadenza | | 30/06/2026 or 30/06/2026 12:00 (Italian time); a bare date opens at 00:00, closes at 23:59:59 |
| stato | | "chiuso", "annullato", "revocato" or "esaurito" close the call before its deadline |
| allegati | | links separated by `;` or new lines, each optionally `title | https://…` |

A file whose header lacks a required column, or which is not readable, fails whole (nothing changes);
a bad row is reported with its number and column, and skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from welfarelab.calls.importers.records import (
    CallRecord,
    ImportFailed,
    Problem,
    parse_amount,
    parse_count,
    parse_percent,
    parse_rome_datetime,
    split_list,
)
from welfarelab.calls.importers.vocabularies import Lookup
from welfarelab.calls.models import Call
from welfarelab.core.importing import ImportRejected, read_table
from welfarelab.core.text import fold

REQUIRED_COLUMNS = ("codice", "titolo", "ente")
OPTIONAL_COLUMNS = (
    "tipo_ente",
    "codice_fiscale_ente",
    "descrizione",
    "link",
    "temi",
    "destinatari",
    "note_destinatari",
    "regioni",
    "province",
    "dotazione",
    "contributo_min",
    "contributo_max",
    "numero_contributi",
    "cofinanziamento",
    "procedura",
    "apertura",
    "scadenza",
    "stato",
    "allegati",
)
PROCEDURES = {
    "sportello": "sportello",
    "a sportello": "sportello",
    "graduatoria": "graduatoria",
    "gara": "gara",
}
CLOSED_WORDS = ("chiuso", "annullato", "revocato", "esaurito", "sospeso")


class _RowError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        super().__init__(f"column {column}: {message}")


def _attachments(text: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        title, _bar, url = part.rpartition("|")
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise _RowError("allegati", f"“{part}” is not a link (https://…)")
        found.append(((title.strip() or url.rstrip("/").rsplit("/", 1)[-1] or url)[:300], url))
    return tuple(found)


def record_from_row(row: dict[str, str], lookup: Lookup) -> CallRecord:
    def value(column: str) -> str:
        return (row.get(column) or "").strip()

    def parsed(column: str, parse: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return parse(value(column), **kwargs)
        except ValueError as error:
            raise _RowError(column, str(error)) from None

    for column in REQUIRED_COLUMNS:
        if not value(column):
            raise _RowError(column, "is empty")
    issuer_type = fold(value("tipo_ente")).replace(" ", "_") or Call.IssuerType.OTHER
    if issuer_type not in Call.IssuerType.values:
        raise _RowError(
            "tipo_ente", f"“{value('tipo_ente')}” is not one of {', '.join(Call.IssuerType.values)}"
        )
    themes: set[str] = set()
    for name in split_list(value("temi")):
        slug = lookup.theme(name)
        if slug is None:
            raise _RowError("temi", f"unknown theme “{name}”")
        themes.add(slug)
    applicants: set[str] = set()
    for name in split_list(value("destinatari")):
        types = lookup.applicant_types(name)
        if types is None:
            raise _RowError("destinatari", f"unknown applicant type “{name}”")
        applicants.update(types)
    regions: set[str] = set()
    for name in split_list(value("regioni")):
        code = lookup.region(name)
        if code is None:
            raise _RowError("regioni", f"unknown region “{name}”")
        regions.add(code)
    provinces: set[str] = set()
    for name in split_list(value("province")):
        code = lookup.province(name)
        if code is None:
            raise _RowError("province", f"unknown province “{name}”")
        provinces.add(code)
    procedure = ""
    if value("procedura"):
        procedure = PROCEDURES.get(fold(value("procedura")), "")
        if not procedure:
            raise _RowError("procedura", f"“{value('procedura')}” is not sportello, graduatoria or gara")
    url = value("link")
    if url and not url.startswith(("http://", "https://")):
        raise _RowError("link", f"“{url}” is not a link (https://…)")
    return CallRecord(
        source_id=value("codice")[:300],
        title=" ".join(value("titolo").split())[:500],
        issuer=value("ente")[:300],
        issuer_type=issuer_type,
        issuer_tax_code=value("codice_fiscale_ente")[:16],
        summary=value("descrizione"),
        url=url,
        themes=frozenset(themes),
        applicants=frozenset(applicants),
        eligibility_notes=value("note_destinatari"),
        regions=frozenset(regions),
        provinces=frozenset(provinces),
        total_budget=parsed("dotazione", parse_amount),
        min_grant=parsed("contributo_min", parse_amount),
        max_grant=parsed("contributo_max", parse_amount),
        estimated_awards=parsed("numero_contributi", parse_count),
        cofinancing_percent=parsed("cofinanziamento", parse_percent),
        procedure=procedure,
        opens_at=parsed("apertura", parse_rome_datetime, end_of_day=False),
        closes_at=parsed("scadenza", parse_rome_datetime, end_of_day=True),
        closed_early=fold(value("stato")).startswith(CLOSED_WORDS),
        source_status=value("stato")[:300],
        attachments=_attachments(value("allegati")),
        source_data={column: text for column, text in row.items() if text},
    )


def read_calls_table(
    content: bytes | None, *, filename: str
) -> tuple[list[tuple[str, CallRecord]], list[Problem]]:
    """Records by row ("row 12", header = row 1) and the rows skipped; ImportFailed for an unreadable file."""
    if content is None:
        raise ImportFailed([Problem(filename, "the file does not exist")])
    try:
        table = read_table(
            content, filename=filename, required_columns=REQUIRED_COLUMNS, optional_columns=OPTIONAL_COLUMNS
        )
    except ImportRejected as rejected:
        raise ImportFailed(
            [
                Problem(
                    f"row {e.row}" + (f", column {e.column}" if e.column else "") if e.row else filename,
                    e.message,
                )
                for e in rejected.errors
            ]
        ) from None
    lookup = Lookup.load()
    records: list[tuple[str, CallRecord]] = []
    problems: list[Problem] = []
    for number, values in table.rows:
        row = dict(zip(table.header, values, strict=True))
        try:
            records.append((f"row {number}", record_from_row(row, lookup)))
        except ValueError as error:
            problems.append(Problem(f"row {number}", str(error)))
    return records, problems
