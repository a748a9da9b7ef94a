"""Questions to the Third Sector help desk: the caller's own, its organisations', or all for an operator.

    GET /api/v1/helpdesk/questions?status=open&theme=fiscale&page=1
    GET /api/v1/helpdesk/questions/{reference}          (SP-2026-000123)

A question holds personal data: it is read by the person who asked it (signed in, or holding the address
confirmed by the email link in this session), by the members of the organisation it was asked for, and by
the help desk operators. Anybody else signed in gets 403; a caller with neither an account nor a
confirmed address, or an unknown reference, gets 404 (`helpdesk.question_selectors.question_get`, the
same door as the pages). The list holds only what the caller may read: nothing for an anonymous caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import P, PathEx, QueryEx, Router, Schema
from pydantic import Field

from welfarelab.api.v1.common import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PAGE_DESCRIPTION,
    PAGE_SIZE_DESCRIPTION,
    ErrorOut,
    PageSlice,
    ValidationErrorOut,
)
from welfarelab.api.v1.kb import Theme
from welfarelab.helpdesk.models import QUESTION_REFERENCE_PATTERN, Question, QuestionMessage
from welfarelab.helpdesk.question_selectors import OPEN_STATUSES, due_state, question_get, questions_visible
from welfarelab.helpdesk.sessions import verified_email

router = Router(tags=["help desk questions"])

# The values of Question.Status and QuestionMessage.Kind (a test keeps them equal).
Status = Literal["new", "in_progress", "waiting", "answered", "closed"]
StatusFilter = Literal["open", "new", "in_progress", "waiting", "answered", "closed"]
MessageKind = Literal["reply", "info_request", "asker_answer"]
DueKind = Literal["past", "near", "on_time", "paused", "done"]


class QuestionListItem(Schema):
    reference: str = Field(examples=["SP-2026-000123"])
    theme: Theme
    status: Status
    asked_at: dt.datetime
    due_on: dt.date = Field(
        description="Due date, in working days from the question (weekends and holidays skipped)."
    )
    due: DueKind = Field(
        description="`past` or `near` (due today or the next working day) while the desk owes an answer; "
        "`paused` while it waits for the asker; `done` once answered or closed."
    )
    organisation: str | None = Field(description="The organisation the question was asked for.")
    url: str = Field(description="The question's page.", examples=["/sportello/domande/SP-2026-000123/"])

    @staticmethod
    def resolve_asked_at(obj: Question) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_due(obj: Question) -> str:
        return due_state(obj).kind.value

    @staticmethod
    def resolve_organisation(obj: Question) -> str | None:
        return obj.organisation.name if obj.organisation is not None else None

    @staticmethod
    def resolve_url(obj: Question) -> str:
        return obj.get_absolute_url()


class QuestionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[QuestionListItem]


class MessageOut(Schema):
    kind: MessageKind
    from_desk: bool = Field(description="Written by the help desk (true) or by the asker (false).")
    text: str = Field(description="Plain text, as written: escape it before showing it as HTML.")
    created_at: dt.datetime


class AttachmentOut(Schema):
    name: str
    content_type: str = Field(examples=["application/pdf"])
    size: int = Field(description="Bytes.")
    url: str = Field(description="Download (same rights as the question).")


class QuestionDetail(QuestionListItem):
    text: str = Field(description="Plain text, as written: escape it before showing it as HTML.")
    asker_name: str | None
    asker_email: str | None = Field(description="null once the question is anonymised.")
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    anonymised_at: dt.datetime | None
    attachment: AttachmentOut | None
    article: str | None = Field(
        description="Code of the knowledge-base article written from it, once published."
    )
    messages: list[MessageOut]

    @staticmethod
    def resolve_asker_name(obj: Question) -> str | None:
        return obj.asker_name or None

    @staticmethod
    def resolve_asker_email(obj: Question) -> str | None:
        return obj.asker_email or None

    @staticmethod
    def resolve_attachment(obj: Question) -> dict[str, object] | None:
        if not obj.attachment:
            return None
        return {
            "name": obj.attachment_name,
            "content_type": obj.attachment_type,
            "size": obj.attachment_size or 0,
            "url": obj.get_absolute_url() + "allegato/",
        }

    @staticmethod
    def resolve_article(obj: Question) -> str | None:
        article = obj.article
        return article.code if article is not None and article.is_published else None

    @staticmethod
    def resolve_messages(obj: Question) -> list[QuestionMessage]:
        return list(obj.messages.all())


@router.get(
    "",
    response={200: QuestionPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="List the questions the caller may read",
)
def question_list_endpoint(
    request: HttpRequest,
    status: QueryEx[
        StatusFilter | None, P(description="`open` is new, being answered or waiting for the asker.")
    ] = None,
    theme: QueryEx[Theme | None, P(description="Only the questions of this theme.")] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
) -> dict[str, object]:
    """The newest first: an operator's are all; anybody else's those it asked and its organisations'."""
    questions = questions_visible(user=request.user, verified_email=verified_email(request))
    if status == "open":
        questions = questions.filter(status__in=OPEN_STATUSES)
    elif status:
        questions = questions.filter(status=status)
    if theme:
        questions = questions.filter(theme=theme)
    return PageSlice(questions, page=page, page_size=page_size).as_dict()


@router.get(
    "/{reference}",
    response={200: QuestionDetail, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One question with its messages",
)
def question_detail_endpoint(
    request: HttpRequest,
    reference: PathEx[
        str,
        P(
            pattern=QUESTION_REFERENCE_PATTERN,
            description="The question's reference.",
            examples=["SP-2026-000123"],
        ),
    ],
) -> Question:
    """The question, its attachment's description and its thread; 403 or 404 as the module says."""
    return question_get(user=request.user, reference=reference, verified_email=verified_email(request))
