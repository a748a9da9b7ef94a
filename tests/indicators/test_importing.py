"""Importing observations: a good file lands whole with intervals and sums; a bad one writes nothing."""

from __future__ import annotations

import hashlib
import io
import time

import pytest
from openpyxl import Workbook

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.indicators.conftest import HEADER, written
from welfarelab.accounts.models import Membership
from welfarelab.core.importing import ImportRejected, RowError
from welfarelab.indicators.importers import last_period
from welfarelab.indicators.importing import observations_import
from welfarelab.indicators.models import ImportBatch, Observation
from welfarelab.organisations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def load(content: str | bytes, *, user=None, filename: str = "valori.csv") -> ImportBatch:
    data = content.encode() if isinstance(content, str) else content
    return observations_import(content=data, filename=filename, user=user)


def rejected(content: str | bytes, *, user=None, filename: str = "valori.csv") -> list[RowError]:
    """The errors of a refused file, after checking that nothing at all was written."""
    before = written()
    with pytest.raises(ImportRejected) as refused:
        load(content, user=user, filename=filename)
    assert written() == before
    return refused.value.errors


def only_error(content: str | bytes, **kwargs) -> tuple[int, str, str]:
    errors = rejected(content, **kwargs)
    assert len(errors) == 1, errors
    return errors[0].row, errors[0].column, errors[0].message


def cell(indicator: str, territory: str, period: int = 2024) -> Observation:
    return Observation.objects.get(indicator__code=indicator, territory__code=territory, period=period)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- good files -----------------------------------------------------------------------------------


def test_a_good_csv_lands_with_intervals_and_sums_up_the_hierarchy(italy, indicators):
    user = UserFactory(is_lab_coordinator=True)
    content = HEADER + (
        "minori_in_carico,comune,058091,2024,,30,200\n"
        "minori_in_carico,comune,058120,2024,10.0,10,100\n"
        "accessi_pua,,001001,2024,,7,\n"
    )

    batch = load(content, user=user)

    assert (batch.origin, batch.filename, batch.rows, batch.created_by, batch.note) == (
        "upload",
        "valori.csv",
        3,
        user,
        "",
    )
    assert batch.sha256 == hashlib.sha256(content.encode()).hexdigest()
    roma = cell("minori_in_carico", "058091")
    assert (roma.value, roma.numerator, roma.denominator, roma.origin, roma.batch) == (
        15.0,
        30,
        200,
        "reported",
        batch,
    )
    assert roma.lower_95 == pytest.approx(10.7, abs=0.05)
    assert roma.upper_95 == pytest.approx(20.6, abs=0.05)
    provincia = cell("minori_in_carico", "058")
    assert (provincia.numerator, provincia.denominator, provincia.value, provincia.origin) == (
        40,
        300,
        40 / 3,
        "aggregated",
    )
    assert provincia.coverage == 1.0
    assert cell("minori_in_carico", "IT").numerator == 40
    assert (cell("accessi_pua", "001001").value, cell("accessi_pua", "001").value) == (7, 7)


def test_a_good_xlsx_lands_and_lost_leading_zeros_are_put_back(italy, indicators):
    content = xlsx(
        [
            [
                "codice_indicatore",
                "tipo_territorio",
                "codice_territorio",
                "periodo",
                "valore",
                "numeratore",
                "denominatore",
            ],
            ["minori_in_carico", "comune", 58091, 2024, 15, 30, 200],
            [],
            ["minori_in_carico", None, "58120", 2024.0, None, 10, 100],
        ]
    )

    batch = load(content, filename="valori.xlsx")

    assert batch.rows == 2
    assert (cell("minori_in_carico", "058091").value, cell("minori_in_carico", "058120").value) == (15, 10)
    assert cell("minori_in_carico", "058").numerator == 40


