"""The XLSX template to fill in and upload: the import's columns, optional rows to fill, instructions.

The first sheet ("dati") is what the import reads; the second ("istruzioni") explains the columns and
the indicators asked for. Data-collection rounds build their files with the same function.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.indicators.importers import COLUMNS
from welfarelab.indicators.models import FIRST_PERIOD, Indicator
from welfarelab.territories.models import Territory

DATA_SHEET = "dati"
INSTRUCTIONS_SHEET = "istruzioni"
TEMPLATE_COLUMNS = (*COLUMNS, "nome_territorio")
_WIDTHS = (24, 16, 18, 10, 12, 14, 14, 40)
_TEXT = "@"  # the cell format "text": codes keep their leading zeros when typed over
_BOLD = Font(bold=True)


def territories_within(*, kind: str, within: Territory | None) -> QuerySet[Territory]:
    """The territories of `kind` inside `within` (all of Italy when None), ordered by code.

    A territory contains itself; an ambito contains its comuni, a provincia its comuni and the ambiti
    with comuni in it, a regione everything in it. A larger kind inside a smaller one is empty.
    """
    territories = Territory.objects.filter(kind=kind).order_by("code")
    if within is None or within.kind == Territory.Kind.ITALIA:
        return territories
    if within.kind == kind:
        return territories.filter(pk=within.pk)
    if within.kind == Territory.Kind.REGIONE:
        return territories.filter(regione=within)
    if within.kind == Territory.Kind.PROVINCIA and kind == Territory.Kind.COMUNE:
        return territories.filter(provincia=within)
    if within.kind == Territory.Kind.PROVINCIA and kind == Territory.Kind.AMBITO:
        return territories.filter(member_comuni__provincia=within).distinct()
    if within.kind == Territory.Kind.AMBITO and kind == Territory.Kind.COMUNE:
        return territories.filter(ambito=within)
    return territories.none()


def observations_template_xlsx(
    *, indicators: Sequence[Indicator], territories: Sequence[Territory], period: int | None
) -> bytes:
    """An XLSX workbook with one row to fill per indicator × territory (none when either is empty).

    Codes are written as text; `period` fills the periodo column (left empty when None). The
    instructions sheet describes the columns and each indicator: its numerator, denominator and
    multiplier, so that the person filling it in knows what to count.
    """
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(DATA_SHEET)
    _data_sheet(data, indicators=indicators, territories=territories, period=period)
    _instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET), indicators=indicators)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header(sheet: WriteOnlyWorksheet, names: Sequence[str]) -> None:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = _BOLD
        cells.append(cell)
    sheet.append(cells)


def _text(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = _TEXT
    return cell


def _data_sheet(
    sheet: WriteOnlyWorksheet,
    *,
    indicators: Sequence[Indicator],
    territories: Sequence[Territory],
    period: int | None,
) -> None:
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    kinds = ",".join(kind.value for kind in Territory.Kind)
    choice = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True)
    choice.add("B2:B1048576")
    sheet.data_validations.append(choice)
    _header(sheet, TEMPLATE_COLUMNS)
    for indicator in indicators:
        for territory in territories:
            sheet.append(
                [
                    _text(sheet, indicator.code),
                    _text(sheet, territory.kind),
                    _text(sheet, territory.code),
                    period,
                    None,
                    None,
                    None,
                    territory.name,
                ]
            )


def _instructions_sheet(sheet: WriteOnlyWorksheet, *, indicators: Sequence[Indicator]) -> None:
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")

    def line(*values: object, bold: bool = False) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap
            if bold:
                cell.font = _BOLD
            cells.append(cell)
        sheet.append(cells)

    line(_("How to fill in this file"), bold=True)
    line(
        _("Rules"),
        _(
            "Fill in the sheet “%(sheet)s”: one row per indicator, territory and year. Keep the first row "
            "and the names of the columns as they are. Leave a row's numbers empty when the value is "
            "unknown: it is left out. The whole file is checked before anything is saved: if a row is "
            "wrong nothing is loaded and every error is listed with its row and column."
        )
        % {"sheet": DATA_SHEET},
    )
    line(
        _("Saving"),
        _(
            "Upload this workbook as it is (XLSX), or save the sheet as “CSV UTF-8”, separated by commas or "
            "semicolons; with semicolons a decimal comma is accepted (12,5). Never use thousands separators."
        ),
    )
    line()
    line(_("Column"), _("What to write"), bold=True)
    for column, text in (
        ("codice_indicatore", _("The code of the indicator (see below).")),
        (
            "tipo_territorio",
            _(
                "italia, regione, provincia, ambito or comune; may be empty when the code names one territory."
            ),
        ),
        (
            "codice_territorio",
            _(
                "ISTAT code: 6 digits for a comune (058091), 3 for a provincia, 2 for a regione, IT for Italy; "
                "the ambito's code as imported."
            ),
        ),
        ("periodo", _("The year, four digits (from %(first)s).") % {"first": FIRST_PERIOD}),
        (
            "valore",
            _("The value as published; may be empty when numeratore is given: it is then computed."),
        ),
        ("numeratore", _("The count the value is made of (people, events); never below zero.")),
        (
            "denominatore",
            _(
                "The population the count is taken from; empty for counts. A value given with its numerator "
                "and denominator must agree with them, up to rounding."
            ),
        ),
        ("nome_territorio", _("Only for reading: it is not loaded.")),
    ):
        line(column, text)
    if indicators:
        line()
        line(_("Indicator"), _("Definition"), bold=True)
        for indicator in indicators:
            parts = [indicator.name, indicator.localized("definition")]
            if indicator.localized("numerator"):
                parts.append(_("Numerator: %(text)s") % {"text": indicator.localized("numerator")})
            if indicator.localized("denominator"):
                parts.append(_("Denominator: %(text)s") % {"text": indicator.localized("denominator")})
            parts.append(
                _("Kind of number: %(statistic)s; value = numerator / denominator × %(multiplier)s.")
                % {"statistic": indicator.get_statistic_display(), "multiplier": f"{indicator.multiplier:g}"}
                if indicator.statistic not in COUNT_LIKE
                else _("Kind of number: %(statistic)s; value = numerator × %(multiplier)s.")
                % {"statistic": indicator.get_statistic_display(), "multiplier": f"{indicator.multiplier:g}"}
            )
            line(indicator.code, "\n".join(str(part) for part in parts if part))
