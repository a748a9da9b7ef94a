"""The XLSX template of supply declarations: one row per territory × service, pre-filled with what is declared.

The first sheet ("dati") is what the import reads: keys written as text, the figures of the year's
declarations already there, empty rows for the services not declared (an empty row is left out on
import). The second ("istruzioni") explains the columns and lists the services, the ways of running
them and the need domains.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from welfarelab.indicators.models import NeedDomain
from welfarelab.services.importers import COLUMNS, DECIMALS, WHOLE_NUMBERS
from welfarelab.services.models import CONTEXT_DOMAINS, SocialService, SupplyDeclaration
from welfarelab.territories.models import Territory

DATA_SHEET = "dati"
INSTRUCTIONS_SHEET = "istruzioni"
TEMPLATE_COLUMNS = (*COLUMNS, "nome_territorio", "nome_servizio")
_TEXT = "@"
_BOLD = Font(bold=True)


def supply_template_xlsx(*, territories: Sequence[Territory], year: int) -> bytes:
    """A workbook with a row per territory × active service, filled with the year's declarations."""
    services = list(SocialService.objects.filter(is_active=True).select_related("macro_area"))
    declared = {
        (d.territory_id, d.service_id): d
        for d in SupplyDeclaration.objects.filter(year=year, territory__in=territories).prefetch_related(
            "need_domains"
        )
    }
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "A2"
    managements = ",".join(value for value, _label in SupplyDeclaration.Management.choices)
    choice = DataValidation(type="list", formula1=f'"{managements}"', allow_blank=True)
    choice.add(f"{_letter(COLUMNS.index('gestione'))}2:{_letter(COLUMNS.index('gestione'))}1048576")
    sheet.data_validations.append(choice)
    _line(sheet, TEMPLATE_COLUMNS, bold=True)
    for territory in territories:
        for service in services:
            declaration = declared.get((territory.pk, service.pk))
            sheet.append(
                [
                    _text(sheet, territory.kind),
                    _text(sheet, territory.code),
                    year,
                    _text(sheet, service.code),
                    *_figures(declaration),
                    territory.name,
                    service.name,
                ]
            )
    _instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), services=services)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _text(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = _TEXT
    return cell


def _line(
    sheet: WriteOnlyWorksheet, values: Sequence[object], *, bold: bool = False, wrap: bool = False
) -> None:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if bold:
            cell.font = _BOLD
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    sheet.append(cells)


def _figures(declaration: SupplyDeclaration | None) -> list[object]:
    if declaration is None:
        return [None] * (len(WHOLE_NUMBERS) + len(DECIMALS) + 3)
    values: list[object] = [getattr(declaration, field) for field in WHOLE_NUMBERS.values()]
    values += [
        None if (v := getattr(declaration, field)) is None else float(v) for field in DECIMALS.values()
    ]
    domains = " ".join(sorted(d.code for d in declaration.need_domains.all()))
    return [*values, declaration.management, domains, declaration.note]


def _instructions(sheet: WriteOnlyWorksheet, *, services: Sequence[SocialService]) -> None:
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90

    def line(*values: object, bold: bool = False) -> None:
        _line(sheet, values, bold=bold, wrap=True)

    line(_("How to fill in this file"), bold=True)
    line(
        _("Rules"),
        _(
            "Fill in the sheet “%(sheet)s”: one row per territory, year and service it runs. Keep the first row "
            "as it is. A row with nothing but its territory, year and service is left out: the service is not "
            "declared. The whole file is checked before anything is saved: if a row is wrong nothing is loaded "
            "and every error is listed with its row and column. An empty figure is unknown, not zero."
        )
        % {"sheet": DATA_SHEET},
    )
    line()
    line(_("Column"), _("What to write"), bold=True)
    for column, text in (
        ("tipo_territorio", _("comune or ambito; may be empty when the code names one territory.")),
        (
            "codice_territorio",
            _("ISTAT code of the comune (6 digits, 058091) or the ambito's code as imported."),
        ),
        ("anno", _("The year of the service, four digits (for nurseries, the school year starting in it).")),
        ("codice_servizio", _("The code of the service in the catalogue (below).")),
        ("posti", _("Places or capacity; for nurseries, full-time-equivalent places, public and private.")),
        ("utenti", _("Users served in the year.")),
        ("utenti_65_e_piu", _("Of the users, those aged 65 and over (needed for home care).")),
        ("personale_etp", _("Staff of the service in full-time equivalents, social workers included.")),
        (
            "as_etp_indeterminato",
            _("Social workers on permanent contracts of the comune or ambito, FTE: they count for the LEPS."),
        ),
        ("as_etp_determinato", _("Social workers on fixed-term contracts, FTE.")),
        (
            "spesa_euro",
            _("Spending on the service in the year, in euro (decimal point; no thousands separator)."),
        ),
        ("gestione", _("How it is run: %(choices)s.") % {"choices": _management_choices()}),
        ("domini_bisogno", _("Need domains it answers, codes separated by spaces; empty = the catalogue's.")),
        ("note", _("Free text, up to 1000 characters.")),
        ("nome_territorio, nome_servizio", _("Only for reading: not loaded.")),
    ):
        line(column, text)
    line()
    line(_("Service"), _("Name and macro-area"), bold=True)
    for service in services:
        line(service.code, f"{service.name} ({service.macro_area})")
    line()
    line(_("Need domain"), _("Name"), bold=True)
    for domain in NeedDomain.objects.exclude(code__in=CONTEXT_DOMAINS):
        line(domain.code, domain.name)


def _management_choices() -> str:
    return "; ".join(f"{value} = {label}" for value, label in SupplyDeclaration.Management.choices)
