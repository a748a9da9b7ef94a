"""Who may do what with data-collection rounds (the only doors to a round and to a member's page).

- A lab coordinator (or a superuser) creates, opens and closes rounds, chooses their members, reads the
  completeness board and sends reminders; it may also send values on behalf of any member.
- An editor or administrator of a member organisation sees the rounds it is asked for (once they are no
  longer drafts), fills in the form, downloads the template and uploads it.
- A viewer of a member organisation may not send its values: 403 on the member's page.
- Anybody else gets 404 for a member's page (which organisations a round asks is not shown), and 403
  for the coordinators' pages (whose existence is no secret).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User
from welfarelab.accounts.permissions import CHANGE_ROLES
from welfarelab.indicators.permissions import is_coordinator
from welfarelab.rounds.models import Round, RoundMember

MAY_NOT_MANAGE_ROUNDS = _("Only the lab coordinators manage data-collection rounds.")
MAY_NOT_SEND = _("Only the editors and administrators of the organisation send its values to a round.")
NOT_FOUND = _("Not found.")


def can_manage_rounds(user: User | AnonymousUser | None) -> bool:
    return is_coordinator(user)


def can_send_for(user: User | AnonymousUser | None, *, organisation_id: int) -> bool:
    """May `user` send the values of the organisation: coordinators, and its editors and administrators."""
    if is_coordinator(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk, organisation_id=organisation_id, role__in=CHANGE_ROLES
    ).exists()


def require_round_manager(user: User | AnonymousUser) -> None:
    if not can_manage_rounds(user):
        raise PermissionDenied(MAY_NOT_MANAGE_ROUNDS)


def access_round_for_manager(*, user: User | AnonymousUser, pk: int | str) -> Round:
    """The round `pk` for a coordinator: 403 for anybody else, 404 when there is no such round."""
    require_round_manager(user)
    try:
        return Round.objects.select_related("created_by").get(pk=pk)
    except (Round.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def access_round_member(
    *, user: User | AnonymousUser, round_pk: int | str, organisation_pk: int | str
) -> RoundMember:
    """The organisation's place in the round, for someone who may send its values.

    404 when the organisation is not a member, when the round is still a draft (except for coordinators),
    or when `user` does not belong to the organisation; 403 when `user` is only a viewer of it.
    """
    members = RoundMember.objects.select_related("round", "organisation", "territory")
    try:
        member = members.get(round_id=round_pk, organisation_id=organisation_pk)
    except (RoundMember.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    if is_coordinator(user):
        return member
    if member.round.status == Round.Status.DRAFT or not user.is_authenticated:
        raise Http404(NOT_FOUND)
    roles = set(
        Membership.objects.filter(user_id=user.pk, organisation_id=member.organisation_id).values_list(
            "role", flat=True
        )
    )
    if not roles:
        raise Http404(NOT_FOUND)
    if not roles & set(CHANGE_ROLES):
        raise PermissionDenied(MAY_NOT_SEND)
    return member