def test_an_xlsx_is_recognised_by_its_content_and_its_errors_keep_their_rows(italy, indicators):
    content = xlsx(
        [
            ["codice_indicatore", "codice_territorio", "periodo", "valore"],
            ["minori_in_carico", "058091", 2024, 15],
            [None, None, None, None],
            ["minori_in_carico", "058120", 2024, "quindici"],
        ]
    )

    assert only_error(content, filename="upload") == (4, "valore", "“quindici” in valore is not a number.")


def test_semicolons_take_decimal_commas_and_a_byte_order_mark(italy, indicators):
    content = "\ufeff" + HEADER.replace(",", ";") + "minori_in_carico;comune;058091;2024;12,5;;\n"

    load(content)

    assert cell("minori_in_carico", "058091").value == 12.5


def test_the_value_from_the_counts_is_stored_and_a_value_alone_has_no_interval(italy, indicators):
    load(
        HEADER + "minori_in_carico,comune,058091,2024,33.3,1,3\nminori_in_carico,comune,058120,2024,12.5,,\n"
    )

    assert cell("minori_in_carico", "058091").value == pytest.approx(100 / 3)
    alone = cell("minori_in_carico", "058120")
    assert (alone.value, alone.numerator, alone.lower_95, alone.upper_95) == (12.5, None, None, None)


def test_rows_without_numbers_are_left_out_and_said_so(italy, indicators):
    batch = load(
        HEADER + "minori_in_carico,comune,058091,2024,15,,\nminori_in_carico,comune,058120,2024,,,\n"
    )

    assert (batch.rows, batch.note) == (1, "1 row without numbers (an unknown value) was left out.")
    assert not Observation.objects.filter(territory__code="058120").exists()


def test_a_new_file_replaces_the_same_cells_only(italy, indicators):
    load(HEADER + "minori_in_carico,comune,058091,2024,15,,\nminori_in_carico,comune,058091,2023,14,,\n")

    load(HEADER + "minori_in_carico,comune,058091,2024,16,,\n")

    assert (cell("minori_in_carico", "058091").value, cell("minori_in_carico", "058091", 2023).value) == (
        16,
        14,
    )
    assert Observation.objects.filter(origin="reported").count() == 2


def test_the_kind_of_territory_may_be_left_out_when_the_code_is_unambiguous(italy, indicators):
    content = (
        "codice_indicatore,codice_territorio,periodo,valore\n"
        "minori_in_carico,it,2024,11\nminori_in_carico,12,2024,12\nminori_in_carico,058,2024,13\n"
        "minori_in_carico,rm-1,2024,14\n"
    )

    load(content)

    assert [cell("minori_in_carico", code).value for code in ("IT", "12", "058", "RM-1")] == [11, 12, 13, 14]


def test_a_change_may_be_negative(italy, indicators):
    load(HEADER + "variazione_spesa,comune,058091,2024,-5,-10,200\n")

    assert cell("variazione_spesa", "058091").value == -5


# --- malformed files (each: the message, its row and column, and nothing written) --------------------


def test_an_empty_file_is_refused(italy, indicators):
    assert only_error(b"") == (1, "", "The file is empty.")


def test_a_header_without_rows_is_refused(italy, indicators):
    assert only_error(HEADER) == (2, "", "The file has a header but no rows.")


