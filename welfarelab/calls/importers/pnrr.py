"""The Italia Domani table of PNRR calls ("Bandi e avvisi"), as bundled in data/italia_domani/.

Read as it is (UTF-8 CSV, optionally gzipped; the columns of data/README.md). Each row is one call;
`numero_seriale` is its id in the source. The mapping of every column is in docs/calls.md; in short:

- themes come from the PNRR sub-measure code (`codice_submisura`): the longest prefix of `PNRR_THEMES`;
- who may apply comes from the free text `destinatari`, read with the keywords of `applicants_from_text`
  (the text itself is kept as the call's eligibility notes, so nothing is lost);
- dates are days in Europe/Rome: a call opens at 00:00 of `data_apertura` and closes at 23:59:59 of
  `data_chiusura`; no closing date means "until funds run out";
- `source_status` is the source's `stato` with its day of observation ("In corso (al 21/09/2022)");
- a call that the source says is over (`stato` Chiuso, Aggiudicato, Gara deserta, Annullato…) while its
  dates say it is not (no closing date, or one after the day of the observation) is `closed_early`;
- the total budget is the planned PNRR amount plus other funds (0 and 0,01 are placeholders of the source,
  read as not stated); a call with a CIG is a public tender, one "until funds run out" is a sportello.
"""

from __future__ import annotations

import gzip
import re
from decimal import Decimal
from pathlib import Path

from welfarelab.calls.importers.records import (
    CallRecord,
    ImportFailed,
    Problem,
    parse_amount,
    parse_rome_datetime,
)
from welfarelab.calls.vocabulary import ETS_TYPES
from welfarelab.core.importing import ImportRejected, csv_rows
from welfarelab.core.text import fold

SOURCE_NAME = "pnrr-italia-domani"
BUNDLED_FILE = "italia_domani/pnrr_bandi_avvisi_2023.csv.gz"
REQUIRED_COLUMNS = (
    "codice_submisura",
    "descrizione_submisura",
    "numero_seriale",
    "titolo",
    "soggetto_emanante",
    "data_apertura",
    "data_chiusura",
    "stato",
    "link",
    "destinatari",
)
PLACEHOLDER_AMOUNT = Decimal("1")  # the source writes 0 or 0,01 where the amount is not known

# Longest prefix of the sub-measure code → themes.
PNRR_THEMES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (prefix, frozenset(themes.split()))
    for prefix, themes in (
        ("M1C1", "digitale"),
        ("M1C1I1.07", "digitale politiche-giovanili"),  # Servizio civile digitale
        ("M1C2", "digitale"),
        ("M1C2I3.01.03", "digitale educazione"),  # Scuola connessa
        ("M1C2I3.01.04", "digitale salute"),  # Sanità connessa
        ("M1C2I5", "impresa"),
        ("M1C2I6", "impresa ricerca-innovazione"),
        ("M1C3", "cultura"),
        ("M1C3I2.01", "cultura turismo"),  # Attrattività dei borghi
        ("M1C3I3", "cultura digitale"),
        ("M1C3I4", "turismo digitale"),
        ("M2", "ambiente"),
        ("M2C3I1", "ambiente educazione"),  # new schools
        ("M3", "ambiente"),
        ("M4C1", "educazione"),
        ("M4C1I1.03", "educazione sport"),
        ("M4C1I4", "educazione ricerca-innovazione"),
        ("M4C2", "ricerca-innovazione"),
        ("M4C2I2.01", "ricerca-innovazione impresa"),  # IPCEI
        ("M5C1", "lavoro"),
        ("M5C1I1.02", "lavoro impresa"),  # women's enterprises
        ("M5C1I1.04", "lavoro educazione"),  # sistema duale
        ("M5C1I2", "politiche-giovanili"),  # Servizio civile universale
        ("M5C2", "politiche-sociali"),
        ("M5C2I1.03", "politiche-sociali rigenerazione-urbana"),  # Housing First
        ("M5C2I2", "rigenerazione-urbana politiche-sociali"),
        ("M5C2I3", "sport politiche-sociali"),
        ("M5C3", "politiche-sociali"),
        ("M6", "salute"),
        ("M6C2I2", "salute ricerca-innovazione"),
    )
)

