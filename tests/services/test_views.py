"""The pages under /servizi/: catalogue, LEPS, a territory's gaps, and the declaration form with its rights."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import UserFactory, person_with_role
from tests.services.conftest import YEAR, declare, editor_of, observation, public_body, written
from welfarelab.accounts.models import Membership
from welfarelab.services.models import SupplyDeclaration

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def declarations_url(territory, year=YEAR):
    return reverse("services:declarations", args=[territory.kind, territory.code, year])


NURSERY = {
    "service": "asilo_nido",
    "places": "124",
    "management": "convenzione_ets",
    "spending_eur": "250000.50",
}


def test_the_urls_are_under_servizi():
    assert reverse("services:catalogue") == "/en/servizi/catalogo/"
    assert reverse("services:leps") == "/en/servizi/leps/"
    assert reverse("services:leps-territory", args=["comune", "001001"]) == "/en/servizi/leps/comune/001001/"
    assert (
        reverse("services:declarations", args=["comune", "001001", 2024])
        == "/en/servizi/dichiarazioni/comune/001001/2024/"
    )


def test_the_catalogue_shows_the_macro_areas_and_what_is_to_verify(client, catalogue):
    page = client.get(reverse("services:catalogue")).content.decode()
    assert "Some of this catalogue is to verify." in page
    assert "A – Access, assessment and planning</h2>" in page
    assert 'C – Home-based care <span class="badge text-bg-warning">to verify</span>' in page
    assert "Nomenclatore: C1</span> <span" in page
    assert "Social home care (SAD)" in page
    assert "verificare" not in page and "da_verificare" not in page


def test_the_leps_index_lists_targets_references_and_to_verify_points(client, catalogue):
    page = client.get(reverse("services:leps")).content.decode()
    assert '<span lang="it">1 assistente sociale ogni 5.000 abitanti</span>' in page
    assert "Measured on the declarations: 1 per 5,000 inhabitants" in page
    assert "Measured on the declarations: 33% coverage" in page
    assert (
        '<span lang="it">L. 234/2021, art. 1, c. 162, lett. a</span> <span class="badge text-bg-warning">to verify</span>'
        in page
    )
    assert "verificare" not in page


def test_a_territorys_leps_page_shows_the_gaps_in_a_table(client, italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124)
    declare(italy["aglie"], "servizio_sociale_professionale", social_workers_permanent_fte=5)

    response = client.get(reverse("services:leps-territory", args=["comune", "001001"]))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["year"] == YEAR  # the latest year declared
    assert "<td>41 nursery places missing for 33% coverage" in page
    assert "<td>3.4 social workers missing for 1 per 5,000 inhabitants" in page
    assert '<span class="wl-comparison-mark" aria-hidden="true">✗</span> Not met' in page
    assert "<caption>Agliè, 2023: numeric LEPS targets" in page
    assert "verificare" not in page


def test_the_leps_page_of_a_regione_and_of_another_year(client, italy, catalogue):
    response = client.get(reverse("services:leps-territory", args=["regione", "01"]), {"anno": "2021"})
    assert response.status_code == 200
    assert response.context["year"] == 2021
    assert client.get(reverse("services:leps-territory", args=["regione", "99"])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("viewer", 403),
        ("editor", 200),
        ("admin", 200),
        ("editor_elsewhere", 403),
        ("coordinator", 200),
    ],
)
def test_who_may_open_the_declarations_of_a_comune(client, italy, catalogue, role, status):
    person = person_with_role(role, public_body(italy["aglie"]))
    if role != "anonymous":
        client.force_login(person)
    assert client.get(declarations_url(italy["aglie"])).status_code == status


def test_the_editor_of_an_ambito_declares_for_its_comuni_but_not_for_others(client, italy, catalogue):
    client.force_login(editor_of(italy["ambito"]))
    assert client.get(declarations_url(italy["bairo"])).status_code == 200
    assert client.get(declarations_url(italy["ambito"])).status_code == 200
    assert client.post(declarations_url(italy["roma"]), NURSERY).status_code == 403
    assert not SupplyDeclaration.objects.exists()


def test_only_comuni_and_ambiti_declare_and_only_for_sensible_years(client, italy, catalogue):
    client.force_login(UserFactory(is_lab_coordinator=True))
    assert client.get(declarations_url(italy["torino"])).status_code == 404
    assert client.get(declarations_url(italy["aglie"], 1990)).status_code == 404


def test_an_editor_declares_a_service_and_the_indicators_follow(client, italy, catalogue):
    editor = editor_of(italy["aglie"])
    client.force_login(editor)

    response = client.post(declarations_url(italy["aglie"]), NURSERY, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/servizi/dichiarazioni/comune/001001/2023/#declared")
    assert "Nursery (asilo nido and micronido) saved for 2023." in page
    declaration = SupplyDeclaration.objects.get()
    assert (declaration.places, declaration.spending_eur, declaration.management) == (
        124,
        250000.5,
        "convenzione_ets",
    )
    assert declaration.updated_by == editor
    assert list(declaration.need_domains.values_list("code", flat=True)) == ["prima_infanzia_famiglie"]
    assert observation("nursery_places_per_100_0_2", italy["aglie"]).numerator == 124
    assert '<td class="text-end">250,000.50</td>' in page


def test_the_italian_page_takes_decimal_commas(client, italy, catalogue):
    client.force_login(UserFactory(is_lab_coordinator=True))
    response = client.post(
        "/servizi/dichiarazioni/comune/001001/2023/",
        {"service": "servizio_sociale_professionale", "staff_fte": "3,5", "management": "diretta"},
    )
    assert response.status_code == 302
    assert SupplyDeclaration.objects.get().staff_fte == Decimal("3.5")


def test_declaring_the_same_service_again_replaces_it_and_the_form_offers_its_figures(
    client, italy, catalogue
):
    client.force_login(UserFactory(is_lab_coordinator=True))
    client.post(declarations_url(italy["aglie"]), NURSERY)
    client.post(
        declarations_url(italy["aglie"]),
        {**NURSERY, "places": "165", "need_domains": ["prima_infanzia_famiglie", "lavoro_occupabilita"]},
    )
    declaration = SupplyDeclaration.objects.get()
    assert declaration.places == 165
    assert set(declaration.need_domains.values_list("code", flat=True)) == {
        "prima_infanzia_famiglie",
        "lavoro_occupabilita",
    }

    page = client.get(declarations_url(italy["aglie"]), {"servizio": "asilo_nido"}).content.decode()
    assert "Change: Nursery (asilo nido and micronido)" in page
    assert 'name="places" value="165"' in page


def test_a_wrong_declaration_says_what_is_wrong_and_saves_nothing(client, italy, catalogue):
    client.force_login(UserFactory(is_lab_coordinator=True))
    before = written()

    response = client.post(
        declarations_url(italy["aglie"]),
        {
            "service": "assistenza_domiciliare_sociale",
            "users_served": "10",
            "users_aged_65_plus": "12",
            "staff_fte": "1",
            "social_workers_permanent_fte": "2",
            "places": "-3",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The declaration was not saved" in page
    assert "The users aged 65 and over cannot be more than the users served." in page
    assert "The social workers (permanent and fixed-term) are part of the staff" in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert "This field is required." in page  # how it is run
    assert 'aria-invalid="true"' in page
    assert written() == before


def test_removing_a_declaration_withdraws_its_values(client, italy, catalogue):
    client.force_login(editor_of(italy["aglie"], role=Membership.Role.ADMIN))
    client.post(declarations_url(italy["aglie"]), NURSERY)
    remove = reverse("services:declaration-remove", args=["comune", "001001", YEAR, "asilo_nido"])

    assert client.get(remove).status_code == 405
    response = client.post(remove, follow=True)

    assert "removed from 2023" in response.content.decode()
    assert not SupplyDeclaration.objects.exists()
    assert observation("nursery_places_per_100_0_2", italy["aglie"]) is None


def test_someone_else_cannot_remove_a_declaration(client, italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124)
    client.force_login(editor_of(italy["roma"]))
    remove = reverse("services:declaration-remove", args=["comune", "001001", YEAR, "asilo_nido"])
    assert client.post(remove).status_code == 403
    assert SupplyDeclaration.objects.count() == 1


def test_the_start_page_lists_the_territories_an_editor_may_declare(client, italy, catalogue):
    client.force_login(editor_of(italy["ambito"]))
    page = client.get(reverse("services:declarations-start")).content.decode()
    for name in ("Agliè", "Bairo", "Ambito di Cuorgnè"):
        assert f">{name}</a>" in page
    assert "Roma" not in page


def test_a_coordinator_opens_any_territory_by_its_code(client, italy, catalogue):
    client.force_login(UserFactory(is_lab_coordinator=True))
    response = client.get(reverse("services:declarations-start"), {"tipo": "ambito", "codice": "to-4"})
    assert response.status_code == 302
    assert "/servizi/dichiarazioni/ambito/TO-4/" in response.url


def test_the_front_page_links_the_catalogue_the_leps_and_the_supply_indicators(client, catalogue):
    page = client.get(reverse("services:index")).content.decode()
    assert f'<a href="{reverse("services:catalogue")}">Catalogue of services</a>' in page
    assert ">Nursery places per 100 children aged 0–2</a>" in page
    assert "Declare your services</h2>" in page  # a visitor sees no link to the declarations
