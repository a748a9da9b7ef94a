"""The page to load observations and its XLSX template: what editors see, and who may not."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.indicators.conftest import HEADER, written
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import Observation
from welfarelab.organisations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD = HEADER + "minori_in_carico,comune,058091,2024,,30,200\nminori_in_carico,comune,058120,2024,10,,\n"


def csv_upload(text: str, name: str = "valori.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_page_is_under_indicatori_importa(italy):
    assert reverse("indicators:import") == "/en/indicatori/importa/"
    assert reverse("indicators:template") == "/en/indicatori/importa/modello.xlsx"


def test_a_coordinator_loads_a_file_and_sees_the_counts_and_links(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(reverse("indicators:import"), {"file": csv_upload(GOOD)}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "valori.csv: 2 values loaded." in page
    assert f'<a href="{indicators["share"].get_absolute_url()}">' in page
    assert Observation.objects.filter(origin="reported").count() == 2


def test_a_rejected_file_lists_its_errors_by_row_and_column_and_loads_nothing(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))
    before = written()

    response = client.post(
        reverse("indicators:import"),
        {"file": csv_upload(HEADER + "minori_in_carico,comune,058091,2024,dodici,,\n")},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file was rejected: 1 error. Nothing was loaded." in page
    assert '<a href="#import-errors">' in page
    assert "<td>2</td><td><code>valore</code></td><td>“dodici” in valore is not a number.</td>" in page
    assert 'aria-invalid="true"' in page
    assert written() == before


def test_a_file_over_the_limit_is_refused_by_the_form(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))
    before = written()
    huge = SimpleUploadedFile("huge.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")

    response = client.post(reverse("indicators:import"), {"file": huge})

    page = response.content.decode()
    assert '<a href="#id_file">The file is 50.0 MB: the limit is 20 MB.</a>' in page
    assert written() == before


@pytest.mark.parametrize("who", ["plain", "viewer", "ets_editor"])
def test_users_who_may_load_no_territory_get_403(client, italy, indicators, who):
    user: Any
    if who == "plain":
        user = UserFactory()
    else:
        kind = Organisation.Kind.COMUNE if who == "viewer" else Organisation.Kind.ETS
        organisation = OrganisationFactory(kind=kind, territory=italy["roma"])
        role = Membership.Role.VIEWER if who == "viewer" else Membership.Role.EDITOR
        user = MembershipFactory(organisation=organisation, role=role).user
    client.force_login(user)
    before = written()

    assert client.get(reverse("indicators:import")).status_code == 403
    assert client.post(reverse("indicators:import"), {"file": csv_upload(GOOD)}).status_code == 403
    assert client.get(reverse("indicators:template")).status_code == 403
    assert written() == before


def test_signed_out_visitors_are_sent_to_sign_in(client, italy):
    response = client.get(reverse("indicators:import"))

    assert response.status_code == 302
    assert response["Location"] == "/en/account/accedi/?next=/en/indicatori/importa/"


def test_an_editor_of_a_comune_may_load_its_comune(client, italy, indicators):
    body = OrganisationFactory(
        kind=Organisation.Kind.COMUNE, name="Roma Capitale", territory=italy["roma"], legal_form=""
    )
    client.force_login(MembershipFactory(organisation=body, role=Membership.Role.EDITOR).user)

    response = client.post(
        reverse("indicators:import"),
        {"file": csv_upload(HEADER + "minori_in_carico,comune,058091,2024,15,,\n")},
    )

    assert response.status_code == 302
    assert Observation.objects.get(territory=italy["roma"], origin="reported").value == 15


def _sheets(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_the_template_has_rows_for_the_comuni_of_a_regione_and_loads_back_once_filled(
    client, italy, indicators
):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.get(
        reverse("indicators:template"),
        {"indicatore": "minori_in_carico", "tipo": "comune", "entro": "regione:12", "periodo": "2024"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = _sheets(response.content)
    assert list(sheets) == ["dati", "istruzioni"]
    assert sheets["dati"] == [
        (*HEADER.strip().split(","), "nome_territorio"),
        ("minori_in_carico", "comune", "058091", 2024, None, None, None, "Roma"),
        ("minori_in_carico", "comune", "058120", 2024, None, None, None, "Fiumicino"),
    ]
    assert sheets["istruzioni"][-1][:1] == ("minori_in_carico",)
    workbook = load_workbook(io.BytesIO(response.content))
    workbook["dati"]["F2"], workbook["dati"]["G2"] = 30, 200
    workbook["dati"]["E3"] = 10
    filled = io.BytesIO()
    workbook.save(filled)
    upload = SimpleUploadedFile("modello_indicatori.xlsx", filled.getvalue())
    assert client.post(reverse("indicators:import"), {"file": upload}).status_code == 302
    assert Observation.objects.get(territory=italy["roma_provincia"]).numerator == 30


def test_an_editor_of_an_ambito_gets_rows_only_for_its_comuni(client, italy, indicators):
    body = OrganisationFactory(
        kind=Organisation.Kind.AMBITO, name="Ufficio di piano", territory=italy["ambito"], legal_form=""
    )
    client.force_login(MembershipFactory(organisation=body, role=Membership.Role.EDITOR).user)

    response = client.get(
        reverse("indicators:template"), {"indicatore": "minori_in_carico", "tipo": "comune"}
    )

    rows = _sheets(response.content)["dati"]
    assert [row[2] for row in rows[1:]] == ["058091"]
    assert rows[1][3] is None  # no year asked for: left to fill in


def test_a_template_without_choices_has_only_the_columns(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    rows = _sheets(client.get(reverse("indicators:template")).content)["dati"]

    assert rows == [(*HEADER.strip().split(","), "nome_territorio")]


@pytest.mark.parametrize(
    "query", [{"tipo": "paese"}, {"entro": "regione:99"}, {"indicatore": "nessuno"}, {"periodo": "1700"}]
)
def test_a_template_with_a_wrong_choice_is_400(client, italy, indicators, query):
    client.force_login(UserFactory(is_lab_coordinator=True))

    assert client.get(reverse("indicators:template"), query).status_code == 400


def test_the_italian_page_offers_the_form_and_the_template(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    page = client.get("/indicatori/importa/").content.decode()

    assert '<label for="id_file" class="form-label">' in page
    assert 'action="/indicatori/importa/modello.xlsx"' in page
    assert '<option value="minori_in_carico">minori_in_carico – ' in page
    assert 'value="pop_total"' not in page  # built in: it cannot be loaded