_PUBLIC_BODIES_OF_THE_ALBO = ("comune", "provincia", "regione", "universita_ricerca", "altro_ente_pubblico")

# (pattern on the folded text, applicant types). Phrases that would mislead a later pattern are removed
# first: "province autonome" are regions, "scuole superiori a ordinamento speciale" are universities.
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\bprovinc\w* autonom\w*", " regioni "),
    (r"\bscuol\w* superior\w* (a|ad) ordinamento speciale", " universita "),
    (r"\bgiovani ricercatori\b", " individui "),
)
APPLICANT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bterzo settore\b|\bsenza fini? di lucro\b", ETS_TYPES),
    (
        r"\balbo\b",
        (*ETS_TYPES, *_PUBLIC_BODIES_OF_THE_ALBO),
    ),  # the Albo of Servizio civile: ETS and public bodies
    (r"\bambiti territoriali\b", ("ambito",)),
    (r"\bcomun[ei]\b|\bunion\w* di comuni\b", ("comune",)),
    (r"\benti locali\b", ("comune", "provincia")),
    (r"\benti pubblici territoriali\b", ("comune", "provincia", "regione")),
    (r"\bcitta metropolitan\w*|\bprovinc\w*", ("provincia",)),
    (r"\bregion\w*", ("regione",)),
    (r"\bamministrazioni centrali\b|\bpubbliche amministrazioni centrali\b", ("pa_centrale",)),
    (
        r"\bamministrazioni pubbliche\b|\bsoggetti pubblici\b|\baziende sanitarie\b|\basl\b|\bautorita\b|"
        r"\begato\b|\benti di governo\b|\bcomunita montane\b|\bconsorzi ex\b|\bistituto superiore di sanita\b|"
        r"\binail\b|\bagenas\b|\bistituti zooprofilattici\b|\borganismi regionali\b|\benti regionali\b",
        ("altro_ente_pubblico",),
    ),
    (r"\bscuol\w*|\bistituzioni scolastiche\b", ("scuola",)),
    (
        r"\buniversit\w*|\bricerca\b|\bafam\b|\balta formazione\b|\birccs\b|\bprofessori\b",
        ("universita_ricerca",),
    ),
    (
        r"\bimpres\w*|\boperator\w* (del sistema|economic\w*)|\bpmi\b|\bconcessionari\w*|\bgestori\b|\bprivati\b",
        ("impresa",),
    ),
    (
        r"\bindividui\b|\bliberi professionisti\b|\bcittadini\b|\besperti\b|\bstudenti\b|\bricercatore\b",
        ("persona_fisica",),
    ),
)
_OVER = ("chiuso", "aggiudicato", "gara deserta", "annullato", "revocato", "sospeso")


def themes_of(submeasure: str) -> frozenset[str]:
    """The themes of the longest prefix of `PNRR_THEMES` that `submeasure` starts with."""
    best: tuple[str, frozenset[str]] | None = None
    for prefix, themes in PNRR_THEMES:
        if submeasure.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, themes)
    return best[1] if best else frozenset()


def applicants_from_text(text: str) -> frozenset[str]:
    """Applicant types named in the free text of `destinatari`; `altro` when none is recognised.

    What follows "esclus…" is dropped ("Amministrazioni pubbliche, esclusi i Comuni" is not for comuni).
    """
    folded = fold(text).split("esclus", 1)[0]
    for pattern, replacement in _REWRITES:
        folded = re.sub(pattern, replacement, folded)
    found: set[str] = set()
    for pattern, types in APPLICANT_KEYWORDS:
        if re.search(pattern, folded):
            found.update(types)
    return frozenset(found) if found else frozenset({"altro"})


_LINK = re.compile(r"(?:https?://|www\.)[^\s;]+")


