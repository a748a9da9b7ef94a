"""The import of supply declarations from a CSV or XLSX file (docs/services.md).

One row per territory × year × service, with the header (any order; only the first three are required)

    tipo_territorio,codice_territorio,anno,codice_servizio,posti,utenti,utenti_65_e_piu,personale_etp,
    as_etp_indeterminato,as_etp_determinato,spesa_euro,gestione,domini_bisogno,note

The file is read and checked whole with the same parts as the observations' import (core.importing for
the file, indicators.importers.RowsChecker for territories, numbers and rights): every error comes back
with its row and column and nothing is written, or the rows come back ready for one transaction. A row
with nothing but its keys (a template row left empty) is left out: the service is not declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from welfarelab.core.importing import ImportRejected, RowError, read_table
from welfarelab.indicators.importers import RowsChecker, last_period
from welfarelab.indicators.models import NeedDomain
from welfarelab.services.models import (
    CONTEXT_DOMAINS,
    DECLARING_KINDS,
    FIRST_YEAR,
    SocialService,
    SupplyDeclaration,
)
from welfarelab.services.services import DeclarationFigures, DeclarationRow
from welfarelab.territories.models import Territory

KEY_COLUMNS = ("tipo_territorio", "codice_territorio", "anno", "codice_servizio")
REQUIRED_COLUMNS = ("codice_territorio", "anno", "codice_servizio")
# Column of the file → field of the declaration, for the numbers.
WHOLE_NUMBERS = {"posti": "places", "utenti": "users_served", "utenti_65_e_piu": "users_aged_65_plus"}
DECIMALS = {
    "personale_etp": "staff_fte",
    "as_etp_indeterminato": "social_workers_permanent_fte",
    "as_etp_determinato": "social_workers_fixed_term_fte",
    "spesa_euro": "spending_eur",
}
NUMBER_COLUMNS = (*WHOLE_NUMBERS, *DECIMALS)
TEXT_COLUMNS = ("gestione", "domini_bisogno", "note")
COLUMNS = (*KEY_COLUMNS, *NUMBER_COLUMNS, *TEXT_COLUMNS)
# Kept for the reader (the template writes them); their content is ignored.
READING_COLUMNS = ("nome_territorio", "nome_servizio")
OPTIONAL_COLUMNS = tuple(c for c in COLUMNS if c not in REQUIRED_COLUMNS) + READING_COLUMNS
# Upper bounds of the stored numbers (DecimalField digits): FTE below a million, spending below 10^12 euro.
LIMITS = {
    "staff_fte": 999_999.99,
    "social_workers_permanent_fte": 999_999.99,
    "social_workers_fixed_term_fte": 999_999.99,
    "spending_eur": 999_999_999_999.99,
}
MAX_WHOLE = 2_147_483_647
NOTE_LENGTH = 1000
_DOMAIN_SEPARATORS = re.compile(r"[\s,;|]+")


@dataclass(frozen=True)
class ParsedDeclarations:
    rows: list[DeclarationRow]
    left_out: int  # rows with nothing but their keys


def declarations_parse(
    content: bytes, *, filename: str = "", writable: frozenset[int] | None
) -> ParsedDeclarations:
    """Check the whole file; return its declarations or raise ImportRejected listing every error.

    `writable` holds the ids of the territories the importing user may write (None: all of them).
    """
    table = read_table(
        content, filename=filename, required_columns=REQUIRED_COLUMNS, optional_columns=OPTIONAL_COLUMNS
    )
    if not table.rows:
        raise ImportRejected([RowError(2, "", _("The file has a header but no rows."))])
    positions = {name: index for index, name in enumerate(table.header)}
    frame = pl.DataFrame(
        {
            "_row": [number for number, _values in table.rows],
            **{
                column: (
                    [values[positions[column]] for _number, values in table.rows]
                    if column in positions
                    else [""] * len(table.rows)
                )
                for column in COLUMNS
            },
        },
        schema={"_row": pl.Int64, **dict.fromkeys(COLUMNS, pl.String)},
    )
    checker = _DeclarationsChecker(frame, decimal_comma=table.decimal_comma, writable=writable)
    errors = checker.errors()
    if errors:
        order = {column: index for index, column in enumerate(("", *COLUMNS))}
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, order.get(e.column, 0))))
    return checker.result()


def _quoted(value: object) -> str:
    return f"“{value}”"


def _about(column: str, message: str) -> Callable[[dict[str, Any]], str]:
    """The message of a failing cell of `column`: `message` with its value and the column's name."""
    return lambda row: message % {"value": _quoted(row[column]), "column": column}


