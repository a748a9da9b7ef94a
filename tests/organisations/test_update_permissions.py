"""Who may change an organisation's data on the web, role by role.

A user of one comune cannot change another comune's organisation: the edit page answers 403 when the
user may see the organisation (it is public) and 404 when it may not (is_public=False), so hidden
organisations do not leak. A refused request changes nothing and says nothing (no message).
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, make_italy_slice, person_with_role
from welfarelab.organisations.models import Organisation

pytestmark = pytest.mark.django_db

NEW_DATA = {
    "name": "Nome cambiato",
    "description": "Descrizione cambiata",
    "website": "https://cambiato.example.it",
    "email": "cambiato@example.it",
    "legal_form": Organisation.LegalForm.ODV,
    "runts_id": "999999",
}

# role → expected status of GET and of a refused POST, for a public and for a hidden organisation.
# "login" means a redirect to the sign-in page (nothing is looked up for anonymous visitors).
# "ok" means the page opens (GET 200) and the change is saved (POST 302 to the detail page).
MATRIX = [
    ("anonymous visitor", "anonymous", "login", "login"),
    ("viewer of the organisation", "viewer", 403, 403),
    ("editor of the organisation", "editor", "ok", "ok"),
    ("admin of the organisation", "admin", "ok", "ok"),
    ("editor of another comune's organisation", "editor_elsewhere", 403, 404),
    ("lab coordinator", "coordinator", "ok", "ok"),
]


@pytest.fixture
def ets_of_aglie() -> dict:
    italy = make_italy_slice()
    return {
        "public": OrganisationFactory(
            name="Pro Loco Agliè",
            territory=italy["aglie"],
            tax_code="93000010011",
            is_public=True,
            description="Originale",
            five_per_mille_choices=12,
        ),
        "hidden": OrganisationFactory(
            name="Rete riservata di Agliè",
            territory=italy["aglie"],
            tax_code="93000020011",
            is_public=False,
            description="Originale",
        ),
    }


def snapshot(organisation: Organisation) -> dict:
    organisation.refresh_from_db()
    return {f.attname: getattr(organisation, f.attname) for f in Organisation._meta.concrete_fields}


def _client_for(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def _assert_refused(response, expected, url: str) -> None:
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    else:
        assert response.status_code == expected
    assert list(get_messages(response.wsgi_request)) == []


@pytest.mark.parametrize(("_case", "role", "on_public", "on_hidden"), MATRIX)
@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_edit_page_by_role(client, ets_of_aglie, _case, role, on_public, on_hidden, visibility):
    organisation = ets_of_aglie[visibility]
    expected = on_public if visibility == "public" else on_hidden
    url = reverse("organisations:update", kwargs={"pk": organisation.pk})
    client = _client_for(client, person_with_role(role, organisation))

    response = client.get(url)

    if expected == "ok":
        assert response.status_code == 200
        assert response.context["form"].instance.pk == organisation.pk
    else:
        _assert_refused(response, expected, url)


@pytest.mark.parametrize(("_case", "role", "on_public", "on_hidden"), MATRIX)
@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_post_by_role_changes_only_what_it_may(
    client, ets_of_aglie, _case, role, on_public, on_hidden, visibility
):
    organisation = ets_of_aglie[visibility]
    other = ets_of_aglie["hidden" if visibility == "public" else "public"]
    expected = on_public if visibility == "public" else on_hidden
    url = reverse("organisations:update", kwargs={"pk": organisation.pk})
    client = _client_for(client, person_with_role(role, organisation))
    before, other_before = snapshot(organisation), snapshot(other)

    response = client.post(url, NEW_DATA)

    if expected == "ok":
        assert response.status_code == 302
        assert response["Location"] == reverse("organisations:detail", kwargs={"pk": organisation.pk})
        after = snapshot(organisation)
        assert {field: after[field] for field in NEW_DATA} == NEW_DATA
        assert after["name_folded"] == "nome cambiato"
        # What editors may not touch stays as it was.
        for field in ("kind", "tax_code", "territory_id", "is_public", "source", "five_per_mille_choices"):
            assert after[field] == before[field]
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    else:
        _assert_refused(response, expected, url)
        assert snapshot(organisation) == before
    assert snapshot(other) == other_before


def test_a_comune_of_another_comune_cannot_change_it(client):
    # Two comuni, one officer: the officer of Roma is refused on Agliè, and Agliè stays as it was.
    italy = make_italy_slice()
    aglie = OrganisationFactory(
        kind=Organisation.Kind.COMUNE, name="Comune di Agliè", territory=italy["aglie"]
    )
    roma = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Roma", territory=italy["roma"])
    officer = MembershipFactory(organisation=roma, role="admin").user
    client.force_login(officer)
    before = snapshot(aglie)

    response = client.post(
        reverse("organisations:update", kwargs={"pk": aglie.pk}), {"name": "Comune di Roma 2"}
    )

    assert response.status_code == 403
    assert snapshot(aglie) == before
    assert list(get_messages(response.wsgi_request)) == []
    # …while the same officer may change their own comune.
    assert client.get(reverse("organisations:update", kwargs={"pk": roma.pk})).status_code == 200


def test_a_missing_organisation_is_404_for_everybody(client):
    client.force_login(person_with_role("coordinator", OrganisationFactory()))
    assert client.get(reverse("organisations:update", kwargs={"pk": 987_654})).status_code == 404
