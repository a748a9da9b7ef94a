"""Reads on people and roles."""

from __future__ import annotations

from django.db.models import QuerySet

from welfarelab.accounts.models import Membership, User


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The memberships of `user`, with their organisation and its place, by organisation name."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__territory")
        .order_by("organisation__name_folded", "organisation_id")
    )


def membership_list_for_organisation(*, organisation_id: int) -> QuerySet[Membership]:
    """The members of an organisation, administrators first, then by name and email.

    Not scoped: call it only after `can_view_members` said yes.
    """
    return (
        Membership.objects.filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__email")
    )
