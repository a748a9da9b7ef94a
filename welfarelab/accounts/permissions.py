"""The one place that decides who may see and change what (every app reuses it).

An object belongs to an organisation when it has an `owner_organisation_id` attribute (an
Organisation owns itself). Its members with the role editor or admin may change it; viewers may
read what is not public; a lab coordinator may do everything. Objects with `is_public = False`
are hidden from everybody else: the `access_*` helpers answer 404 for them (not 403), so their
existence does not leak, and 403 for visible objects the user may not change.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User

CHANGE_ROLES = (Membership.Role.EDITOR, Membership.Role.ADMIN)
MANAGE_MEMBERS_ROLES = (Membership.Role.ADMIN,)

NOT_YOURS = _("This belongs to another organisation: you may not change it.")


class OwnedByOrganisation(Protocol):
    @property
    def owner_organisation_id(self) -> int | None: ...


M = TypeVar("M", bound=Model)


def _is_coordinator(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_lab_coordinator or user.is_superuser))


def organisation_ids_of(user: User | AnonymousUser, *, roles: tuple[str, ...] | None = None) -> set[int]:
    """Ids of the organisations `user` belongs to (with one of `roles`, if given)."""
    if not user.is_authenticated:
        return set()
    memberships = Membership.objects.filter(user_id=user.pk)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return set(memberships.values_list("organisation_id", flat=True))


def can_view(user: User | AnonymousUser, obj: OwnedByOrganisation) -> bool:
    """May `user` see `obj`? Everybody when it is public (or has no `is_public`), else its members
    and the coordinators."""
    if getattr(obj, "is_public", True) or _is_coordinator(user):
        return True
    return obj.owner_organisation_id in organisation_ids_of(user)


def can_change(user: User | AnonymousUser, obj: OwnedByOrganisation) -> bool:
    """May `user` change `obj`? Coordinators always; members with an editor or admin role of its owner."""
    if _is_coordinator(user):
        return True
    owner = obj.owner_organisation_id
    return owner is not None and owner in organisation_ids_of(user, roles=CHANGE_ROLES)


def can_manage_members(user: User | AnonymousUser, obj: OwnedByOrganisation) -> bool:
    """May `user` add, change and remove the members of `obj`'s owner? Coordinators and its admins."""
    if _is_coordinator(user):
        return True
    owner = obj.owner_organisation_id
    return owner is not None and owner in organisation_ids_of(user, roles=MANAGE_MEMBERS_ROLES)


def can_view_members(user: User | AnonymousUser, obj: OwnedByOrganisation) -> bool:
    """May `user` see who belongs to `obj`'s owner? Its own members (any role) and coordinators only."""
    if _is_coordinator(user):
        return True
    owner = obj.owner_organisation_id
    return owner is not None and owner in organisation_ids_of(user)


def visible_to(user: User | AnonymousUser, queryset: QuerySet[M], *, owner_field: str) -> QuerySet[M]:
    """Restrict `queryset` to the rows `user` may see: public ones, and private ones of its organisations.

    `owner_field` names the path to the owning organisation id (e.g. "pk" for organisations,
    "organisation_id" for their data).
    """
    if _is_coordinator(user):
        return queryset
    visible = Q(is_public=True)
    own = organisation_ids_of(user)
    if own:
        visible |= Q(**{f"{owner_field}__in": own})
    return queryset.filter(visible)


def access_for_view(*, user: User | AnonymousUser, queryset: QuerySet[M], pk: object, owner_field: str) -> M:
    """The object `pk` of `queryset` if `user` may see it, else Http404."""
    try:
        return visible_to(user, queryset, owner_field=owner_field).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None


def access_for_change(
    *, user: User | AnonymousUser, queryset: QuerySet[M], pk: object, owner_field: str
) -> M:
    """The object `pk` if `user` may change it; Http404 if it may not even see it, else PermissionDenied."""
    obj = access_for_view(user=user, queryset=queryset, pk=pk, owner_field=owner_field)
    if not can_change(user, obj):  # type: ignore[arg-type]
        raise PermissionDenied(NOT_YOURS)
    return obj
