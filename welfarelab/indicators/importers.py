"""The import of observations: values of the catalogue's indicators from a CSV or XLSX file.

Layout (docs/imports.md): one row per indicator × territory × period, with the header

    codice_indicatore,tipo_territorio,codice_territorio,periodo,valore,numeratore,denominatore

`tipo_territorio` may be left empty (or out) when the code names one territory; `valore` and
`numeratore` may each be left out, not both. Every row is checked, all at once on whole columns so that
a file of 100,000 rows takes a second or two: every error is collected with its row and column and the
whole file is refused, or the rows come back as one frame per indicator, ready for `observations_store`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.core.importing import ImportRejected, RowError, read_table
from welfarelab.indicators.models import FIRST_PERIOD, LAST_PERIOD, Indicator
from welfarelab.territories.models import Territory

COLUMNS = (
    "codice_indicatore",
    "tipo_territorio",
    "codice_territorio",
    "periodo",
    "valore",
    "numeratore",
    "denominatore",
)
REQUIRED_COLUMNS = ("codice_indicatore", "codice_territorio", "periodo")
NUMBER_COLUMNS = ("valore", "numeratore", "denominatore")
# Columns kept for the reader of the file (the template writes nome_territorio): their content is ignored.
READING_COLUMNS = ("nome_territorio", "nome_indicatore", "note")
OPTIONAL_COLUMNS = tuple(c for c in COLUMNS if c not in REQUIRED_COLUMNS) + READING_COLUMNS

# ISTAT codes are digits of a fixed width; a spreadsheet drops the leading zeros (58091 for 058091).
CODE_WIDTHS = (2, 3, 6)
# Statistics whose numerator or value may be below zero: a difference, a mean of signed amounts.
SIGNED = frozenset({Indicator.Statistic.CHANGE.value, Indicator.Statistic.MEAN.value})
PROPORTION = Indicator.Statistic.PROPORTION.value


@dataclass(frozen=True)
class ParsedObservations:
    """A checked file: per indicator code, (territory_id, period, value, numerator, denominator)."""

    frames: dict[str, pl.DataFrame]
    indicators: dict[str, Indicator]
    rows: int  # rows to write
    left_out: int  # rows with no number at all: an unknown value, not written


def last_period() -> int:
    """The last year a file may hold: next year's (a target, a budget), within the table's own limit."""
    return min(LAST_PERIOD, timezone.localdate().year + 1)


def observations_parse(
    content: bytes, *, filename: str = "", writable: frozenset[int] | None
) -> ParsedObservations:
    """Check the whole file and return its observations; raise ImportRejected listing every error.

    `writable` holds the ids of the territories the importing user may write (None: all of them,
    see permissions.writable_territory_ids).
    """
    table = read_table(
        content, filename=filename, required_columns=REQUIRED_COLUMNS, optional_columns=OPTIONAL_COLUMNS
    )
    if not table.rows:
        raise ImportRejected([RowError(2, "", _("The file has a header but no rows."))])
    if "valore" not in table.header and "numeratore" not in table.header:
        raise ImportRejected(
            [
                RowError(
                    1,
                    "valore",
                    _("Give the column valore, or numeratore (with denominatore), or both."),
                )
            ]
        )
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
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    checker = _Checker(frame, indicators=indicators, decimal_comma=table.decimal_comma, writable=writable)
    errors = checker.errors()
    if errors:
        order = {column: index for index, column in enumerate(("", *COLUMNS))}
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, order.get(e.column, 0))))
    return checker.result()


def _quoted(value: object) -> str:
    return f"“{value}”"


def _number(value: float) -> str:
    return number_format(value, decimal_pos=None, use_l10n=True) if value % 1 else str(int(value))


class RowsChecker:
    """Checks every import of rows by territory shares: the territory columns, numbers, the user's rights.

    A subclass builds `self.frame` (one row per file row, `_row` its number) with `_with_territory` and
    `_with_number`, then calls the `_check_*` methods it needs; each failing row adds a RowError to
    `self.found`. Used by the observations below and by the supply declarations (welfarelab.services).
    """

    frame: pl.DataFrame
    found: list[RowError]
    writable: frozenset[int] | None

    def _report(
        self,
        failing: pl.Expr,
        column: str,
        message: Callable[[dict[str, Any]], str],
        frame: pl.DataFrame | None = None,
    ) -> None:
        for row in (self.frame if frame is None else frame).filter(failing).iter_rows(named=True):
            self.found.append(RowError(row["_row"], column, message(row)))

    def _with_territory(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Resolve (tipo_territorio, codice_territorio) to a territory id, or to how many match.

        Candidates are the code as written and, for digits, the code padded back to 2, 3 and 6 digits;
        a code as written wins over a padded one ("01" is the regione, not provincia 001).
        """
        territories = pl.DataFrame(
            list(Territory.objects.values_list("id", "kind", "code", "name")),
            schema={"territory_id": pl.Int64, "kind": pl.String, "code": pl.String, "name": pl.String},
            orient="row",
        )
        # Codes are matched without minding case: "it" is Italy, "rm-1" the ambito RM-1.
        territories = territories.with_columns(key=pl.col("code").str.to_uppercase())
        frame = frame.with_columns(
            kind=pl.col("tipo_territorio").str.to_lowercase(),
            wanted=pl.col("codice_territorio").str.to_uppercase(),
        )
        digits = pl.col("wanted").str.contains(r"^\d+$")
        candidates = pl.concat(
            [
                frame.select("_row", candidate="wanted", rank=pl.lit(0)),
                *(
                    frame.filter(digits & (pl.col("wanted").str.len_chars() < width)).select(
                        "_row", candidate=pl.col("wanted").str.zfill(width), rank=pl.lit(1)
                    )
                    for width in CODE_WIDTHS
                ),
            ]
        ).filter(pl.col("candidate") != "")
        matches = (
            candidates.join(territories.rename({"kind": "match_kind"}), left_on="candidate", right_on="key")
            .join(frame.select("_row", "kind"), on="_row")
            .with_columns(kind_ok=(pl.col("kind") == "") | (pl.col("kind") == pl.col("match_kind")))
        )
        chosen = (
            matches.filter(pl.col("kind_ok"))
            .filter(pl.col("rank") == pl.col("rank").min().over("_row"))
            .group_by("_row")
            .agg(
                matched=pl.len(),
                territory_id=pl.col("territory_id").first(),
                place=pl.format("{} {} ({})", "match_kind", "code", "name").sort(),
            )
        )
        elsewhere = (
            matches.filter(~pl.col("kind_ok"))
            .group_by("_row")
            .agg(other=pl.format("{} {} ({})", "match_kind", "code", "name").sort())
        )
        return (
            frame.join(chosen, on="_row", how="left")
            .join(elsewhere, on="_row", how="left")
            .with_columns(
                territory_id=pl.when(pl.col("matched") == 1).then("territory_id"),
                matched=pl.col("matched").fill_null(0),
            )
        )

    def _check_territory(self) -> None:
        kinds = [kind.value for kind in Territory.Kind]
        code = pl.col("codice_territorio")
        self._report(
            (pl.col("kind") != "") & ~pl.col("kind").is_in(kinds),
            "tipo_territorio",
            lambda r: (
                _("%(value)s is not a kind of territory: write %(kinds)s, or leave it empty.")
                % {"value": _quoted(r["tipo_territorio"]), "kinds": ", ".join(kinds)}
            ),
        )
        valid_kind = (pl.col("kind") == "") | pl.col("kind").is_in(kinds)
        self._report(code == "", "codice_territorio", lambda r: _("The territory code is empty."))
        self._report(
            valid_kind & (code != "") & (pl.col("matched") > 1),
            "codice_territorio",
            lambda r: (
                _("%(code)s is the code of several territories (%(places)s): fill in tipo_territorio.")
                % {"code": _quoted(r["codice_territorio"]), "places": ", ".join(r["place"])}
            ),
        )
        self._report(
            valid_kind & (code != "") & (pl.col("matched") == 0) & pl.col("other").is_not_null(),
            "codice_territorio",
            lambda r: (
                _("%(code)s is not the code of a territory of kind %(kind)s: it is the code of %(places)s.")
                % {
                    "code": _quoted(r["codice_territorio"]),
                    "kind": r["kind"],
                    "places": ", ".join(r["other"]),
                }
            ),
        )
        self._report(
            valid_kind & (code != "") & (pl.col("matched") == 0) & pl.col("other").is_null(),
            "codice_territorio",
            lambda r: (
                _(
                    "%(code)s is not the code of a territory. ISTAT codes have 6 digits for a comune (058091), "
                    "3 for a provincia, 2 for a regione, IT for Italy; ambiti have the codes they were imported with."
                )
                % {"code": _quoted(r["codice_territorio"])}
            ),
        )

    def _check_permission(self) -> None:
        if self.writable is None:
            return
        self._report(
            pl.col("territory_id").is_not_null() & ~pl.col("territory_id").is_in(list(self.writable)),
            "codice_territorio",
            lambda r: (
                _(
                    "You may not load data for %(place)s: only the lab coordinators and the editors of its public "
                    "body (or of its ambito) may."
                )
                % {"place": r["place"][0]}
            ),
        )

    def _with_number(self, frame: pl.DataFrame, column: str, *, decimal_comma: bool) -> pl.DataFrame:
        text = pl.col(column)
        if decimal_comma:
            # In an Italian spreadsheet "1.234" is a thousand and more: refuse it rather than guess.
            grouped = text.str.contains(r"^[-+]?\d{1,3}(\.\d{3})+(,\d*)?$") | (
                text.str.contains(r"\.") & text.str.contains(",")
            )
            parsed: pl.Expr = pl.when(~grouped).then(
                text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
            )
        else:
            grouped = pl.lit(False)
            parsed = text.cast(pl.Float64, strict=False)
        parsed = pl.when(parsed.is_finite()).then(parsed)
        return frame.with_columns(
            parsed.alias(f"{column}_number"),
            ((text != "") & grouped).alias(f"{column}_grouped"),
        )

    def _check_number(self, column: str) -> None:
        text, number, grouped = pl.col(column), pl.col(f"{column}_number"), pl.col(f"{column}_grouped")

        def ambiguous(r: dict[str, Any]) -> str:
            return _(
                "%(value)s is ambiguous: in a file separated by semicolons write numbers with a decimal "
                "comma and no thousands separator (1234 or 1234,5)."
            ) % {"value": _quoted(r[column])}

        def not_a_number(r: dict[str, Any]) -> str:
            return _("%(value)s in %(column)s is not a number.") % {
                "value": _quoted(r[column]),
                "column": column,
            }

        self._report(grouped, column, ambiguous)
        self._report((text != "") & ~grouped & number.is_null(), column, not_a_number)


