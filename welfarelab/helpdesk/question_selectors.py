"""Reads of the questions to the desk: one question for whoever may read it, the operators' queue, the
questions of an asker, and how near each is to its due date (in working days).

`question_get` is the only door to one question, for the pages and the API alike: 404 when the
reference does not exist or the visitor has neither an account nor a verified address, 403 when the
visitor is somebody who may not read it (`permissions.may_read_question`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import organisation_ids_of
from welfarelab.helpdesk.models import Question, QuestionMessage
from welfarelab.helpdesk.permissions import MAY_NOT_READ_QUESTION, is_desk_operator, may_read_question
from welfarelab.helpdesk.question_services import holiday_calendar
from welfarelab.helpdesk.working_days import add_working_days, working_days_between

NOT_FOUND = _("Not found.")
NEAR_WORKING_DAYS = 1  # "near" its due date: due today or on the next working day
OPEN_STATUSES = (Question.Status.NEW, Question.Status.IN_PROGRESS, Question.Status.WAITING)


class Due(StrEnum):
    PAST = "past"  # the due date has gone by without an answer
    NEAR = "near"  # due today or on the next working day
    ON_TIME = "on_time"
    PAUSED = "paused"  # waiting for the asker
    DONE = "done"  # answered or closed


@dataclass(frozen=True)
class DueState:
    kind: Due
    due_on: dt.date
    working_days_left: int  # negative: working days late

    @property
    def days_late(self) -> int:
        return max(-self.working_days_left, 1) if self.kind == Due.PAST else 0


def due_state(question: Question, *, today: dt.date | None = None) -> DueState:
    """Where `question` stands against its due date, counted in working days."""
    today = today or timezone.localdate()
    left = working_days_between(today, question.due_on, holidays=holiday_calendar())
    if question.status in (Question.Status.ANSWERED, Question.Status.CLOSED):
        kind = Due.DONE
    elif question.status == Question.Status.WAITING:
        kind = Due.PAUSED
    elif question.due_on < today:
        kind = Due.PAST
    elif left <= NEAR_WORKING_DAYS:
        kind = Due.NEAR
    else:
        kind = Due.ON_TIME
    return DueState(kind=kind, due_on=question.due_on, working_days_left=left)


def _with_thread(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("asker", "organisation", "assigned_to", "article").prefetch_related(
        Prefetch(
            "messages", queryset=QuestionMessage.objects.select_related("author").order_by("created_at", "pk")
        )
    )


def question_get(*, user: User | AnonymousUser, reference: str, verified_email: str = "") -> Question:
    """The question `reference` with its thread, if the visitor may read it (see the module's docstring)."""
    question = _with_thread(Question.objects.all()).filter(reference=reference).first()
    if question is None or (not user.is_authenticated and not verified_email):
        raise Http404(NOT_FOUND)
    if not may_read_question(user, question, verified_email=verified_email):
        raise PermissionDenied(MAY_NOT_READ_QUESTION)
    return question


def questions_visible(*, user: User | AnonymousUser, verified_email: str = "") -> QuerySet[Question]:
    """Every question the visitor may read: all for an operator; else those it asked (by account or by
    address) and those of its organisations. Newest first."""
    questions = Question.objects.all()
    if not is_desk_operator(user):
        visible = Q(pk__in=[])
        if user.is_authenticated:
            visible |= Q(asker_id=user.pk) | Q(asker_email__iexact=user.email)
            organisations = organisation_ids_of(user)
            if organisations:
                visible |= Q(organisation_id__in=organisations)
        if verified_email:
            visible |= Q(asker_email__iexact=verified_email)
        questions = questions.filter(visible)
    return questions.select_related("organisation", "assigned_to").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # a Question.Status, "open" (new, being answered, waiting) or "" (all)
    theme: str = ""
    due: str = ""  # "near", "past" or ""
    mine: bool = False
    text: str = ""


def question_queue(
    *, operator: User, filters: QueueFilters, today: dt.date | None = None
) -> QuerySet[Question]:
    """The operators' queue: the nearest due date first, filtered. `due` keeps the questions the desk
    still owes (new or being answered) that are past due, or near it (today or the next working day)."""
    today = today or timezone.localdate()
    questions = Question.objects.select_related("organisation", "assigned_to", "asker")
    if filters.status == "open":
        questions = questions.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        questions = questions.filter(status=filters.status)
    if filters.theme:
        questions = questions.filter(theme=filters.theme)
    if filters.due:
        owed = questions.filter(status__in=(Question.Status.NEW, Question.Status.IN_PROGRESS))
        if filters.due == "past":
            questions = owed.filter(due_on__lt=today)
        else:
            horizon = add_working_days(today, NEAR_WORKING_DAYS, holidays=holiday_calendar())
            questions = owed.filter(due_on__gte=today, due_on__lte=horizon)
    if filters.mine:
        questions = questions.filter(assigned_to=operator)
    text = " ".join(filters.text.split())
    if text:
        questions = questions.filter(
            Q(reference__icontains=text)
            | Q(text__icontains=text)
            | Q(asker_name__icontains=text)
            | Q(asker_email__icontains=text)
            | Q(organisation__name__icontains=text)
        )
    return questions.order_by("due_on", "created_at", "pk")


@dataclass(frozen=True)
class QueueCounts:
    open: int
    new: int
    past_due: int
    near_due: int


def queue_counts(*, today: dt.date | None = None) -> QueueCounts:
    today = today or timezone.localdate()
    horizon = add_working_days(today, NEAR_WORKING_DAYS, holidays=holiday_calendar())
    owed = Question.objects.filter(status__in=(Question.Status.NEW, Question.Status.IN_PROGRESS))
    return QueueCounts(
        open=Question.objects.filter(status__in=OPEN_STATUSES).count(),
        new=Question.objects.filter(status=Question.Status.NEW).count(),
        past_due=owed.filter(due_on__lt=today).count(),
        near_due=owed.filter(due_on__gte=today, due_on__lte=horizon).count(),
    )
