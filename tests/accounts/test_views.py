"""Signing in and out, passwords by email, and "my account", through the real pages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "un-altra-password-lunga-2026"


def _link_in(body: str) -> str:
    return re.search(r"https?://testserver(/\S+)", body).group(1)


def test_account_urls_are_in_italian():
    assert reverse("accounts:login") == "/account/accedi/"
    assert reverse("accounts:logout") == "/account/esci/"
    assert reverse("accounts:password-reset") == "/account/password/reimposta/"
    assert reverse("accounts:password-change") == "/account/password/cambia/"
    assert reverse("accounts:my-account") == "/account/"


def test_login_page_asks_for_an_email_address(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()
    assert 'autocomplete="current-password"' in response.content.decode()


def test_login_with_email_and_password_whatever_the_case(client):
    user = UserFactory(email="maria.rossi@comune.example.it")

    response = client.post(
        reverse("accounts:login"), {"username": "Maria.Rossi@Comune.Example.it", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_follows_a_safe_next_only(client):
    UserFactory(email="maria@example.org")
    target = reverse("accounts:my-account")
    response = client.post(
        reverse("accounts:login"), {"username": "maria@example.org", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target

    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "maria@example.org", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("core:home")


def test_a_wrong_password_does_not_sign_in(client):
    UserFactory(email="maria@example.org")

    response = client.post(
        reverse("accounts:login"), {"username": "maria@example.org", "password": "wrong-one"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session


def test_an_inactive_account_cannot_sign_in(client):
    UserFactory(email="maria@example.org", is_active=False)
    client.post(reverse("accounts:login"), {"username": "maria@example.org", "password": PASSWORD})
    assert SESSION_KEY not in client.session


def test_logout_needs_a_post(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session[SESSION_KEY] == str(user.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_password_reset_emails_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="maria@example.org")

    response = client.post(reverse("accounts:password-reset"), {"email": "MARIA@example.org"})

    assert response["Location"] == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.org"]
    assert "maria@example.org" in message.body
    page = client.get(_link_in(message.body), follow=True)
    assert page.status_code == 200
    assert page.context["validlink"] is True
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    assert client.get(_link_in(message.body), follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_password_reset_reaches_an_invited_person_without_a_password(client):
    invited = User.objects.create_user(email="invitata@example.org", password=None)
    assert not invited.has_usable_password()

    client.post(reverse("accounts:password-reset"), {"email": "invitata@example.org"})

    assert [m.to for m in mail.outbox] == [["invitata@example.org"]]


def test_password_reset_skips_inactive_accounts(client):
    UserFactory(email="maria@example.org", is_active=False)
    client.post(reverse("accounts:password-reset"), {"email": "maria@example.org"})
    assert mail.outbox == []


def test_password_reset_pages_render(client):
    for name in (
        "accounts:password-reset",
        "accounts:password-reset-done",
        "accounts:password-reset-complete",
    ):
        assert client.get(reverse(name)).status_code == 200
    bad_link = reverse("accounts:password-reset-confirm", kwargs={"uidb64": "MQ", "token": "bad-token"})
    assert client.get(bad_link).context["validlink"] is False


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user)

    refused = client.post(
        reverse("accounts:password-change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:password-change-done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:password-change-done")).status_code == 200


def test_password_change_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_account_lists_memberships_and_organisations(client):
    user = UserFactory()
    edited = MembershipFactory(user=user, role=Membership.Role.EDITOR, organisation__name="Comune di Agliè")
    MembershipFactory(user=user, role=Membership.Role.ADMIN, organisation__name="ODV Roma Aiuta")
    OrganisationFactory(name="Associazione di altri")
    client.force_login(user)

    response = client.get(reverse("accounts:my-account"))

    assert response.status_code == 200
    assert [m.organisation.name for m in response.context["memberships"]] == [
        "Comune di Agliè",
        "ODV Roma Aiuta",
    ]
    page = response.content.decode()
    assert reverse("organisations:detail", kwargs={"pk": edited.organisation_id}) in page
    assert reverse("organisations:update", kwargs={"pk": edited.organisation_id}) in page
    assert "Associazione di altri" not in page


def test_my_account_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("accounts:my-account"))
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('accounts:my-account')}"


def test_two_accounts_cannot_differ_only_by_the_case_of_the_email():
    UserFactory(email="maria@example.org")
    with pytest.raises(IntegrityError):
        UserFactory(email="Maria@Example.org")
