"""Who may write observations of which territory.

- A lab coordinator (or a superuser) may write every territory.
- An editor or admin of a public body (an organisation of kind comune, ambito, provincia or regione)
  may write the territory that body governs (`Organisation.territory`) and, for an ambito, its member
  comuni: the ambito's office collects its comuni's figures.
- Nobody else: a viewer, a member of a Third Sector Entity (whose territory is only its seat), a
  signed-out visitor.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User
from welfarelab.accounts.permissions import CHANGE_ROLES
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import Territory

NOT_ALLOWED = _(
    "Only the lab coordinators and the editors of a public body (comune, ambito, provincia, regione) load data."
)

PUBLIC_BODY_KINDS = (
    Organisation.Kind.COMUNE,
    Organisation.Kind.AMBITO,
    Organisation.Kind.PROVINCIA,
    Organisation.Kind.REGIONE,
)


def is_coordinator(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_lab_coordinator or user.is_superuser))


def writable_territory_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """Ids of the territories whose observations `user` may write; None means every territory."""
    if is_coordinator(user):
        return None
    if not user.is_authenticated:
        return frozenset()
    governed = set(
        Membership.objects.filter(
            user_id=user.pk,
            role__in=CHANGE_ROLES,
            organisation__kind__in=PUBLIC_BODY_KINDS,
            organisation__territory__isnull=False,
        ).values_list("organisation__territory_id", flat=True)
    )
    if not governed:
        return frozenset()
    members = Territory.objects.filter(Q(kind=Territory.Kind.COMUNE) & Q(ambito_id__in=governed))
    return frozenset(governed | set(members.values_list("id", flat=True)))


def can_import_observations(user: User | AnonymousUser) -> bool:
    """May `user` load observations at all (of at least one territory)?"""
    writable = writable_territory_ids(user)
    return writable is None or bool(writable)
