"""The directory pages: list with search, filters and pages; one organisation; its edit form."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    make_italy_slice,
)
from welfarelab.accounts.models import Membership
from welfarelab.organisations import views
from welfarelab.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LIST_URL = "/organizzazioni/"


@pytest.fixture
def italy():
    return make_italy_slice()


def listed(response) -> list[str]:
    return [o.name for o in response.context["page"].object_list]


def test_directory_url_is_in_italian():
    assert reverse("organisations:list") == LIST_URL
    assert reverse("organisations:detail", kwargs={"pk": 7}) == "/organizzazioni/7/"
    assert reverse("organisations:update", kwargs={"pk": 7}) == "/organizzazioni/7/modifica/"
    assert reverse("organisations:members", kwargs={"pk": 7}) == "/organizzazioni/7/membri/"


def test_directory_lists_public_organisations_with_their_place(client, italy):
    OrganisationFactory(
        name="Pro Loco Agliè", territory=italy["aglie"], legal_form=Organisation.LegalForm.APS
    )
    italy["aglie"].province_abbreviation = "TO"
    italy["aglie"].save()
    OrganisationFactory(name="Rete nascosta", is_public=False)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed(response) == ["Pro Loco Agliè"]
    page = response.content.decode()
    assert "Agliè (TO)" in page
    assert "Rete nascosta" not in page


def test_directory_search_folds_accents(client):
    forli = TerritoryFactory(code="040012", name="Forlì")
    OrganisationFactory(name="Volontari di Forlì", territory=forli)
    OrganisationFactory(name="Amici di Roma")

    assert listed(client.get(LIST_URL, {"q": "forli"})) == ["Volontari di Forlì"]
    assert listed(client.get(LIST_URL, {"comune": "forli"})) == ["Volontari di Forlì"]


def test_directory_filters_by_kind_legal_form_and_territory(client, italy):
    OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Roma", territory=italy["roma"])
    OrganisationFactory(name="ODV Roma", territory=italy["roma"], legal_form=Organisation.LegalForm.ODV)
    OrganisationFactory(name="APS Agliè", territory=italy["aglie"])

    assert listed(client.get(LIST_URL, {"kind": "comune"})) == ["Comune di Roma"]
    assert listed(client.get(LIST_URL, {"legal_form": "odv"})) == ["ODV Roma"]
    assert listed(client.get(LIST_URL, {"regione": "01"})) == ["APS Agliè"]
    assert listed(client.get(LIST_URL, {"provincia": "058", "kind": "ets"})) == ["ODV Roma"]
    assert listed(client.get(LIST_URL, {"comune": "058091"})) == ["Comune di Roma", "ODV Roma"]


def test_directory_offers_the_regions_and_provinces_as_choices(client, italy):
    form = client.get(LIST_URL).context["form"]
    assert [label for code, label in form.fields["regione"].choices if code] == ["Lazio", "Piemonte"]
    assert [code for code, label in form.fields["provincia"].choices if code] == ["058", "001"]


def test_an_unknown_filter_value_shows_an_error_and_no_rows(client):
    OrganisationFactory(name="Associazione")
    response = client.get(LIST_URL, {"kind": "not-a-kind"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert listed(response) == []


def test_directory_is_paginated(client):
    for n in range(views.PAGE_SIZE + 3):
        OrganisationFactory(name=f"Associazione {n:03d}")

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})
    beyond = client.get(LIST_URL, {"page": 99})

    assert first.context["page"].paginator.count == views.PAGE_SIZE + 3
    assert len(listed(first)) == views.PAGE_SIZE
    assert listed(second) == ["Associazione 025", "Associazione 026", "Associazione 027"]
    assert listed(beyond) == listed(second)  # past the end: the last page
    assert "?page=2" in first.content.decode()


def test_pagination_keeps_the_filters(client):
    for n in range(views.PAGE_SIZE + 1):
        OrganisationFactory(name=f"Volontari {n:03d}")
    page = client.get(LIST_URL, {"q": "volontari"}).content.decode()
    assert "?q=volontari&amp;page=2" in page


def test_directory_queries_do_not_grow_with_the_page(client, italy, django_assert_max_num_queries):
    for n in range(views.PAGE_SIZE):
        OrganisationFactory(name=f"Associazione {n}", territory=italy["roma"])
    # regioni + province choices, count, page (+ session/user lookups for a signed-in user).
    with django_assert_max_num_queries(4):
        client.get(LIST_URL)


def test_hidden_organisations_are_listed_to_their_members(client):
    hidden = OrganisationFactory(name="Rete nascosta", is_public=False)
    member = MembershipFactory(organisation=hidden, role=Membership.Role.VIEWER).user
    client.force_login(member)
    assert listed(client.get(LIST_URL)) == ["Rete nascosta"]


def test_detail_shows_the_profile_and_links_the_comune(client, italy):
    organisation = OrganisationFactory(
        name="Pro Loco Agliè",
        territory=italy["aglie"],
        tax_code="93000010011",
        runts_id="12345",
        legal_form=Organisation.LegalForm.APS,
        source=Organisation.Source.FIVE_PER_MILLE,
        five_per_mille_choices=321,
        five_per_mille_amount="4567.89",
    )

    response = client.get(reverse("organisations:detail", kwargs={"pk": organisation.pk}))

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Pro Loco Agliè", "93000010011", "12345", "Agenzia delle Entrate"):
        assert text in page
    assert reverse("territories:detail", kwargs={"kind": "comune", "code": "001001"}) in page
    assert response.context["members"] is None
    assert reverse("organisations:update", kwargs={"pk": organisation.pk}) not in page


def test_detail_of_a_hidden_organisation_is_404_for_outsiders(client):
    hidden = OrganisationFactory(is_public=False)
    url = reverse("organisations:detail", kwargs={"pk": hidden.pk})

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(MembershipFactory(organisation=hidden, role=Membership.Role.VIEWER).user)
    assert client.get(url).status_code == 200


def test_detail_shows_members_and_edit_links_to_members_only(client):
    organisation = OrganisationFactory()
    admin = MembershipFactory(
        organisation=organisation, role=Membership.Role.ADMIN, user__email="capo@example.org"
    )
    url = reverse("organisations:detail", kwargs={"pk": organisation.pk})

    assert "capo@example.org" not in client.get(url).content.decode()

    client.force_login(admin.user)
    response = client.get(url)
    page = response.content.decode()
    assert list(response.context["members"]) == [admin]
    assert reverse("organisations:update", kwargs={"pk": organisation.pk}) in page
    assert reverse("organisations:members", kwargs={"pk": organisation.pk}) in page


def test_edit_form_offers_the_legal_form_to_ets_only(client):
    coordinator = UserFactory(is_lab_coordinator=True)
    client.force_login(coordinator)
    ets = OrganisationFactory()
    comune = OrganisationFactory(kind=Organisation.Kind.COMUNE)

    ets_form = client.get(reverse("organisations:update", kwargs={"pk": ets.pk})).context["form"]
    comune_form = client.get(reverse("organisations:update", kwargs={"pk": comune.pk})).context["form"]

    assert list(ets_form.fields) == ["name", "description", "website", "email", "legal_form", "runts_id"]
    assert list(comune_form.fields) == ["name", "description", "website", "email"]


def test_edit_of_a_comune_ignores_a_posted_legal_form(client):
    comune = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Agliè")
    client.force_login(MembershipFactory(organisation=comune, role=Membership.Role.EDITOR).user)

    response = client.post(
        reverse("organisations:update", kwargs={"pk": comune.pk}),
        {"name": "Comune di Agliè", "legal_form": "odv", "email": "protocollo@comune.aglie.to.it"},
    )

    assert response.status_code == 302
    comune.refresh_from_db()
    assert (comune.legal_form, comune.email) == ("", "protocollo@comune.aglie.to.it")


def test_an_invalid_edit_shows_the_errors_and_changes_nothing(client):
    editor = MembershipFactory(role=Membership.Role.EDITOR, organisation__name="Associazione Prima")
    organisation = editor.organisation
    client.force_login(editor.user)

    response = client.post(
        reverse("organisations:update", kwargs={"pk": organisation.pk}),
        {"name": "", "email": "not-an-email", "website": "https://ok.example.it"},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email"}
    assert 'aria-invalid="true"' in response.content.decode()
    organisation.refresh_from_db()
    assert (organisation.name, organisation.website) == ("Associazione Prima", "")
    assert list(get_messages(response.wsgi_request)) == []


def test_a_successful_edit_says_so_on_the_detail_page(client):
    editor = MembershipFactory(role=Membership.Role.EDITOR, organisation__name="Associazione Prima")
    client.force_login(editor.user)

    response = client.post(
        reverse("organisations:update", kwargs={"pk": editor.organisation_id}),
        {"name": "Associazione Seconda", "website": "primavera.example.it"},
        follow=True,
    )

    assert response.status_code == 200
    messages = list(response.context["messages"])
    assert [m.level_tag for m in messages] == ["success"]
    assert "Associazione Seconda" in str(messages[0])
    editor.organisation.refresh_from_db()
    assert editor.organisation.website == "https://primavera.example.it"
