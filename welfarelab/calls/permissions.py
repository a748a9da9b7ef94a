"""Who may do what with the calls catalogue.

- Everybody reads the calls, their pages and the API, and sees which calls fit an organisation.
- The lab's call editors add and correct calls, see their history and the import runs: the lab
  coordinators (and superusers), and whoever the coordinators give the permission "Can change call"
  (`calls.change_call`, directly or through a group such as "Redazione bandi" in the admin).
  Anybody else gets 403 on the editors' pages (their existence is no secret).
- An organisation's themes are changed by those who may change the organisation
  (`accounts.permissions.can_change`: its editors and admins, the coordinators).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.indicators.permissions import is_coordinator

MAY_NOT_EDIT_CALLS = _("Only the lab's call editors and coordinators add and correct calls.")
EDIT_PERMISSION = "calls.change_call"


def can_edit_calls(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_coordinator(user) or user.has_perm(EDIT_PERMISSION)


def require_call_editor(user: User | AnonymousUser) -> None:
    if not can_edit_calls(user):
        raise PermissionDenied(MAY_NOT_EDIT_CALLS)
