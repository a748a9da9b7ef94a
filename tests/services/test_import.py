"""Importing declarations from CSV or XLSX: every error by row and column, nothing half-written."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.factories import UserFactory
from tests.services.conftest import HEADER, YEAR, declare, editor_of, observation, written
from welfarelab.core.importing import ImportRejected
from welfarelab.services.importing import declarations_import
from welfarelab.services.models import SupplyDeclaration, SupplyImport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD = (
    HEADER
    + "comune,001001,2023,asilo_nido,124,118,,20.5,,,250000,diretta,,\n"
    + "ambito,TO-4,2023,servizio_sociale_professionale,,900,,12,6,2,410000.50,convenzione_ets,comunita_terzo_settore poverta_inclusione,capofila Cuorgnè\n"
    + "comune,1015,2023,pronto_intervento_sociale,,,,,,,,coprogettazione,,\n"
    + ",001015,2023,telesoccorso,,,,,,,,,,\n"
)


def load(text: str, *, user=None, name: str = "servizi.csv"):
    return declarations_import(content=text.encode(), filename=name, user=user)


def rejected(text: str, *, user=None) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        load(text, user=user)
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def test_a_good_file_is_written_whole_with_its_import_and_the_indicators(italy, catalogue):
    supply_import, parsed = load(GOOD)

    assert (supply_import.rows, parsed.left_out) == (3, 1)  # telesoccorso: nothing but its keys
    assert SupplyDeclaration.objects.filter(source_import=supply_import).count() == 3
    nido = SupplyDeclaration.objects.get(service__code="asilo_nido")
    assert (nido.places, nido.users_served, float(nido.staff_fte), float(nido.spending_eur)) == (
        124,
        118,
        20.5,
        250000,
    )
    ssp = SupplyDeclaration.objects.get(territory=italy["ambito"])
    assert (float(ssp.social_workers_permanent_fte), float(ssp.social_workers_fixed_term_fte)) == (6, 2)
    assert set(ssp.need_domains.values_list("code", flat=True)) == {
        "comunita_terzo_settore",
        "poverta_inclusione",
    }
    assert ssp.note == "capofila Cuorgnè"
    assert SupplyDeclaration.objects.get(territory=italy["bairo"]).management == "coprogettazione"
    assert observation("nursery_places_per_100_0_2", italy["aglie"]).numerator == 124
    assert observation("social_workers_per_10000", italy["ambito"]).numerator == pytest.approx(6)


def test_loading_again_replaces_the_same_declarations(italy, catalogue):
    load(GOOD)
    load(HEADER + "comune,001001,2023,asilo_nido,165,,,,,,,diretta,,\n")
    nido = SupplyDeclaration.objects.get(service__code="asilo_nido")
    assert (nido.places, nido.users_served) == (165, None)
    assert SupplyDeclaration.objects.count() == 3
    assert observation("nursery_places_per_100_0_2", italy["aglie"]).numerator == 165


def test_every_error_is_listed_by_row_and_column_and_nothing_is_written(italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=10)
    before = written()
    text = (
        HEADER
        + "comune,001001,2023,asilo_nido,12.5,,,,,,,diretta,,\n"  # 2: half a place
        + "comune,999999,2023,asilo_nido,1,,,,,,,diretta,,\n"  # 3: no such comune
        + "provincia,001,2023,asilo_nido,1,,,,,,,diretta,,\n"  # 4: a provincia
        + "comune,001001,23,asilo_nido,1,,,,,,,diretta,,\n"  # 5: not a year
        + "comune,001001,2023,asilo,1,,,,,,,diretta,,\n"  # 6: no such service
        + "comune,001001,2023,assistenza_domiciliare_sociale,,10,12,1,1,1,,diretta,,\n"  # 7: two errors
        + "comune,001001,2023,telesoccorso,,,,,,,-5,gestita,salute,\n"  # 8: three errors
        + "comune,001001,2023,trasporto_sociale,,4,,,,,,,,\n"  # 9: how it is run
        + "comune,001001,2023,centro_diurno_anziani,,,,,,,1.234,diretta,demografia,\n"  # 10: decimals, domain
        + "comune,001001,2023,asilo_nido,3,,,,,,,diretta,,\n"  # 11: same as row 2
    )
    assert rejected(text) == [
        (2, "posti", "“12.5” in posti is not a whole number: it counts places or people."),
        (
            3,
            "codice_territorio",
            "“999999” is not the code of a territory. ISTAT codes have 6 digits for a comune (058091), 3 for a provincia, 2 for a regione, IT for Italy; ambiti have the codes they were imported with.",
        ),
        (
            4,
            "codice_territorio",
            "provincia 001 (Torino) cannot declare services: a comune or an ambito declares them.",
        ),
        (5, "anno", "“23” is not a year: write it with four digits, e.g. 2024."),
        (
            6,
            "codice_servizio",
            "“asilo” is not the code of a service of the catalogue (see /servizi/catalogo/).",
        ),
        (7, "utenti_65_e_piu", "The users aged 65 and over (12) cannot be more than the users served (10)."),
        (
            7,
            "personale_etp",
            "The staff (1 FTE) cannot be fewer than its social workers on permanent and fixed-term contracts.",
        ),
        (8, "spesa_euro", "“-5” in spesa_euro is below zero."),
        (
            8,
            "gestione",
            "“gestita” is not a way of running a service: write appalto, convenzione_ets, coprogettazione, diretta.",
        ),
        (
            8,
            "domini_bisogno",
            "“salute”: not the code of a need domain. The codes are casa_abitare, comunita_terzo_settore, disabilita_vita_indipendente, invecchiamento_non_autosufficienza, lavoro_occupabilita, migrazioni_integrazione, minori_giovani, poverta_inclusione, prima_infanzia_famiglie, salute_dipendenze.",
        ),
        (
            9,
            "gestione",
            "Say how the service is run: write appalto, convenzione_ets, coprogettazione, diretta.",
        ),
        (10, "spesa_euro", "“1.234” in spesa_euro has more than two decimals or is too large."),
        (
            10,
            "domini_bisogno",
            "“demografia”: not the code of a need domain. The codes are casa_abitare, comunita_terzo_settore, disabilita_vita_indipendente, invecchiamento_non_autosufficienza, lavoro_occupabilita, migrazioni_integrazione, minori_giovani, poverta_inclusione, prima_infanzia_famiglie, salute_dipendenze.",
        ),
        (
            11,
            "codice_servizio",
            "Same territory (comune 001001 (Agliè)), year (2023) and service (asilo_nido) as row 2: each may appear once.",
        ),
    ]
    assert written() == before
    assert SupplyDeclaration.objects.get().places == 10


def test_a_file_with_a_bad_header_is_refused_before_its_rows(italy, catalogue):
    assert rejected("codice_territorio,anno,servizio\n001001,2023,asilo_nido\n") == [
        (
            1,
            "codice_servizio",
            "Required column is missing (expected: codice_territorio, anno, codice_servizio).",
        ),
    ]
    assert rejected("codice_territorio,anno,codice_servizio,posto\n001001,2023,asilo_nido,3\n")[0][:2] == (
        1,
        "posto",
    )


def test_an_editor_may_load_only_its_territories(italy, catalogue):
    editor = editor_of(italy["aglie"])
    before = written()
    text = (
        HEADER
        + "comune,001001,2023,asilo_nido,1,,,,,,,diretta,,\ncomune,001015,2023,asilo_nido,1,,,,,,,diretta,,\n"
    )
    assert rejected(text, user=editor) == [
        (
            3,
            "codice_territorio",
            "You may not load data for comune 001015 (Bairo): only the lab coordinators and the editors of its public body (or of its ambito) may.",
        ),
    ]
    assert written() == before
    load(text, user=editor_of(italy["ambito"]))  # the ambito's editor loads its comuni
    assert SupplyDeclaration.objects.count() == 2


def test_an_xlsx_file_and_a_semicolon_csv_with_decimal_commas_are_read(italy, catalogue):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["tipo_territorio", "codice_territorio", "anno", "codice_servizio", "personale_etp", "gestione"]
    )
    sheet.append(["comune", "001001", 2023, "segretariato_sociale", 2.25, "diretta"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    declarations_import(content=buffer.getvalue(), filename="servizi.xlsx", user=None)
    load(
        "codice_territorio;anno;codice_servizio;spesa_euro;gestione\n001015;2023;telesoccorso;1234,5;appalto\n"
    )
    assert float(SupplyDeclaration.objects.get(service__code="segretariato_sociale").staff_fte) == 2.25
    assert float(SupplyDeclaration.objects.get(service__code="telesoccorso").spending_eur) == 1234.5


def test_the_page_loads_a_file_and_lists_errors_by_row_and_column(client, italy, catalogue):
    client.force_login(editor_of(italy["aglie"]))
    bad = SimpleUploadedFile(
        "servizi.csv", (HEADER + "comune,001001,2023,asilo_nido,-1,,,,,,,diretta,,\n").encode()
    )
    page = client.post(reverse("services:import"), {"file": bad}).content.decode()
    assert "The file was rejected: 1 error. Nothing was loaded." in page
    assert "<td>2</td><td><code>posti</code></td><td>“-1” in posti is below zero.</td>" in page
    assert not SupplyImport.objects.exists()

    good = SimpleUploadedFile(
        "servizi.csv", (HEADER + "comune,001001,2023,asilo_nido,124,,,,,,,diretta,,\n").encode()
    )
    response = client.post(reverse("services:import"), {"file": good}, follow=True)
    assert "servizi.csv: 1 declaration loaded." in response.content.decode()


def test_the_import_page_is_for_editors_of_public_bodies(client, italy, catalogue):
    assert client.get(reverse("services:import")).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("services:import")).status_code == 403


def test_the_template_is_pre_filled_and_loads_back_unchanged(client, italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124, spending_eur=1000.5)
    client.force_login(editor_of(italy["ambito"]))

    response = client.get(reverse("services:template"), {"entro": "ambito:TO-4", "anno": YEAR})

    assert response["Content-Disposition"] == 'attachment; filename="modello_servizi.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    services = 35
    assert len(rows) == 1 + 3 * services  # the ambito, Agliè, Bairo
    assert rows[0][:4] == ("tipo_territorio", "codice_territorio", "anno", "codice_servizio")
    assert {row[0] for row in rows[1:]} == {"ambito", "comune"}
    nido = next(row for row in rows if row[1] == "001001" and row[3] == "asilo_nido")
    assert (
        nido[4] == 124
        and nido[10] == 1000.5
        and nido[11] == "diretta"
        and nido[12] == "prima_infanzia_famiglie"
    )

    _import, parsed = declarations_import(content=response.content, filename="modello.xlsx", user=None)
    assert (len(parsed.rows), parsed.left_out) == (1, 3 * services - 1)
    assert SupplyDeclaration.objects.get().places == 124


def test_the_command_loads_a_file_or_says_what_is_wrong(tmp_path, italy, catalogue, capsys):
    good = tmp_path / "servizi.csv"
    good.write_text(GOOD)
    call_command("import_supply", str(good))
    assert "servizi.csv: 3 declaration(s) loaded" in capsys.readouterr().out

    bad = tmp_path / "sbagliato.csv"
    bad.write_text(HEADER + "comune,001001,2023,asilo_nido,x,,,,,,,diretta,,\n")
    with pytest.raises(CommandError, match=r"sbagliato\.csv was rejected"):
        call_command("import_supply", str(bad))
    assert "row 2, column posti: “x” in posti is not a number." in capsys.readouterr().err

    editor = editor_of(italy["aglie"])
    other = tmp_path / "altro.csv"
    other.write_text(HEADER + "comune,001015,2023,asilo_nido,1,,,,,,,diretta,,\n")
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_supply", str(other), user=editor.email)
    with pytest.raises(CommandError, match="No user"):
        call_command("import_supply", str(other), user="nobody@example.org")
