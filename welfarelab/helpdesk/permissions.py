"""Who may do what at the help desk.

- Everybody reads the published articles and answers "was this useful?".
- Help desk operators — users flagged `is_desk_operator`, the lab coordinators and superusers — also read
  unpublished articles, see the review queue and mark articles as reviewed. Anybody else signed in gets
  403 on the queue (its existence is no secret); an unpublished article is 404 for them, as if it did not
  exist.
- Questions to the desk: see the section at the end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import organisation_ids_of

if TYPE_CHECKING:
    from welfarelab.helpdesk.models import Question

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


# --- questions to the desk ---------------------------------------------------------------------------
#
# A question holds personal data. It is read by its asker (the account that asked it, or whoever proved
# to own its email address through a link), by the members of the organisation it was asked for (any
# role), and by the desk's operators; anybody else signed in (or holding another verified address) gets
# 403, and a visitor with neither an account nor a verified address 404 (`question_selectors.question_get`).

MAY_NOT_READ_QUESTION = _(
    "This question belongs to somebody else: only the person who asked it, the members of its "
    "organisation and the help desk operators may read it."
)
MAY_NOT_ANSWER_QUESTIONS = _("Only the help desk operators answer the questions.")
MAY_NOT_ANSWER_FOR_ASKER = _("Only the person who asked the question, or its organisation, may answer here.")


def is_question_asker(
    user: User | AnonymousUser | None, question: Question, *, verified_email: str = ""
) -> bool:
    """Did `user` (or the holder of `verified_email`) ask `question`? An anonymised question has no asker."""
    email = question.asker_email.casefold()
    if user is not None and user.is_authenticated:
        if question.asker_id is not None and question.asker_id == user.pk:
            return True
        if email and user.email.casefold() == email:
            return True
    return bool(email and verified_email and verified_email.casefold() == email)


def is_asker_side(user: User | AnonymousUser | None, question: Question, *, verified_email: str = "") -> bool:
    """The asker, or a member of the organisation the question was asked for."""
    if is_question_asker(user, question, verified_email=verified_email):
        return True
    return bool(
        user is not None
        and user.is_authenticated
        and question.organisation_id is not None
        and question.organisation_id in organisation_ids_of(user)
    )


def may_read_question(
    user: User | AnonymousUser | None, question: Question, *, verified_email: str = ""
) -> bool:
    return is_desk_operator(user) or is_asker_side(user, question, verified_email=verified_email)


def require_question_operator(user: User | AnonymousUser) -> None:
    if not is_desk_operator(user):
        raise PermissionDenied(MAY_NOT_ANSWER_QUESTIONS)