class _Checker(RowsChecker):
    """The checks of one file, column by column; messages are written only for the rows that fail."""

    def __init__(
        self,
        frame: pl.DataFrame,
        *,
        indicators: Mapping[str, Indicator],
        decimal_comma: bool,
        writable: frozenset[int] | None,
    ) -> None:
        self.indicators = indicators
        self.writable = writable
        self.found: list[RowError] = []
        catalogue = pl.DataFrame(
            [
                (i.code, i.pk, i.statistic, float(i.multiplier), int(i.decimals), i.is_builtin)
                for i in indicators.values()
            ],
            schema={
                "code": pl.String,
                "indicator_id": pl.Int64,
                "statistic": pl.String,
                "multiplier": pl.Float64,
                "decimals": pl.Int64,
                "is_builtin": pl.Boolean,
            },
            orient="row",
        )
        frame = frame.with_columns(code=pl.col("codice_indicatore").str.to_lowercase()).join(
            catalogue, on="code", how="left"
        )
        frame = self._with_territory(frame)
        frame = self._with_period(frame)
        for column in NUMBER_COLUMNS:
            frame = self._with_number(frame, column, decimal_comma=decimal_comma)
        self.frame = frame.sort("_row")

    # --- the errors --------------------------------------------------------------------------------

    def errors(self) -> list[RowError]:
        self._check_indicator()
        self._check_territory()
        self._check_period()
        self._check_numbers()
        self._check_counts()
        self._check_permission()
        self._check_duplicates()
        return self.found

    def _check_indicator(self) -> None:
        code = pl.col("codice_indicatore")
        self._report(code == "", "codice_indicatore", lambda r: _("The indicator code is empty."))
        self._report(
            (code != "") & pl.col("indicator_id").is_null(),
            "codice_indicatore",
            lambda r: (
                _("%(code)s is not the code of an indicator of the catalogue.")
                % {"code": _quoted(r["codice_indicatore"])}
            ),
        )
        self._report(
            pl.col("is_builtin").fill_null(False),
            "codice_indicatore",
            lambda r: (
                _("Indicator %(code)s is computed by the platform from open data: it cannot be uploaded.")
                % {"code": r["code"]}
            ),
        )

    # --- periods and numbers -----------------------------------------------------------------------

    def _with_period(self, frame: pl.DataFrame) -> pl.DataFrame:
        text = pl.col("periodo")
        return frame.with_columns(
            period=pl.when(text.str.contains(r"^\d{4}$")).then(text.cast(pl.Int64, strict=False))
        )

    def _check_period(self) -> None:
        text, period = pl.col("periodo"), pl.col("period")
        last = last_period()
        self._report(text == "", "periodo", lambda r: _("The period is empty: write the year, e.g. 2023."))
        self._report(
            (text != "") & period.is_null(),
            "periodo",
            lambda r: (
                _("%(value)s is not a year: write it with four digits, e.g. 2023.")
                % {"value": _quoted(r["periodo"])}
            ),
        )
        self._report(
            (period < FIRST_PERIOD) | (period > last),
            "periodo",
            lambda r: (
                _("The year %(value)s is out of range: periods go from %(first)s to %(last)s.")
                % {"value": r["period"], "first": FIRST_PERIOD, "last": last}
            ),
        )

    def _check_numbers(self) -> None:
        for column in NUMBER_COLUMNS:
            self._check_number(column)

    def _check_counts(self) -> None:
        """The rules of the indicator's kind of statistic between value, numerator and denominator."""
        value, numerator, denominator = (
            pl.col("valore_number"),
            pl.col("numeratore_number"),
            pl.col("denominatore_number"),
        )
        given = {column: pl.col(column) != "" for column in NUMBER_COLUMNS}
        statistic = pl.col("statistic")
        count_like = statistic.is_in(list(COUNT_LIKE))
        known = statistic.is_not_null()
        unsigned = known & ~statistic.is_in(list(SIGNED))

        def kind(r: dict[str, Any]) -> dict[str, str]:
            return {"code": r["code"], "kind": str(_statistic_name(r["statistic"]))}

        self._report(
            known & given["denominatore"] & ~given["numeratore"] & ~count_like,
            "denominatore",
            lambda r: _(
                "A denominator needs its numerator: fill in numeratore, or leave denominatore empty."
            ),
        )
        self._report(
            known & count_like & given["denominatore"],
            "denominatore",
            lambda r: (
                _("Indicator %(code)s is %(kind)s: it has no denominator, leave denominatore empty.")
                % kind(r)
            ),
        )
        self._report(
            known & ~count_like & given["numeratore"] & ~given["denominatore"],
            "denominatore",
            lambda r: _("Indicator %(code)s is %(kind)s: the numerator needs its denominator.") % kind(r),
        )
        self._report(
            unsigned & (numerator < 0),
            "numeratore",
            lambda r: (
                _("The numerator %(value)s is negative: it counts people or events.")
                % {"value": r["numeratore"]}
            ),
        )
        self._report(
            known & (denominator < 0),
            "denominatore",
            lambda r: (
                _("The denominator %(value)s is negative: it counts people or events.")
                % {"value": r["denominatore"]}
            ),
        )
        self._report(
            unsigned & (value < 0),
            "valore",
            lambda r: (
                _("The value %(value)s is negative: indicator %(code)s is %(kind)s.")
                % {"value": r["valore"], **kind(r)}
            ),
        )
        self._report(
            (statistic == PROPORTION) & (denominator >= 0) & (numerator > denominator),
            "numeratore",
            lambda r: (
                _(
                    "The numerator %(numerator)s is larger than the denominator %(denominator)s: a proportion "
                    "counts a part of its whole."
                )
                % {"numerator": r["numeratore"], "denominator": r["denominatore"]}
            ),
        )
        self._report(
            (statistic == PROPORTION) & numerator.is_null() & (value > pl.col("multiplier")),
            "valore",
            lambda r: (
                _(
                    "The value %(value)s is above %(maximum)s, the largest a proportion of indicator %(code)s can be."
                )
                % {"value": r["valore"], "maximum": _number(r["multiplier"]), "code": r["code"]}
            ),
        )
        expected = _expected_value(statistic, numerator, denominator)
        check = self.frame.with_columns(_expected=expected)
        self._report(
            ~count_like & value.is_not_null() & numerator.is_not_null() & (denominator == 0),
            "valore",
            lambda r: _("The denominator is 0, so there is no value: leave valore empty."),
            frame=check,
        )
        tolerance = 0.5 * pl.lit(10.0).pow(-pl.col("decimals")) + 1e-9 * pl.col("_expected").abs()
        self._report(
            (value - pl.col("_expected")).abs() > tolerance,
            "valore",
            lambda r: (
                _(
                    "The value %(value)s does not agree with the numerator and denominator: %(formula)s gives "
                    "%(expected)s (a difference up to %(tolerance)s is allowed for rounding)."
                )
                % {
                    "value": r["valore"],
                    "formula": _formula(r["statistic"], r["multiplier"]),
                    "expected": number_format(r["_expected"], decimal_pos=r["decimals"]),
                    "tolerance": number_format(0.5 * 10 ** -r["decimals"], decimal_pos=r["decimals"] + 1),
                }
            ),
            frame=check,
        )

    def _check_duplicates(self) -> None:
        key = ("indicator_id", "territory_id", "period")
        first = pl.col("_row").min().over(key)
        self._report(
            pl.all_horizontal(pl.col(c).is_not_null() for c in key) & (pl.col("_row") != first),
            "codice_territorio",
            lambda r: (
                _(
                    "Same indicator (%(code)s), territory (%(place)s) and period (%(period)s) as row %(first)s: "
                    "each may appear once."
                )
                % {"code": r["code"], "place": r["place"][0], "period": r["period"], "first": r["_first"]}
            ),
            frame=self.frame.with_columns(_first=first),
        )

    # --- the result --------------------------------------------------------------------------------

    def result(self) -> ParsedObservations:
        value, numerator = pl.col("valore_number"), pl.col("numeratore_number")
        # Where the counts are given the value is computed from them: the one in the file was only checked.
        rows = self.frame.with_columns(
            value=pl.when(numerator.is_not_null())
            .then(_expected_value(pl.col("statistic"), numerator, pl.col("denominatore_number")))
            .otherwise(value)
        ).select(
            "code",
            "territory_id",
            pl.col("period").cast(pl.Int16),
            "value",
            numerator="numeratore_number",
            denominator="denominatore_number",
        )
        written = rows.filter(pl.col("value").is_not_null() | pl.col("numerator").is_not_null())
        frames = {
            str(code): part.drop("code") for (code,), part in written.group_by("code", maintain_order=True)
        }
        return ParsedObservations(
            frames=frames,
            indicators={code: self.indicators[code] for code in frames},
            rows=written.height,
            left_out=rows.height - written.height,
        )


def _expected_value(statistic: pl.Expr, numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """The value from the counts, as `analytics.observations.value_from_counts` computes it per statistic."""
    multiplier = pl.col("multiplier")
    return (
        pl.when(statistic.is_in(list(COUNT_LIKE)))
        .then(numerator * multiplier)
        .when(denominator > 0)
        .then(numerator / denominator * multiplier)
    )


def _statistic_name(statistic: str) -> str:
    names = {
        "proportion": _("a proportion"),
        "rate": _("a rate"),
        "count": _("a count"),
        "ratio": _("a ratio"),
        "mean": _("a mean"),
        "change": _("a change"),
        "enumeration": _("a count"),
    }
    return names.get(statistic, statistic)


def _formula(statistic: str, multiplier: float) -> str:
    formula = "numeratore" if statistic in COUNT_LIKE else "numeratore / denominatore"
    return formula if multiplier == 1 else f"{formula} × {_number(multiplier)}"