class _DeclarationsChecker(RowsChecker):
    def __init__(self, frame: pl.DataFrame, *, decimal_comma: bool, writable: frozenset[int] | None) -> None:
        self.writable = writable
        self.found: list[RowError] = []
        self.services = {s.code: s for s in SocialService.objects.all()}
        self.domains = {d.code for d in NeedDomain.objects.all()} - CONTEXT_DOMAINS
        self.managements = {value for value, _label in SupplyDeclaration.Management.choices}
        catalogue = pl.DataFrame(
            [(code, s.pk, s.is_active) for code, s in self.services.items()],
            schema={"service_code": pl.String, "service_id": pl.Int64, "service_active": pl.Boolean},
            orient="row",
        )
        frame = frame.with_columns(
            service_code=pl.col("codice_servizio").str.to_lowercase(),
            management=pl.col("gestione").str.to_lowercase(),
            year=pl.when(pl.col("anno").str.contains(r"^\d{4}$")).then(
                pl.col("anno").cast(pl.Int64, strict=False)
            ),
        ).join(catalogue, on="service_code", how="left")
        frame = self._with_territory(frame)
        frame = frame.join(
            pl.DataFrame(
                list(Territory.objects.filter(kind__in=DECLARING_KINDS).values_list("id")),
                schema={"territory_id": pl.Int64},
                orient="row",
            ).with_columns(declaring=pl.lit(True)),
            on="territory_id",
            how="left",
        )
        for column in NUMBER_COLUMNS:
            frame = self._with_number(frame, column, decimal_comma=decimal_comma)
        given = [pl.col(column) != "" for column in (*NUMBER_COLUMNS, *TEXT_COLUMNS)]
        self.frame = frame.with_columns(declared=pl.any_horizontal(given)).sort("_row")

    def errors(self) -> list[RowError]:
        self._check_territory()
        self._check_declaring_kind()
        self._check_year()
        self._check_service()
        self._check_numbers()
        self._check_texts()
        self._check_permission()
        self._check_duplicates()
        return self.found

    def _check_declaring_kind(self) -> None:
        self._report(
            pl.col("territory_id").is_not_null() & pl.col("declaring").is_null(),
            "codice_territorio",
            lambda r: (
                _("%(place)s cannot declare services: a comune or an ambito declares them.")
                % {"place": r["place"][0]}
            ),
        )

    def _check_year(self) -> None:
        text, year = pl.col("anno"), pl.col("year")
        last = last_period()
        self._report(
            text == "", "anno", lambda r: _("The year is empty: write it with four digits, e.g. 2024.")
        )
        self._report(
            (text != "") & year.is_null(),
            "anno",
            lambda r: (
                _("%(value)s is not a year: write it with four digits, e.g. 2024.")
                % {"value": _quoted(r["anno"])}
            ),
        )
        self._report(
            (year < FIRST_YEAR) | (year > last),
            "anno",
            lambda r: (
                _("The year %(value)s is out of range: declarations go from %(first)s to %(last)s.")
                % {"value": r["year"], "first": FIRST_YEAR, "last": last}
            ),
        )

    def _check_service(self) -> None:
        code = pl.col("codice_servizio")
        self._report(code == "", "codice_servizio", lambda r: _("The service code is empty."))
        self._report(
            (code != "") & pl.col("service_id").is_null(),
            "codice_servizio",
            lambda r: (
                _("%(code)s is not the code of a service of the catalogue (see /servizi/catalogo/).")
                % {"code": _quoted(r["codice_servizio"])}
            ),
        )
        self._report(
            pl.col("service_active").eq(False) & pl.col("declared"),
            "codice_servizio",
            lambda r: (
                _("Service %(code)s is no longer in the catalogue: it takes no new declaration.")
                % {"code": r["service_code"]}
            ),
        )

    def _check_numbers(self) -> None:
        for column in NUMBER_COLUMNS:
            self._check_number(column)
            number = pl.col(f"{column}_number")
            self._report(
                number < 0,
                column,
                _about(column, _("%(value)s in %(column)s is below zero.")),
            )
        for column in WHOLE_NUMBERS:
            number = pl.col(f"{column}_number")
            self._report(
                (number >= 0) & ((number != number.floor()) | (number > MAX_WHOLE)),
                column,
                _about(
                    column, _("%(value)s in %(column)s is not a whole number: it counts places or people.")
                ),
            )
        for column, name in DECIMALS.items():
            number = pl.col(f"{column}_number")
            cents = number * 100
            self._report(
                (number >= 0) & (((cents - cents.round()).abs() > 1e-6) | (number > LIMITS[name])),
                column,
                _about(column, _("%(value)s in %(column)s has more than two decimals or is too large.")),
            )
        older, users = pl.col("utenti_65_e_piu_number"), pl.col("utenti_number")
        self._report(
            older > users,
            "utenti_65_e_piu",
            lambda r: (
                _("The users aged 65 and over (%(older)s) cannot be more than the users served (%(users)s).")
                % {"older": r["utenti_65_e_piu"], "users": r["utenti"]}
            ),
        )
        social_workers = pl.col("as_etp_indeterminato_number").fill_null(0) + pl.col(
            "as_etp_determinato_number"
        ).fill_null(0)
        self._report(
            social_workers > pl.col("personale_etp_number"),
            "personale_etp",
            lambda r: (
                _(
                    "The staff (%(staff)s FTE) cannot be fewer than its social workers on permanent and fixed-term contracts."
                )
                % {"staff": r["personale_etp"]}
            ),
        )

    def _check_texts(self) -> None:
        management = pl.col("management")
        choices = ", ".join(sorted(self.managements))
        self._report(
            pl.col("declared") & (management == ""),
            "gestione",
            lambda r: _("Say how the service is run: write %(choices)s.") % {"choices": choices},
        )
        self._report(
            (management != "") & ~management.is_in(list(self.managements)),
            "gestione",
            lambda r: (
                _("%(value)s is not a way of running a service: write %(choices)s.")
                % {"value": _quoted(r["gestione"]), "choices": choices}
            ),
        )
        domains = self.domains

        def unknown_domains(text: str) -> list[str]:
            return [
                code
                for code in _DOMAIN_SEPARATORS.split(text.strip().lower())
                if code and code not in domains
            ]

        for row in self.frame.filter(pl.col("domini_bisogno") != "").iter_rows(named=True):
            unknown = unknown_domains(row["domini_bisogno"])
            if unknown:
                self.found.append(
                    RowError(
                        row["_row"],
                        "domini_bisogno",
                        _("%(codes)s: not the code of a need domain. The codes are %(choices)s.")
                        % {
                            "codes": ", ".join(_quoted(c) for c in unknown),
                            "choices": ", ".join(sorted(domains)),
                        },
                    )
                )
        self._report(
            pl.col("note").str.len_chars() > NOTE_LENGTH,
            "note",
            lambda r: _("The note is longer than %(limit)s characters.") % {"limit": NOTE_LENGTH},
        )

    def _check_duplicates(self) -> None:
        key = ("territory_id", "year", "service_id")
        first = pl.col("_row").min().over(key)
        self._report(
            pl.all_horizontal(pl.col(c).is_not_null() for c in key) & (pl.col("_row") != first),
            "codice_servizio",
            lambda r: (
                _(
                    "Same territory (%(place)s), year (%(year)s) and service (%(code)s) as row %(first)s: each may appear once."
                )
                % {"place": r["place"][0], "year": r["year"], "code": r["service_code"], "first": r["_first"]}
            ),
            frame=self.frame.with_columns(_first=first),
        )

    def result(self) -> ParsedDeclarations:
        declared = self.frame.filter(pl.col("declared"))
        territories = Territory.objects.in_bulk(declared["territory_id"].unique().to_list())
        services = {s.pk: s for s in self.services.values()}
        rows = []
        for row in declared.iter_rows(named=True):
            figures: dict[str, Any] = {
                field: None if row[f"{column}_number"] is None else int(row[f"{column}_number"])
                for column, field in WHOLE_NUMBERS.items()
            }
            figures |= {
                field: None if row[f"{column}_number"] is None else Decimal(f"{row[f'{column}_number']:.2f}")
                for column, field in DECIMALS.items()
            }
            codes = [c for c in _DOMAIN_SEPARATORS.split(row["domini_bisogno"].strip().lower()) if c]
            rows.append(
                DeclarationRow(
                    territory=territories[row["territory_id"]],
                    year=row["year"],
                    service=services[row["service_id"]],
                    figures=DeclarationFigures(
                        management=row["management"],
                        need_domains=tuple(dict.fromkeys(codes)),
                        note=row["note"],
                        **figures,
                    ),
                )
            )
        return ParsedDeclarations(rows=rows, left_out=self.frame.height - declared.height)
