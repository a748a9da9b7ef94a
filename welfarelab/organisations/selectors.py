"""Reads of the organisation directory, always scoped to what the user may see.

`organisation_list` is what the directory page and the API list; `organisation_get` and
`organisation_get_for_change` are the only doors to one organisation (404 when hidden, 403 when
visible but not the user's to change).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from welfarelab.accounts.models import Membership, User
from welfarelab.accounts.permissions import (
    access_for_change,
    access_for_view,
    can_view_members,
    visible_to,
)
from welfarelab.accounts.selectors import membership_list_for_organisation
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import Territory

# The filters `organisation_list` understands; other keys are ignored.
FILTER_KEYS = ("q", "kind", "legal_form", "regione", "provincia", "comune")

_TAX_CODE = re.compile(r"^(?:[0-9]{11}|[A-Za-z0-9]{16})$")


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("territory")


def organisation_list(
    *, user: User | AnonymousUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Organisation]:
    """The organisations `user` may see, matching `filters`, by folded name.

    Filters (all optional, empty values ignored):
    - `q`: words that must all appear in the name, ignoring case and accents (`forli` finds
      Forlì); a tax code (11 digits or 16 characters) also matches the tax code exactly;
    - `kind`, `legal_form`: values of `Organisation.Kind` and `Organisation.LegalForm`;
    - `regione`, `provincia`: ISTAT codes (`"12"`, `"058"`); they match the body of that territory
      and every organisation whose territory lies in it;
    - `comune`: an ISTAT code (`"058091"`) or a name (`"forli"`); a name shared by several comuni
      matches them all (add the provincia to choose one).
    """
    filters = filters or {}
    organisations = visible_to(user, _organisations(), owner_field="pk")

    query = str(filters.get("q") or "").strip()
    if query:
        by_name = Q()
        for word in fold(query).split():
            by_name &= Q(name_folded__contains=word)
        if _TAX_CODE.match(query):
            by_name |= Q(tax_code=query.upper())
        organisations = organisations.filter(by_name)

    if kind := filters.get("kind"):
        organisations = organisations.filter(kind=kind)
    if legal_form := filters.get("legal_form"):
        organisations = organisations.filter(legal_form=legal_form)

    if regione := filters.get("regione"):
        organisations = organisations.filter(
            territory_id__in=Territory.objects.filter(
                Q(kind=Territory.Kind.REGIONE, code=regione)
                | Q(regione__kind=Territory.Kind.REGIONE, regione__code=regione)
            ).values("pk")
        )
    if provincia := filters.get("provincia"):
        organisations = organisations.filter(
            territory_id__in=Territory.objects.filter(
                Q(kind=Territory.Kind.PROVINCIA, code=provincia)
                | Q(provincia__kind=Territory.Kind.PROVINCIA, provincia__code=provincia)
            ).values("pk")
        )
    if comune := str(filters.get("comune") or "").strip():
        comuni = Territory.objects.filter(kind=Territory.Kind.COMUNE)
        comuni = comuni.filter(code=comune) if comune.isdigit() else comuni.filter(name_folded=fold(comune))
        organisations = organisations.filter(territory_id__in=comuni.values("pk"))

    return organisations.order_by("name_folded", "pk")


def organisation_get(*, user: User | AnonymousUser, pk: object) -> Organisation:
    """The organisation `pk` if `user` may see it; Http404 otherwise (hidden ones do not leak)."""
    return access_for_view(user=user, queryset=_organisations(), pk=pk, owner_field="pk")


def organisation_get_for_change(*, user: User | AnonymousUser, pk: object) -> Organisation:
    """The organisation `pk` if `user` may change it; Http404 if hidden from it, else PermissionDenied."""
    return access_for_change(user=user, queryset=_organisations(), pk=pk, owner_field="pk")


def organisation_members(
    *, user: User | AnonymousUser, organisation: Organisation
) -> QuerySet[Membership] | None:
    """Who belongs to `organisation`, for its own members and the coordinators; None for anybody else."""
    if not can_view_members(user, organisation):
        return None
    return membership_list_for_organisation(organisation_id=organisation.pk)


def membership_get(*, organisation: Organisation, pk: object) -> Membership:
    """The membership `pk` of `organisation` (Http404 when it belongs to another organisation)."""
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"), organisation=organisation, pk=pk
    )
