"""The one permission helper every app reuses: each function, for each role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, person_with_role
from welfarelab.accounts import permissions
from welfarelab.accounts.models import Membership
from welfarelab.organisations.models import Organisation

pytestmark = pytest.mark.django_db

# role → (can_view a private object, can_change, can_manage_members, can_view_members)
EXPECTED = {
    "anonymous": (False, False, False, False),
    "viewer": (True, False, False, True),
    "editor": (True, True, False, True),
    "admin": (True, True, True, True),
    "editor_elsewhere": (False, False, False, False),
    "coordinator": (True, True, True, True),
}
ROLES = list(EXPECTED)


@pytest.fixture
def private_organisation() -> Organisation:
    return OrganisationFactory(is_public=False)


def test_organisation_ids_of_lists_every_membership_or_only_the_given_roles():
    user = UserFactory()
    viewed = MembershipFactory(user=user, role=Membership.Role.VIEWER).organisation
    edited = MembershipFactory(user=user, role=Membership.Role.EDITOR).organisation
    administered = MembershipFactory(user=user, role=Membership.Role.ADMIN).organisation
    MembershipFactory(role=Membership.Role.ADMIN)  # somebody else's

    assert permissions.organisation_ids_of(user) == {viewed.pk, edited.pk, administered.pk}
    assert permissions.organisation_ids_of(user, roles=permissions.CHANGE_ROLES) == {
        edited.pk,
        administered.pk,
    }
    assert permissions.organisation_ids_of(user, roles=permissions.MANAGE_MEMBERS_ROLES) == {administered.pk}


def test_organisation_ids_of_an_anonymous_visitor_is_empty_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert permissions.organisation_ids_of(AnonymousUser()) == set()


@pytest.mark.parametrize("role", ROLES)
def test_can_view_a_public_organisation_is_everybody(role):
    organisation = OrganisationFactory(is_public=True)
    assert permissions.can_view(person_with_role(role, organisation), organisation) is True


@pytest.mark.parametrize("role", ROLES)
def test_can_view_a_private_organisation_is_its_members_and_coordinators(role, private_organisation):
    user = person_with_role(role, private_organisation)
    assert permissions.can_view(user, private_organisation) is EXPECTED[role][0]


@pytest.mark.parametrize("role", ROLES)
def test_can_change_is_editors_admins_and_coordinators(role):
    organisation = OrganisationFactory()
    assert permissions.can_change(person_with_role(role, organisation), organisation) is EXPECTED[role][1]


@pytest.mark.parametrize("role", ROLES)
def test_can_manage_members_is_admins_and_coordinators(role):
    organisation = OrganisationFactory()
    user = person_with_role(role, organisation)
    assert permissions.can_manage_members(user, organisation) is EXPECTED[role][2]


@pytest.mark.parametrize("role", ROLES)
def test_can_view_members_is_members_and_coordinators(role):
    organisation = OrganisationFactory()
    user = person_with_role(role, organisation)
    assert permissions.can_view_members(user, organisation) is EXPECTED[role][3]


def test_a_superuser_counts_as_a_coordinator():
    organisation = OrganisationFactory(is_public=False)
    superuser = UserFactory(is_superuser=True)
    assert permissions.can_view(superuser, organisation)
    assert permissions.can_change(superuser, organisation)
    assert permissions.can_manage_members(superuser, organisation)


def test_helpers_work_on_any_object_owned_by_an_organisation():
    # Other apps pass their own objects: anything with `owner_organisation_id` (and maybe `is_public`).
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    owned = SimpleNamespace(owner_organisation_id=membership.organisation_id, is_public=False)
    unowned = SimpleNamespace(owner_organisation_id=None, is_public=False)
    without_flag = SimpleNamespace(owner_organisation_id=OrganisationFactory().pk)

    assert permissions.can_view(membership.user, owned) and permissions.can_change(membership.user, owned)
    assert not permissions.can_view(membership.user, unowned)
    assert not permissions.can_change(membership.user, unowned)
    assert permissions.can_view(AnonymousUser(), without_flag)  # no is_public: public
    assert not permissions.can_change(membership.user, without_flag)


@pytest.mark.parametrize(
    ("role", "sees_private"),
    [("anonymous", False), ("viewer", True), ("editor_elsewhere", False), ("coordinator", True)],
)
def test_visible_to_keeps_public_rows_and_the_users_own(role, sees_private, private_organisation):
    public = OrganisationFactory(is_public=True)
    other_private = OrganisationFactory(is_public=False)
    user = person_with_role(role, private_organisation)

    visible = set(permissions.visible_to(user, Organisation.objects.all(), owner_field="pk"))

    assert public in visible
    assert (private_organisation in visible) is sees_private
    assert (other_private in visible) is (role == "coordinator")


@pytest.mark.parametrize("role", ROLES)
def test_access_for_view_answers_404_for_hidden_objects(role, private_organisation):
    user = person_with_role(role, private_organisation)
    queryset = Organisation.objects.all()
    if EXPECTED[role][0]:
        found = permissions.access_for_view(
            user=user, queryset=queryset, pk=private_organisation.pk, owner_field="pk"
        )
        assert found == private_organisation
    else:
        with pytest.raises(Http404):
            permissions.access_for_view(
                user=user, queryset=queryset, pk=private_organisation.pk, owner_field="pk"
            )


@pytest.mark.parametrize("pk", [999_999, "not-a-number", None])
def test_access_for_view_answers_404_for_missing_or_malformed_keys(pk):
    with pytest.raises(Http404):
        permissions.access_for_view(
            user=UserFactory(is_lab_coordinator=True),
            queryset=Organisation.objects.all(),
            pk=pk,
            owner_field="pk",
        )


@pytest.mark.parametrize(
    ("role", "is_public", "outcome"),
    [
        ("anonymous", True, PermissionDenied),
        ("anonymous", False, Http404),
        ("viewer", True, PermissionDenied),
        ("viewer", False, PermissionDenied),
        ("editor", False, None),
        ("admin", False, None),
        ("editor_elsewhere", True, PermissionDenied),
        ("editor_elsewhere", False, Http404),
        ("coordinator", False, None),
    ],
)
def test_access_for_change_answers_404_when_hidden_and_403_when_only_visible(role, is_public, outcome):
    organisation = OrganisationFactory(is_public=is_public)
    user = person_with_role(role, organisation)
    kwargs = {
        "user": user,
        "queryset": Organisation.objects.all(),
        "pk": organisation.pk,
        "owner_field": "pk",
    }
    if outcome is None:
        assert permissions.access_for_change(**kwargs) == organisation
    else:
        with pytest.raises(outcome):
            permissions.access_for_change(**kwargs)
