"""Who may do what with the alerts.

- Everybody subscribes, reads the news and the feeds; a subscription is changed only through the signed
  links sent to its address (no account needed).
- The lab coordinators (and superusers) write news posts and see the deliveries (/avvisi/consegne/);
  anybody else gets 403 there.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.indicators.permissions import is_coordinator

ONLY_COORDINATORS = _("Only the lab coordinators write news and see the deliveries.")


def can_manage_alerts(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_active and is_coordinator(user))


def require_alerts_manager(user: User | AnonymousUser) -> None:
    if not can_manage_alerts(user):
        raise PermissionDenied(ONLY_COORDINATORS)