def links_of(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The official page (the first address in `link`) and the other addresses there, as attachments.

    The column sometimes holds several addresses, or words where an address should be (then no page:
    the text stays in source_data).
    """
    found = [f"https://{url}" if url.startswith("www.") else url for url in _LINK.findall(text)]
    if not found:
        return "", ()
    others = tuple((url.rstrip("/").rsplit("/", 1)[-1][:300] or url, url) for url in found[1:])
    return found[0], others


def _amount(text: str) -> Decimal | None:
    value = parse_amount(text)
    return None if value is None or value <= PLACEHOLDER_AMOUNT else value


def record_from_row(row: dict[str, str]) -> CallRecord:
    """One row of the table as a record; ValueError naming the column when a value cannot be read."""

    def value(column: str) -> str:
        return (row.get(column) or "").strip()

    source_id = value("numero_seriale")
    if not source_id:
        raise ValueError(
            "column numero_seriale: the row has no serial number, so it cannot be kept up to date"
        )
    title = " ".join(value("titolo").split())
    if not title:
        raise ValueError("column titolo: the row has no title")
    dates = {}
    for column, iso_column, end_of_day in (
        ("data_apertura", "data_apertura_iso", False),
        ("data_chiusura", "data_chiusura_iso", True),
        ("data_osservazione", "data_osservazione_iso", True),
    ):
        text = value(iso_column) or value(column)
        try:
            dates[column] = parse_rome_datetime(text, end_of_day=end_of_day)
        except ValueError as error:
            raise ValueError(f"column {column}: {error}") from None
    budget_parts = []
    for column in ("importo_previsto_pnrr", "importo_previsto_altri_fondi"):
        try:
            budget_parts.append(_amount(value(column)))
        except ValueError as error:
            raise ValueError(f"column {column}: {error}") from None
    known = [part for part in budget_parts if part is not None]
    total_budget = sum(known, Decimal(0)) if known else None
    if total_budget is None:
        try:
            total_budget = _amount(value("importo_complessivo_gara"))
        except ValueError as error:
            raise ValueError(f"column importo_complessivo_gara: {error}") from None

    status = value("stato")
    opens_at, closes_at, observed = dates["data_apertura"], dates["data_chiusura"], dates["data_osservazione"]
    over = fold(status).startswith(_OVER)
    closed_early = over and (closes_at is None or (observed is not None and closes_at > observed))
    procedure = ""
    if value("cig"):
        procedure = "gara"
    elif fold(value("fino_esaurimento_risorse")) == "si":
        procedure = "sportello"
    submeasure = value("codice_submisura")
    description = value("descrizione_submisura")
    summary = (
        f"PNRR {value('componente') or submeasure[:4]}, {submeasure} – {description}." if description else ""
    )
    url, attachments = links_of(value("link"))
    return CallRecord(
        source_id=source_id,
        title=title,
        summary=summary,
        issuer=value("soggetto_emanante") or "Italia Domani",
        issuer_type="ministero",
        issuer_tax_code=value("codice_fiscale_emanante")[:16],
        url=url,
        attachments=attachments,
        themes=themes_of(submeasure),
        applicants=applicants_from_text(value("destinatari")),
        eligibility_notes=value("destinatari"),
        total_budget=total_budget,
        procedure=procedure,
        opens_at=opens_at,
        closes_at=closes_at,
        closed_early=closed_early,
        # A snapshot: the status is the source's on its day of observation, and says so.
        source_status=(
            f"{status} (al {value('data_osservazione')})" if status and value("data_osservazione") else status
        )[:300],
        source_data={column: (text or "").strip() for column, text in row.items()},
    )


def read_pnrr(path: Path) -> tuple[list[tuple[str, CallRecord]], list[Problem]]:
    """Records by row ("row 12", header = row 1) and the rows skipped with their reason.

    ImportFailed when the file is missing or is not the table (a required column is missing).
    """
    if not path.exists():
        raise ImportFailed([Problem(str(path), "the file does not exist")])
    content = path.read_bytes()
    if path.suffix == ".gz":
        content = gzip.decompress(content)
    try:
        rows = csv_rows(content, required_columns=REQUIRED_COLUMNS)
    except ImportRejected as rejected:
        raise ImportFailed(
            [Problem(f"row {e.row}" if e.row else path.name, str(e)) for e in rejected.errors]
        ) from None
    records: list[tuple[str, CallRecord]] = []
    problems: list[Problem] = []
    for number, row in rows:
        try:
            records.append((f"row {number}", record_from_row(row)))
        except ValueError as error:
            problems.append(Problem(f"row {number}", str(error)))
    return records, problems
