"""The admin of the directory: folded search, filters, territory autocomplete, name kept folded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_italy_slice
from welfarelab.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_organisation_pages_open(admin_client):
    organisation = MembershipFactory().organisation
    for url in (
        reverse("admin:organisations_organisation_changelist"),
        reverse("admin:organisations_organisation_changelist") + "?kind__exact=ets&legal_form__exact=aps",
        reverse("admin:organisations_organisation_add"),
        reverse("admin:organisations_organisation_change", args=[organisation.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_search_folds_accents_and_finds_tax_codes(admin_client):
    forli = OrganisationFactory(name="Volontari di Forlì", tax_code="92012340403")
    OrganisationFactory(name="Amici di Roma")
    url = reverse("admin:organisations_organisation_changelist")

    assert list(admin_client.get(url, {"q": "FORLI"}).context["cl"].result_list) == [forli]
    assert list(admin_client.get(url, {"q": "92012340403"}).context["cl"].result_list) == [forli]


def test_add_keeps_the_folded_name_and_the_legal_form_rule(admin_client):
    italy = make_italy_slice()
    url = reverse("admin:organisations_organisation_add")
    base = {
        "kind": "comune",
        "name": "Comune di Agliè",
        "territory": italy["aglie"].pk,
        "is_public": "on",
        "source": "manual",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    refused = admin_client.post(url, {**base, "legal_form": "odv"})
    assert refused.status_code == 200
    assert not Organisation.objects.exists()

    response = admin_client.post(url, base)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert (organisation.name_folded, organisation.territory) == ("comune di aglie", italy["aglie"])


def test_territory_is_chosen_by_autocomplete(admin_client):
    make_italy_slice()
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "aglie",
            "app_label": "organisations",
            "model_name": "organisation",
            "field_name": "territory",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"].startswith("Agliè")
