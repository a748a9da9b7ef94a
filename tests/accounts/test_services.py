"""Membership services: adding, changing roles and removing, with their permission and admin rules."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.accounts.models import Membership, User
from welfarelab.accounts.services import (
    ALREADY_A_MEMBER,
    LAST_ADMIN,
    MAY_NOT_MANAGE_MEMBERS,
    membership_add,
    membership_change_role,
    membership_remove,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver/"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Associazione Agliè Solidale")


@pytest.fixture
def admin(organisation):
    return MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user


def test_add_gives_an_existing_account_the_role(organisation, admin):
    person = UserFactory(email="giulia.bianchi@example.org")

    membership = membership_add(
        organisation=organisation,
        email="Giulia.Bianchi@EXAMPLE.org",
        role="editor",
        added_by=admin,
        base_url=BASE_URL,
    )

    assert (membership.user, membership.organisation, membership.role) == (person, organisation, "editor")
    assert User.objects.count() == 2
    assert mail.outbox == []


def test_add_of_an_unknown_address_creates_the_account_and_invites_it(
    organisation, admin, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_add(
            organisation=organisation,
            email="nuovo@example.org",
            role="viewer",
            added_by=admin,
            base_url=BASE_URL,
        )

    person = membership.user
    assert person.email == "nuovo@example.org"
    assert not person.has_usable_password()
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == ["nuovo@example.org"]
    assert "Associazione Agliè Solidale" in invitation.subject
    link = re.search(r"http://testserver(/\S+)", invitation.body).group(1)
    # The link is the password-reset link: it lets the new person choose a password and sign in.
    set_password_page = client.get(link, follow=True)
    assert set_password_page.context["validlink"] is True
    client.post(
        set_password_page.redirect_chain[-1][0],
        {"new_password1": "una-password-lunga-2026", "new_password2": "una-password-lunga-2026"},
    )
    assert client.login(email="nuovo@example.org", password="una-password-lunga-2026")


def test_no_invitation_is_sent_when_the_transaction_is_rolled_back(
    organisation, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership_add(
            organisation=organisation, email="x@example.org", role="viewer", added_by=admin, base_url=BASE_URL
        )
    assert len(callbacks) == 1  # queued for after the commit, never sent inside the transaction
    assert mail.outbox == []


def test_add_refuses_somebody_who_is_already_a_member(organisation, admin):
    existing = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)

    with pytest.raises(ValidationError) as refused:
        membership_add(
            organisation=organisation,
            email=existing.user.email.upper(),
            role="admin",
            added_by=admin,
            base_url=BASE_URL,
        )

    assert refused.value.message_dict == {"email": [str(ALREADY_A_MEMBER)]}
    existing.refresh_from_db()
    assert existing.role == Membership.Role.VIEWER


def test_add_refuses_an_unknown_role_and_creates_nothing(organisation, admin):
    with pytest.raises(ValidationError):
        membership_add(
            organisation=organisation, email="x@example.org", role="owner", added_by=admin, base_url=BASE_URL
        )
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize("role", [Membership.Role.VIEWER, Membership.Role.EDITOR])
def test_add_by_a_non_admin_member_is_refused_and_creates_nothing(
    organisation, role, django_capture_on_commit_callbacks
):
    member = MembershipFactory(organisation=organisation, role=role).user

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied) as refused:
        membership_add(
            organisation=organisation, email="x@example.org", role="admin", added_by=member, base_url=BASE_URL
        )

    assert str(refused.value) == str(MAY_NOT_MANAGE_MEMBERS)
    assert Membership.objects.filter(organisation=organisation).count() == 1
    assert not User.objects.filter(email="x@example.org").exists()
    assert mail.outbox == []


def test_add_by_the_admin_of_another_organisation_is_refused(organisation):
    other_admin = MembershipFactory(role=Membership.Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        membership_add(
            organisation=organisation,
            email="x@example.org",
            role="viewer",
            added_by=other_admin,
            base_url=BASE_URL,
        )
    assert not organisation.memberships.exists()


def test_a_coordinator_may_give_an_organisation_its_first_admin(organisation):
    coordinator = UserFactory(is_lab_coordinator=True)
    person = UserFactory()

    membership = membership_add(
        organisation=organisation, email=person.email, role="admin", added_by=coordinator, base_url=BASE_URL
    )

    assert membership.role == Membership.Role.ADMIN


def test_change_role_promotes_and_demotes(organisation, admin):
    member = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)

    membership_change_role(membership=member, role="admin", changed_by=admin)
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN

    membership_change_role(membership=member, role="editor", changed_by=admin)
    member.refresh_from_db()
    assert member.role == Membership.Role.EDITOR


def test_change_role_refuses_to_demote_the_last_admin(organisation, admin):
    own = Membership.objects.get(organisation=organisation, user=admin)

    with pytest.raises(ValidationError) as refused:
        membership_change_role(membership=own, role="editor", changed_by=admin)

    assert refused.value.message_dict == {"role": [str(LAST_ADMIN)]}
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_change_role_of_the_last_admin_is_refused_to_coordinators_too(organisation, admin):
    own = Membership.objects.get(organisation=organisation, user=admin)
    with pytest.raises(ValidationError):
        membership_change_role(membership=own, role="viewer", changed_by=UserFactory(is_lab_coordinator=True))
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_an_admin_may_step_down_when_another_admin_remains(organisation, admin):
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    own = Membership.objects.get(organisation=organisation, user=admin)

    membership_change_role(membership=own, role="viewer", changed_by=admin)

    own.refresh_from_db()
    assert own.role == Membership.Role.VIEWER


def test_change_role_by_an_editor_is_refused_and_changes_nothing(organisation, admin):
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    with pytest.raises(PermissionDenied):
        membership_change_role(membership=editor, role="admin", changed_by=editor.user)
    editor.refresh_from_db()
    assert editor.role == Membership.Role.EDITOR


def test_change_role_uses_the_role_in_the_database_not_a_stale_copy(organisation, admin):
    # Two admins; one copy of the second is stale (it still says "admin" after a demotion elsewhere).
    second = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    stale_first = Membership.objects.get(organisation=organisation, user=admin)
    membership_change_role(membership=second, role="viewer", changed_by=admin)

    with pytest.raises(ValidationError):
        membership_change_role(membership=stale_first, role="viewer", changed_by=admin)
    assert organisation.memberships.filter(role=Membership.Role.ADMIN).count() == 1


def test_remove_ends_the_membership_but_keeps_the_account(organisation, admin):
    member = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)

    membership_remove(membership=member, removed_by=admin)

    assert not Membership.objects.filter(pk=member.pk).exists()
    assert User.objects.filter(pk=member.user_id).exists()


def test_remove_refuses_the_last_admin(organisation, admin):
    own = Membership.objects.get(organisation=organisation, user=admin)
    with pytest.raises(ValidationError) as refused:
        membership_remove(membership=own, removed_by=admin)
    assert refused.value.messages == [str(LAST_ADMIN)]
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_member_may_leave_on_their_own(organisation, admin):
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    membership_remove(membership=viewer, removed_by=viewer.user)
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_remove_by_an_editor_of_somebody_else_is_refused(organisation, admin):
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR)
    viewer = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=viewer, removed_by=editor.user)
    assert Membership.objects.filter(pk=viewer.pk).exists()
