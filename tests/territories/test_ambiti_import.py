"""Importing Ambiti Territoriali Sociali: all or nothing, errors by row and column."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.factories import TerritoryFactory, UserFactory, add_population, make_italy_slice
from welfarelab.core.importing import ImportRejected
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import AmbitoImport, PopulationByAge, Territory
from welfarelab.territories.selectors import population_totals
from welfarelab.territories.services import ambiti_import

pytestmark = pytest.mark.django_db

HEADER = "codice_ambito,nome_ambito,codice_regione,codice_comune\n"


@pytest.fixture
def italy():
    places = make_italy_slice()
    places["airasca"] = TerritoryFactory(
        code="001002", name="Airasca", regione=places["piemonte"], provincia=places["torino"]
    )
    return places


def _import(text: str, user=None) -> AmbitoImport:
    return ambiti_import(content=text.encode(), filename="ambiti.csv", imported_by=user)


def _errors(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as rejected:
        _import(text)
    return [(e.row, e.column) for e in rejected.value.errors]


def test_a_good_file_creates_ambiti_with_members_population_and_a_public_body(italy):
    add_population(italy["aglie"], year=2023, per_age=(1, 2))
    add_population(italy["airasca"], year=2023, per_age=(3, 4))
    user = UserFactory()

    result = _import(
        HEADER + "TO-1,Ciriè,01,001001\nTO-1,Ciriè,01,1002\nRM-1,Roma Capitale,12,058091\n", user
    )

    assert (result.ambiti, result.comuni, result.imported_by, result.filename) == (2, 3, user, "ambiti.csv")
    ambito = Territory.objects.get(kind="ambito", code="TO-1")
    assert (ambito.name, ambito.regione) == ("Ciriè", italy["piemonte"])
    assert sorted(ambito.member_comuni.values_list("code", flat=True)) == ["001001", "001002"]
    assert population_totals(territory=ambito) == {2023: 101 * (1 + 2) + 101 * (3 + 4)}
    assert (
        Organisation.objects.get(kind="ambito", territory=ambito).name == "Ambito territoriale sociale Ciriè"
    )


def test_a_new_file_moves_comuni_and_leaves_unnamed_ambiti_alone(italy):
    _import(HEADER + "TO-1,Ciriè,01,001001\nTO-1,Ciriè,01,001002\nRM-1,Roma,12,058091\n")

    _import(HEADER + "TO-2,Chivasso,01,001002\n")

    assert list(Territory.objects.get(code="TO-1").member_comuni.values_list("code", flat=True)) == ["001001"]
    assert list(Territory.objects.get(code="TO-2").member_comuni.values_list("code", flat=True)) == ["001002"]
    assert Territory.objects.get(code="058091").ambito.code == "RM-1"


def test_semicolons_and_a_byte_order_mark_are_accepted(italy):
    content = ("\ufeff" + HEADER.replace(",", ";") + "TO-1;Ciriè;01;001001\n").encode()

    ambiti_import(content=content, filename="excel.csv", imported_by=None)

    assert Territory.objects.get(code="001001").ambito.code == "TO-1"


@pytest.mark.parametrize(
    ("_case", "rows", "expected"),
    [
        ("unknown comune", "TO-1,Ciriè,01,999999\n", [(2, "codice_comune")]),
        ("unknown regione", "TO-1,Ciriè,33,001001\n", [(2, "codice_regione")]),
        ("comune of another regione", "TO-1,Ciriè,12,001001\n", [(2, "codice_comune")]),
        ("empty name", "TO-1,,01,001001\n", [(2, "nome_ambito")]),
        ("bad ambito code", "TO 1!,Ciriè,01,001001\n", [(2, "codice_ambito")]),
        ("comune listed twice", "TO-1,Ciriè,01,001001\nTO-2,Altro,01,001001\n", [(3, "codice_comune")]),
        ("two names for one ambito", "TO-1,Ciriè,01,001001\nTO-1,Cirie,01,001002\n", [(3, "nome_ambito")]),
        (
            "several errors are all reported",
            "TO-1,Ciriè,01,001001\nX,,01,888888\nTO-3,Z,99,001002\n",
            [(3, "nome_ambito"), (3, "codice_comune"), (4, "codice_regione")],
        ),
    ],
)
def test_a_bad_row_rejects_the_whole_file_and_writes_nothing(italy, _case, rows, expected):
    before = Territory.objects.count(), PopulationByAge.objects.count(), Organisation.objects.count()

    assert _errors(HEADER + "RM-1,Roma,12,058091\n" + rows) == [(row + 1, column) for row, column in expected]

    assert (
        Territory.objects.count(),
        PopulationByAge.objects.count(),
        Organisation.objects.count(),
    ) == before
    assert not Territory.objects.filter(kind="ambito").exists()
    assert not AmbitoImport.objects.exists()


@pytest.mark.parametrize(
    ("_case", "content", "message"),
    [
        ("empty file", b"", "Il file è vuoto."),
        ("header only", HEADER.encode(), "nessuna riga di dati"),
        ("missing column", b"codice_ambito,nome_ambito,codice_comune\nA,B,001001\n", "Manca una colonna"),
        ("not UTF-8", HEADER.encode() + "TO-1,Ciri\xe8,01,001001\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_a_malformed_file_is_rejected_with_a_reason(italy, _case, content, message):
    with pytest.raises(ImportRejected) as rejected:
        ambiti_import(content=content, filename="x.csv", imported_by=None)

    assert message in str(rejected.value.errors[0])
    assert not Territory.objects.filter(kind="ambito").exists()


def test_the_command_imports_a_file_and_reports_a_rejected_one(italy, tmp_path, capsys):
    good = tmp_path / "ambiti.csv"
    good.write_text(HEADER + "TO-1,Ciriè,01,001001\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "TO-2,Ciriè,01,999999\n", encoding="utf-8")

    call_command("import_ambiti", str(good))
    with pytest.raises(CommandError, match=r"bad\.csv was rejected"):
        call_command("import_ambiti", str(bad))

    output = capsys.readouterr()
    assert "1 ambiti, 1 comuni imported" in output.out
    assert "bad.csv: riga 2, colonna codice_comune: '999999' non è il codice ISTAT di un comune" in output.err
    assert list(Territory.objects.filter(kind="ambito").values_list("code", flat=True)) == ["TO-1"]


def test_the_coordinator_imports_by_web_and_sees_errors_by_row(italy, client):
    client.force_login(UserFactory(is_lab_coordinator=True))
    url = "/territori/ambiti/importa/"
    bad = SimpleUploadedFile("bad.csv", (HEADER + "TO-1,Ciriè,01,999999\n").encode(), content_type="text/csv")
    good = SimpleUploadedFile(
        "good.csv", (HEADER + "TO-1,Ciriè,01,001001\n").encode(), content_type="text/csv"
    )

    rejected = client.post(url, {"file": bad})
    accepted = client.post(url, {"file": good}, follow=True)

    assert rejected.status_code == 200
    assert "&#x27;999999&#x27; non è il codice ISTAT di un comune" in rejected.content.decode()
    assert accepted.status_code == 200
    assert "good.csv: importati 1 ambiti e 1 comuni." in accepted.content.decode()
    assert list(Territory.objects.filter(kind="ambito").values_list("code", flat=True)) == ["TO-1"]


def test_only_coordinators_may_import_by_web(italy, client):
    upload = SimpleUploadedFile(
        "a.csv", (HEADER + "TO-1,Ciriè,01,001001\n").encode(), content_type="text/csv"
    )
    client.force_login(UserFactory())

    refused = client.post("/territori/ambiti/importa/", {"file": upload})

    assert refused.status_code == 403
    assert not Territory.objects.filter(kind="ambito").exists()
    client.logout()
    assert client.get("/territori/ambiti/importa/").status_code == 302


@pytest.mark.parametrize(
    ("_case", "rows", "expected"),
    [
        ("a row with a value too many", "TO-1,Ciriè,01,001001,001002\n", [(2, "")]),
        ("a row with a value too few", "TO-1,Ciriè,01\n", [(2, "")]),
        ("an ambito code with a slash", "TO/1,Ciriè,01,001001\n", [(2, "codice_ambito")]),
        ("rows keep their numbers after a blank row", "\nTO-1,Ciriè,01,999999\n", [(3, "codice_comune")]),
    ],
)
def test_rows_that_do_not_fit_the_header_are_reported_not_dropped(italy, _case, rows, expected):
    assert _errors(HEADER + rows) == expected
    assert not Territory.objects.filter(kind="ambito").exists()


@pytest.mark.parametrize(
    ("_case", "content", "message"),
    [
        (
            "a repeated column",
            b"codice_ambito,nome_ambito,codice_regione,codice_comune,nome_ambito\n",
            "più di una volta",
        ),
        (
            "an unclosed quote over a huge field",
            HEADER.encode() + b'TO-1,"' + b"x" * 200_000 + b"\n",
            "non è un CSV leggibile",
        ),
    ],
)
def test_a_broken_csv_is_rejected_with_a_reason_not_a_crash(italy, _case, content, message):
    with pytest.raises(ImportRejected) as rejected:
        ambiti_import(content=content, filename="x.csv", imported_by=None)

    assert message in rejected.value.errors[0].message