def test_a_50_mb_file_is_refused_at_once_before_parsing(italy, indicators):
    row = b"minori_in_carico,comune,058091,2024,15,,\n"
    content = (HEADER.encode() + row * (50 * 1024 * 1024 // len(row) + 1))[: 50 * 1024 * 1024]

    started = time.perf_counter()
    error = only_error(content)

    assert time.perf_counter() - started < 1
    assert error == (0, "", "The file is 50.0 MB: the limit is 20 MB.")


def test_latin_1_accents_are_reported_with_their_row_and_the_way_to_save_the_file(italy, indicators):
    content = (HEADER.rstrip("\n") + ",nome_territorio\n").encode() + (
        "minori_in_carico,comune,058091,2024,15,,,Roma\nminori_in_carico,comune,001001,2024,15,,,Agliè\n"
    ).encode("latin-1")

    assert only_error(content) == (
        3,
        "nome_territorio",
        "The file is not UTF-8 text: row 3 has the byte 0xE8, which is “è” in the Latin-1 or Windows "
        "encoding (1 row(s) in all). Save the file as “CSV UTF-8” from the spreadsheet and upload it again.",
    )


@pytest.mark.parametrize(("separator", "named"), [("\t", "a tab"), ("|", "“|”")])
def test_a_wrong_separator_is_named(italy, indicators, separator, named):
    content = (HEADER + "minori_in_carico,comune,058091,2024,15,,\n").replace(",", separator)

    assert only_error(content) == (
        1,
        "",
        f"The separator of the columns seems to be {named}: a comma or a semicolon is expected. Save the "
        "file as “CSV UTF-8” (comma-separated) from the spreadsheet.",
    )


def test_an_unknown_indicator_code_is_named(italy, indicators):
    assert only_error(
        HEADER + "minori_in_carico,comune,058091,2024,15,,\nminori,comune,058091,2024,15,,\n"
    ) == (
        3,
        "codice_indicatore",
        "“minori” is not the code of an indicator of the catalogue.",
    )


def test_text_in_a_number_column_is_named(italy, indicators):
    assert only_error(HEADER + "minori_in_carico,comune,058091,2024,,dodici,200\n") == (
        2,
        "numeratore",
        "“dodici” in numeratore is not a number.",
    )


@pytest.mark.parametrize(
    ("_case", "rows", "expected"),
    [
        (
            "unknown territory",
            "minori_in_carico,comune,999999,2024,15,,\n",
            (
                "codice_territorio",
                "“999999” is not the code of a territory. ISTAT codes have 6 digits for a comune (058091), "
                "3 for a provincia, 2 for a regione, IT for Italy; ambiti have the codes they were imported with.",
            ),
        ),
        (
            "territory of another kind",
            "minori_in_carico,provincia,058091,2024,15,,\n",
            (
                "codice_territorio",
                "“058091” is not the code of a territory of kind provincia: it is the code of comune 058091 (Roma).",
            ),
        ),
        (
            "ambiguous code",
            "minori_in_carico,,1,2024,15,,\n",
            (
                "codice_territorio",
                "“1” is the code of several territories (provincia 001 (Torino), regione 01 (Piemonte)): "
                "fill in tipo_territorio.",
            ),
        ),
        (
            "unknown kind",
            "minori_in_carico,città,058091,2024,15,,\n",
            (
                "tipo_territorio",
                "“città” is not a kind of territory: write italia, regione, provincia, ambito, comune, or leave it empty.",
            ),
        ),
        (
            "negative count",
            "accessi_pua,comune,058091,2024,,-3,\n",
            ("numeratore", "The numerator -3 is negative: it counts people or events."),
        ),
        (
            "negative denominator",
            "minori_in_carico,comune,058091,2024,,3,-10\n",
            ("denominatore", "The denominator -10 is negative: it counts people or events."),
        ),
        (
            "negative value",
            "minori_in_carico,comune,058091,2024,-1,,\n",
            ("valore", "The value -1 is negative: indicator minori_in_carico is a proportion."),
        ),
        (
            "numerator above the denominator",
            "minori_in_carico,comune,058091,2024,,30,20\n",
            (
                "numeratore",
                "The numerator 30 is larger than the denominator 20: a proportion counts a part of its whole.",
            ),
        ),
        (
            "proportion above its multiplier",
            "minori_in_carico,comune,058091,2024,120,,\n",
            (
                "valore",
                "The value 120 is above 100, the largest a proportion of indicator minori_in_carico can be.",
            ),
        ),
        (
            "denominator missing",
            "sfratti_1000,comune,058091,2024,,12,\n",
            ("denominatore", "Indicator sfratti_1000 is a rate: the numerator needs its denominator."),
        ),
        (
            "denominator of a count",
            "accessi_pua,comune,058091,2024,,12,100\n",
            (
                "denominatore",
                "Indicator accessi_pua is a count: it has no denominator, leave denominatore empty.",
            ),
        ),
        (
            "denominator without numerator",
            "minori_in_carico,comune,058091,2024,15,,100\n",
            (
                "denominatore",
                "A denominator needs its numerator: fill in numeratore, or leave denominatore empty.",
            ),
        ),
        (
            "value disagreeing with the counts",
            "minori_in_carico,comune,058091,2024,12,30,200\n",
            (
                "valore",
                "The value 12 does not agree with the numerator and denominator: numeratore / denominatore × 100 "
                "gives 15.0 (a difference up to 0.05 is allowed for rounding).",
            ),
        ),
        (
            "value with a zero denominator",
            "minori_in_carico,comune,058091,2024,5,0,0\n",
            ("valore", "The denominator is 0, so there is no value: leave valore empty."),
        ),
        (
            "period not a year",
            "minori_in_carico,comune,058091,2023/24,15,,\n",
            ("periodo", "“2023/24” is not a year: write it with four digits, e.g. 2023."),
        ),
        (
            "period too early",
            "minori_in_carico,comune,058091,1850,15,,\n",
            ("periodo", f"The year 1850 is out of range: periods go from 1861 to {last_period()}."),
        ),
        (
            "period ahead",
            f"minori_in_carico,comune,058091,{last_period() + 1},15,,\n",
            (
                "periodo",
                f"The year {last_period() + 1} is out of range: periods go from 1861 to {last_period()}.",
            ),
        ),
        (
            "built-in indicator",
            "pop_total,comune,058091,2024,,100,\n",
            (
                "codice_indicatore",
                "Indicator pop_total is computed by the platform from open data: it cannot be uploaded.",
            ),
        ),
    ],
)
def test_a_wrong_row_rejects_the_file(italy, indicators, _case, rows, expected):
    good = "minori_in_carico,comune,001001,2024,15,,\n"

    assert only_error(HEADER + good + rows) == (3, *expected)


def test_a_value_rounded_to_the_indicators_decimals_agrees(italy, indicators):
    load(
        HEADER + "minori_in_carico,comune,058091,2024,33.3,1,3\nsfratti_1000,comune,058091,2024,0.67,2,3000\n"
    )

    assert cell("sfratti_1000", "058091").value == pytest.approx(2 / 3)


def test_duplicate_rows_name_both_rows(italy, indicators):
    content = HEADER + (
        "minori_in_carico,comune,058091,2024,15,,\nminori_in_carico,comune,001001,2024,15,,\n"
        "minori_in_carico,,58091,2024,16,,\n"
    )

    assert only_error(content) == (
        4,
        "codice_territorio",
        "Same indicator (minori_in_carico), territory (comune 058091 (Roma)) and period (2024) as row 2: "
        "each may appear once.",
    )


def test_thousands_separators_are_refused_in_a_semicolon_file(italy, indicators):
    content = HEADER.replace(",", ";") + "accessi_pua;comune;058091;2024;;1.234;\n"

    assert only_error(content) == (
        2,
        "numeratore",
        "“1.234” is ambiguous: in a file separated by semicolons write numbers with a decimal comma and no "
        "thousands separator (1234 or 1234,5).",
    )


@pytest.mark.parametrize(
    ("_case", "header", "expected"),
    [
        (
            "missing column",
            "codice_indicatore,codice_territorio,valore\n",
            [
                (
                    1,
                    "periodo",
                    "Required column is missing (expected: codice_indicatore, codice_territorio, periodo).",
                )
            ],
        ),
        (
            "repeated column",
            "codice_indicatore,codice_territorio,periodo,valore,valore\n",
            [(1, "valore", "The column appears more than once in the header.")],
        ),
        (
            "misspelt column",
            "codice_indicatore,codice_territorio,periodo,valori\n",
            [
                (
                    1,
                    "valori",
                    "Unknown column “valori”: the columns are codice_indicatore, codice_territorio, periodo, "
                    "tipo_territorio, valore, numeratore, denominatore, nome_territorio, nome_indicatore, note.",
                )
            ],
        ),
        (
            "neither value nor numerator",
            "codice_indicatore,codice_territorio,periodo,denominatore\n",
            [(1, "valore", "Give the column valore, or numeratore (with denominatore), or both.")],
        ),
    ],
)
def test_a_wrong_header_is_refused(italy, indicators, _case, header, expected):
    errors = rejected(header + "minori_in_carico,058091,2024,15\n")

    assert [(e.row, e.column, e.message) for e in errors] == expected


def test_every_error_of_every_row_is_reported_in_order(italy, indicators):
    content = HEADER + (
        "minori_in_carico,comune,058091,2024,15,,\n"
        "nessuno,comune,999999,20x4,abc,,\n"
        "minori_in_carico,comune,058120,2024,,30,20\n"
    )

    errors = rejected(content)

    assert [(e.row, e.column) for e in errors] == [
        (3, "codice_indicatore"),
        (3, "codice_territorio"),
        (3, "periodo"),
        (3, "valore"),
        (4, "numeratore"),
    ]


def test_a_row_of_another_width_and_a_broken_xlsx_are_refused(italy, indicators):
    assert only_error(HEADER + "minori_in_carico,comune,058091,2024,15\n") == (
        2,
        "",
        "The row has 5 values; the header has 7 columns.",
    )
    row, column, message = only_error(b"PK\x03\x04 not really a workbook", filename="valori.xlsx")
    assert (row, column) == (0, "")
    assert message.startswith("The file is not a readable XLSX workbook")


def test_trailing_empty_columns_of_a_spreadsheet_are_ignored(italy, indicators):
    load(HEADER.replace("\n", ";;\n").replace(",", ";") + "minori_in_carico;comune;058091;2024;15;;;;\n")

    assert cell("minori_in_carico", "058091").value == 15


# --- who may write which territory ---------------------------------------------------------------------


def _editor_of(kind: str, territory, role: str = Membership.Role.EDITOR):
    body = OrganisationFactory(kind=kind, name=f"Ente {territory.name}", territory=territory, legal_form="")
    return MembershipFactory(organisation=body, role=role).user


def test_an_editor_of_a_comune_may_write_only_its_comune(italy, indicators):
    editor = _editor_of(Organisation.Kind.COMUNE, italy["roma"])

    load(HEADER + "minori_in_carico,comune,058091,2024,15,,\n", user=editor)

    assert only_error(HEADER + "minori_in_carico,comune,058120,2024,15,,\n", user=editor) == (
        2,
        "codice_territorio",
        "You may not load data for comune 058120 (Fiumicino): only the lab coordinators and the editors of "
        "its public body (or of its ambito) may.",
    )


def test_an_editor_of_an_ambito_may_write_the_ambito_and_its_comuni(italy, indicators):
    editor = _editor_of(Organisation.Kind.AMBITO, italy["ambito"], role=Membership.Role.ADMIN)

    load(
        HEADER + "minori_in_carico,ambito,RM-1,2024,15,,\nminori_in_carico,comune,058091,2024,15,,\n",
        user=editor,
    )

    errors = rejected(HEADER + "minori_in_carico,comune,058120,2024,15,,\n", user=editor)
    assert [(e.row, e.column) for e in errors] == [(2, "codice_territorio")]


@pytest.mark.parametrize("role", ["viewer", "ets_editor", "plain"])
def test_others_may_write_no_territory(italy, indicators, role):
    if role == "viewer":
        user = _editor_of(Organisation.Kind.COMUNE, italy["roma"], role=Membership.Role.VIEWER)
    elif role == "ets_editor":  # an ETS's territory is its seat, not a territory it governs
        ets = OrganisationFactory(territory=italy["roma"])
        user = MembershipFactory(organisation=ets, role=Membership.Role.EDITOR).user
    else:
        user = UserFactory()

    errors = rejected(HEADER + "minori_in_carico,comune,058091,2024,15,,\n", user=user)

    assert [(e.row, e.column) for e in errors] == [(2, "codice_territorio")]
