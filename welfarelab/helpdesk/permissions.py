"""Who may do what at the help desk.

- Everybody reads the published articles and answers "was this useful?".
- Help desk operators — users flagged `is_desk_operator`, the lab coordinators and superusers — also read
  unpublished articles, see the review queue and mark articles as reviewed. Anybody else signed in gets
  403 on the queue (its existence is no secret); an unpublished article is 404 for them, as if it did not
  exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User

MAY_NOT_REVIEW = _("Only the help desk operators and the lab coordinators review the knowledge base.")


def is_desk_operator(user: User | AnonymousUser | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_desk_operator or user.is_lab_coordinator or user.is_superuser)
    )


def require_desk_operator(user: User | AnonymousUser) -> None:
    if not is_desk_operator(user):
        raise PermissionDenied(MAY_NOT_REVIEW)
