"""The import of Ambiti Territoriali Sociali (ATS) and their member comuni.

Layout (docs/imports.md): a CSV, UTF-8, comma or semicolon, with the header
`codice_ambito,nome_ambito,codice_regione,codice_comune` and one row per member comune. Codes are text;
digits that lost their leading zeros in a spreadsheet (`1001` for `001001`) are padded back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from welfarelab.core.importing import ImportRejected, RowError, csv_rows
from welfarelab.territories.models import Territory

COLUMNS = ("codice_ambito", "nome_ambito", "codice_regione", "codice_comune")
# No "/": the code is a segment of page and API addresses (/territori/ambito/<code>/).
AMBITO_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,11}$")


@dataclass
class AmbitoRows:
    code: str
    name: str
    regione_id: int
    first_row: int
    comune_ids: list[int] = field(default_factory=list)


def _pad(code: str, width: int) -> str:
    return code.zfill(width) if code.isdigit() and len(code) < width else code


def ambiti_parse(content: bytes) -> list[AmbitoRows]:
    """Check the whole file and return its ambiti; raise ImportRejected listing every error."""
    rows = csv_rows(content, required_columns=COLUMNS)
    if not rows:
        raise ImportRejected([RowError(2, "", _("The file has a header but no rows."))])
    regioni = dict(Territory.objects.filter(kind=Territory.Kind.REGIONE).values_list("code", "id"))
    comuni = {
        code: (pk, regione_id)
        for code, pk, regione_id in Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list(
            "code", "id", "regione_id"
        )
    }
    errors: list[RowError] = []
    ambiti: dict[str, AmbitoRows] = {}
    seen_comuni: dict[str, int] = {}
    for number, row in rows:
        code, name = row["codice_ambito"], row["nome_ambito"]
        regione_code = _pad(row["codice_regione"], 2)
        comune_code = _pad(row["codice_comune"], 6)
        row_errors: list[RowError] = []
        if not AMBITO_CODE.match(code):
            row_errors.append(
                RowError(
                    number,
                    "codice_ambito",
                    _("%(value)r is not an ambito code (1 to 12 letters, digits, '.', '_' or '-').")
                    % {"value": code},
                )
            )
        if not name:
            row_errors.append(RowError(number, "nome_ambito", _("The name of the ambito is empty.")))
        elif len(name) > 200:
            row_errors.append(RowError(number, "nome_ambito", _("The name is longer than 200 characters.")))
        regione_id = regioni.get(regione_code)
        if regione_id is None:
            row_errors.append(
                RowError(
                    number,
                    "codice_regione",
                    _("%(value)r is not the ISTAT code of a regione (01 to 20).")
                    % {"value": row["codice_regione"]},
                )
            )
        comune = comuni.get(comune_code)
        if comune is None:
            row_errors.append(
                RowError(
                    number,
                    "codice_comune",
                    _("%(value)r is not the ISTAT code of a comune of the 2023 list.")
                    % {"value": row["codice_comune"]},
                )
            )
        elif regione_id is not None and comune[1] != regione_id:
            row_errors.append(
                RowError(
                    number,
                    "codice_comune",
                    _("Comune %(comune)s is not in regione %(regione)s: an ambito lies within one regione.")
                    % {"comune": comune_code, "regione": regione_code},
                )
            )
        if comune is not None:
            if comune_code in seen_comuni:
                row_errors.append(
                    RowError(
                        number,
                        "codice_comune",
                        _(
                            "Comune %(comune)s is already listed on row %(row)s: a comune belongs to one ambito."
                        )
                        % {"comune": comune_code, "row": seen_comuni[comune_code]},
                    )
                )
            else:
                seen_comuni[comune_code] = number
        ambito = ambiti.get(code)
        if ambito is not None and not row_errors:
            if ambito.name != name:
                row_errors.append(
                    RowError(
                        number,
                        "nome_ambito",
                        _("Ambito %(code)s is called %(first)r on row %(row)s and %(other)r here.")
                        % {"code": code, "first": ambito.name, "row": ambito.first_row, "other": name},
                    )
                )
            if ambito.regione_id != regione_id:
                row_errors.append(
                    RowError(
                        number,
                        "codice_regione",
                        _("Ambito %(code)s has another regione on row %(row)s.")
                        % {"code": code, "row": ambito.first_row},
                    )
                )
        errors.extend(row_errors)
        if row_errors or comune is None or regione_id is None:
            continue
        if ambito is None:
            ambito = ambiti[code] = AmbitoRows(code=code, name=name, regione_id=regione_id, first_row=number)
        ambito.comune_ids.append(comune[0])
    if errors:
        raise ImportRejected(errors)
    return list(ambiti.values())
