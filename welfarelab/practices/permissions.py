"""Who may do what with good practices (the rules of docs/practices.md, in one place).

- Everybody reads the published practices.
- Members with an editor or admin role of an organisation propose practices on its behalf; the lab
  coordinators too.
- A proposal is changed, while proposed or returned, by whoever proposed it, by the editors of the
  proposing organisation and by the coordinators (`accounts.permissions.can_change`).
- Reviewers are the lab coordinators and the editors of a partner institution: an organisation of the
  kinds in REVIEWER_KINDS (university, volunteer service centre, training body). `may_review` says
  who they are; `may_review_practice` adds that nobody reviews a practice they proposed or one their
  own organisation takes part in, except a coordinator reviewing one they did not propose.
- Unpublished practices are seen by those who may change them and by reviewers; for anybody else they
  answer 404, as if they did not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import CHANGE_ROLES, can_change, organisation_ids_of
from welfarelab.organisations.models import Organisation
from welfarelab.practices.models import Practice

# Partner institutions whose editors review practices (DESIGN.md: they curate the good practices).
REVIEWER_KINDS = (
    Organisation.Kind.UNIVERSITY,
    Organisation.Kind.CSV,
    Organisation.Kind.TRAINING_BODY,
)

MAY_NOT_PROPOSE = _("Only editors of a member organisation and the lab coordinators propose good practices.")
MAY_NOT_REVIEW = _(
    "Only the lab coordinators and the editors of a partner institution (university, volunteer "
    "service centre, training body) review good practices."
)
OWN_PRACTICE = _(
    "You took part in this practice (you proposed it, or your organisation is among its promoters "
    "or partners): another reviewer must review it."
)
MAY_NOT_CHANGE = _(
    "Only who proposed this practice, its organisation's editors and the coordinators change it."
)


def is_coordinator(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_lab_coordinator or user.is_superuser))


def proposing_organisations(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations `user` may propose practices for: those where it is an editor or admin."""
    if not user.is_authenticated:
        return []
    ids = organisation_ids_of(user, roles=CHANGE_ROLES)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name_folded", "pk"))


def may_propose(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return is_coordinator(user) or bool(organisation_ids_of(user, roles=CHANGE_ROLES))


def may_review(user: User | AnonymousUser | None) -> bool:
    """Is `user` a reviewer of good practices? The one rule of who reviews (see the module's docstring)."""
    if user is None or not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return Organisation.objects.filter(
        pk__in=organisation_ids_of(user, roles=CHANGE_ROLES), kind__in=REVIEWER_KINDS
    ).exists()


def took_part(user: User | AnonymousUser, practice: Practice) -> bool:
    """Did `user` propose `practice`, or is one of its organisations among its promoters or partners?"""
    if not user.is_authenticated:
        return False
    if practice.submitted_by_id == user.pk:
        return True
    own = organisation_ids_of(user)
    if practice.owner_organisation_id in own:
        return True
    return practice.partners.filter(organisation_id__in=own).exists()


def may_review_practice(user: User | AnonymousUser | None, practice: Practice) -> bool:
    """May `user` review this practice: a reviewer who did not take part in it (coordinators: did not
    propose it)."""
    if user is None or not may_review(user):
        return False
    if is_coordinator(user):
        return practice.submitted_by_id != user.pk
    return not took_part(user, practice)


def may_change_practice(user: User | AnonymousUser | None, practice: Practice) -> bool:
    """May `user` change the content of the practice? Only while proposed or returned."""
    if practice.status not in (Practice.Status.PROPOSED, Practice.Status.RETURNED):
        return False
    return may_manage_practice(user, practice)


def may_manage_practice(user: User | AnonymousUser | None, practice: Practice) -> bool:
    """Is `practice` `user`'s to change, whatever its status (its proposer, its organisation's editors,
    the coordinators)?"""
    if user is None or not user.is_authenticated:
        return False
    if practice.submitted_by_id is not None and practice.submitted_by_id == user.pk:
        return True
    return can_change(user, practice)  # coordinators, editors and admins of the proposing organisation


def may_view_practice(user: User | AnonymousUser | None, practice: Practice) -> bool:
    if practice.is_published:
        return True
    return may_review(user) or may_manage_practice(user, practice)
