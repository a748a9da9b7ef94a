"""Managing an organisation's members on the web: admins and coordinators only, one admin always kept."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, person_with_role
from welfarelab.accounts.models import Membership, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Associazione Agliè Solidale")


@pytest.fixture
def admin(organisation):
    return MembershipFactory(
        organisation=organisation, role=Membership.Role.ADMIN, user__email="capo@example.org"
    )


def members_url(organisation) -> str:
    return reverse("organisations:members", kwargs={"pk": organisation.pk})


def role_url(membership) -> str:
    return reverse(
        "organisations:member-role", kwargs={"pk": membership.organisation_id, "membership_pk": membership.pk}
    )


def remove_url(membership) -> str:
    return reverse(
        "organisations:member-remove",
        kwargs={"pk": membership.organisation_id, "membership_pk": membership.pk},
    )


@pytest.mark.parametrize(
    ("role", "is_public", "expected"),
    [
        ("viewer", True, 403),
        ("editor", True, 403),
        ("admin", True, 200),
        ("editor_elsewhere", True, 403),
        ("editor_elsewhere", False, 404),
        ("coordinator", False, 200),
    ],
)
def test_members_page_by_role(client, role, is_public, expected):
    organisation = OrganisationFactory(is_public=is_public)
    client.force_login(person_with_role(role, organisation))
    assert client.get(members_url(organisation)).status_code == expected


def test_members_page_asks_anonymous_visitors_to_sign_in(client, organisation):
    response = client.get(members_url(organisation))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_admin_adds_an_existing_person(client, organisation, admin):
    person = UserFactory(email="giulia@example.org")
    client.force_login(admin.user)

    response = client.post(members_url(organisation), {"email": "Giulia@Example.org", "role": "editor"})

    assert response["Location"] == members_url(organisation)
    assert Membership.objects.get(organisation=organisation, user=person).role == Membership.Role.EDITOR
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_admin_invites_a_new_person(client, organisation, admin, django_capture_on_commit_callbacks):
    client.force_login(admin.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(members_url(organisation), {"email": "nuova@example.org", "role": "viewer"})

    assert User.objects.get(email="nuova@example.org").memberships.get().organisation == organisation
    assert [m.to for m in mail.outbox] == [["nuova@example.org"]]
    assert "http://testserver/account/password/reimposta/" in mail.outbox[0].body


def test_adding_somebody_twice_shows_the_error_on_the_form(client, organisation, admin):
    client.force_login(admin.user)

    response = client.post(members_url(organisation), {"email": "capo@example.org", "role": "viewer"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert Membership.objects.get(pk=admin.pk).role == Membership.Role.ADMIN


def test_an_editor_cannot_add_members(client, organisation, admin):
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    client.force_login(editor.user)

    response = client.post(members_url(organisation), {"email": "x@example.org", "role": "admin"})

    assert response.status_code == 403
    assert organisation.memberships.count() == 2
    assert not User.objects.filter(email="x@example.org").exists()


def test_admin_changes_a_role(client, organisation, admin):
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    client.force_login(admin.user)

    response = client.post(role_url(viewer), {f"m{viewer.pk}-role": "editor"})

    assert response["Location"] == members_url(organisation)
    viewer.refresh_from_db()
    assert viewer.role == Membership.Role.EDITOR


def test_the_last_admin_cannot_be_demoted_or_removed_on_the_web(client, organisation, admin):
    client.force_login(admin.user)

    demoted = client.post(role_url(admin), {f"m{admin.pk}-role": "viewer"}, follow=True)
    removed = client.post(remove_url(admin), follow=True)

    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN
    assert [m.level_tag for m in demoted.context["messages"]] == ["error"]
    assert [m.level_tag for m in removed.context["messages"]] == ["error"]


def test_admin_removes_a_member(client, organisation, admin):
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    client.force_login(admin.user)

    client.post(remove_url(editor))

    assert not Membership.objects.filter(pk=editor.pk).exists()


def test_a_membership_of_another_organisation_is_404_through_this_one(client, organisation, admin):
    # The admin of this organisation tries to change a membership of another one through its own URL.
    foreign = MembershipFactory(role=Membership.Role.VIEWER)
    client.force_login(admin.user)
    url = reverse("organisations:member-role", kwargs={"pk": organisation.pk, "membership_pk": foreign.pk})

    assert client.post(url, {f"m{foreign.pk}-role": "admin"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Membership.Role.VIEWER


def test_role_and_remove_need_a_post(client, organisation, admin):
    client.force_login(admin.user)
    assert client.get(role_url(admin)).status_code == 405
    assert client.get(remove_url(admin)).status_code == 405


def test_members_page_lists_people_with_one_role_form_each(client, organisation, admin):
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    client.force_login(admin.user)

    response = client.get(members_url(organisation))

    assert [m for m, _form in response.context["rows"]] == [admin, viewer]
    page = response.content.decode()
    assert f'id="id_m{admin.pk}-role"' in page and f'id="id_m{viewer.pk}-role"' in page
