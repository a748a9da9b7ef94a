"""The admin of people: email instead of username, memberships inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.accounts.models import Membership, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_user_pages_open(admin_client):
    user = MembershipFactory().user
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_changelist") + "?q=person",
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_change", args=[user.pk]),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:accounts_membership_add"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_add_a_user_by_email(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nuovo@example.org",
            "first_name": "Nuovo",
            "last_name": "Utente",
            "usable_password": "true",
            "password1": "una-password-lunga-2026",
            "password2": "una-password-lunga-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nuovo@example.org")
    assert user.check_password("una-password-lunga-2026")
    assert (user.first_name, user.is_staff) == ("Nuovo", False)


def test_adding_an_email_that_differs_only_by_case_is_refused(admin_client):
    UserFactory(email="maria@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {"email": "Maria@Example.org", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert User.objects.count() == 2  # the superuser and Maria


def test_give_a_user_a_membership_inline(admin_client):
    user = UserFactory()
    organisation = OrganisationFactory()
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in {"groups", "user_permissions", "password"}
    }
    data.update(
        {
            "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-organisation": organisation.pk,
            "memberships-0-role": "admin",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.get(user=user).organisation == organisation


def test_organisation_autocomplete_for_memberships_folds_accents(admin_client):
    OrganisationFactory(name="Comune di Forlì")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "forli", "app_label": "accounts", "model_name": "membership", "field_name": "organisation"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Comune di Forlì"]
