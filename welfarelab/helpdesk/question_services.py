"""Writes of the questions to the desk: asking, taking, replying, asking for more information, closing,
turning an answer into an article, the emails, and the anonymisation after the retention period.

Every function is keyword-only and checks its own permission; one that raises writes nothing (the
attachment included: a file written before a failure is deleted). Emails leave after the commit, from a
django-tasks task (`tasks.py`), through the configured email backend; each is sent once (the row records
when), so a task run twice sends nothing more.

The life of a question:

    new ──take──▶ in_progress ──reply──▶ answered ──close──▶ closed
     │                 │  ▲                                    ▲
     │   ask for more  ▼  │ the asker answers                  │ (close from any state)
     └──────────────▶ waiting

A reply or a request for information by an operator takes the question if nobody had. While the desk waits
for the asker the due date is paused: when the asker answers, it moves on by the working days waited.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import holidays
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import organisation_ids_of
from welfarelab.helpdesk.anonymise import anonymise, find_personal_data
from welfarelab.helpdesk.attachments import CheckedAttachment
from welfarelab.helpdesk.models import (
    ARTICLE_CODE_PATTERN,
    Article,
    Question,
    QuestionMessage,
    QuestionReferenceCounter,
    ServiceLevel,
)
from welfarelab.helpdesk.permissions import (
    MAY_NOT_ANSWER_FOR_ASKER,
    is_asker_side,
    require_desk_operator,
    require_question_operator,
)
from welfarelab.helpdesk.working_days import add_working_days, working_days_between
from welfarelab.organisations.models import Organisation

logger = logging.getLogger(__name__)

QUESTION_MIN_LENGTH = 10
QUESTION_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 10000
NAME_MAX_LENGTH = 150
EMAIL_TIMEOUT_SECONDS = 10
VERIFY_SALT = "welfarelab.helpdesk.verify-email"
ARTICLE_CODE_PREFIX = "sp"

TEXT_EMPTY = _("Write your question: the text is empty.")
MESSAGE_EMPTY = _("Write the message: the text is empty.")
TEXT_TOO_SHORT = _(
    "The question is too short (%(length)s characters): write at least %(minimum)s, so that the desk "
    "understands what you ask."
)
TEXT_TOO_LONG = _("The text is %(length)s characters long: the limit is %(maximum)s.")
TEXT_HAS_MARKUP = _(
    "The text contains HTML or a script (“%(markup)s”): write it as plain text, without tags such as "
    "<script> or <b>."
)
UNKNOWN_THEME = _("Choose one of the themes of the help desk.")
NOT_YOUR_ORGANISATION = _("You may ask only on behalf of an organisation you are a member of.")
EMAIL_NOT_VERIFIED = _(
    "Sign in, or confirm your email address with the link we send you, before asking a question."
)
QUESTION_CLOSED = _("This question is closed: ask a new one.")
NOT_WAITING = _("The help desk is not waiting for information on this question.")
NO_REPLY_YET = _("The question has no reply yet: reply first, then turn the answer into an article.")
ALREADY_AN_ARTICLE = _("This question has already become the article %(code)s.")
PERSONAL_DATA_LEFT = _(
    "The %(field)s still contains personal data (%(found)s): replace it with a placeholder in square "
    "brackets, as the draft does."
)
ARTICLE_NOT_FROM_QUESTION = _("Only articles drafted from a question are published here.")

# A tag (<b>, </p>, <img src=x>), an opening of a dangerous element even left unclosed, a comment.
_MARKUP = re.compile(
    r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?\s*>"
    r"|<\s*(?:script|style|iframe|frame|object|embed|svg|math|img|link|meta|base|form|input|body|html)\b"
    r"|<!--|<!\[CDATA\[|<!doctype",
    re.IGNORECASE,
)
# Control characters other than tab and new line: never typed, sometimes pasted.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- plain text ------------------------------------------------------------------------------------


def clean_plain_text(
    text: str, *, field: str, minimum: int = 1, maximum: int = MESSAGE_MAX_LENGTH, empty: str | None = None
) -> str:
    """`text` trimmed, with Windows line ends and control characters gone; ValidationError on `field` when
    it is empty, too short, too long or holds HTML (the message names what it found).

    Texts are kept as plain text and escaped wherever they are shown: refusing markup is not what makes
    them safe, it tells the person at once that tags are not what the desk reads.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise ValidationError({field: str(empty or MESSAGE_EMPTY)}, code="required")
    markup = _MARKUP.search(text)
    if markup:
        shown = markup.group(0) if len(markup.group(0)) <= 40 else markup.group(0)[:39] + "…"
        raise ValidationError({field: TEXT_HAS_MARKUP % {"markup": shown}}, code="markup")
    if len(text) < minimum:
        raise ValidationError(
            {field: TEXT_TOO_SHORT % {"length": len(text), "minimum": minimum}}, code="min_length"
        )
    if len(text) > maximum:
        raise ValidationError(
            {field: TEXT_TOO_LONG % {"length": len(text), "maximum": maximum}}, code="max_length"
        )
    return text


def clean_question_text(text: str) -> str:
    return clean_plain_text(
        text, field="text", minimum=QUESTION_MIN_LENGTH, maximum=QUESTION_MAX_LENGTH, empty=str(TEXT_EMPTY)
    )


# --- due dates -------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _italian_holidays(subdivision: str) -> holidays.HolidayBase:
    # Years are filled in as they are asked for; a province code adds its patron saint (RM: 29 June).
    return holidays.country_holidays("IT", subdiv=subdivision or None)


def holiday_calendar() -> Container[dt.date]:
    """Italian public holidays (Easter Monday included), and the local patron saint's day when
    `WELFARELAB_HOLIDAYS_SUBDIVISION` names a province (e.g. RM, MI)."""
    return _italian_holidays(settings.WELFARELAB_HOLIDAYS_SUBDIVISION)


def service_level_days(*, theme: str) -> int:
    """Working days to answer a question of `theme`: its ServiceLevel, else the setting's default."""
    days = ServiceLevel.objects.filter(theme=theme).values_list("working_days", flat=True).first()
    return int(days if days is not None else settings.WELFARELAB_QUESTION_DUE_WORKING_DAYS)


def due_date(*, theme: str, asked_on: dt.date) -> dt.date:
    return add_working_days(asked_on, service_level_days(theme=theme), holidays=holiday_calendar())


# --- the email link --------------------------------------------------------------------------------


def email_token(*, email: str, reference: str = "") -> str:
    """A signed, dated token proving that whoever opens the link reads the mail of `email`.

    `reference` names the question the link opens (empty: the form to ask one).
    """
    return signing.dumps({"e": email, "q": reference}, salt=VERIFY_SALT, compress=True)


@dataclass(frozen=True)
class VerifiedLink:
    email: str
    reference: str


def email_token_read(token: str) -> VerifiedLink:
    """What `token` proves; signing.BadSignature (SignatureExpired after
    `WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS`) when it was altered or is too old."""
    data = signing.loads(
        token,
        salt=VERIFY_SALT,
        max_age=dt.timedelta(days=settings.WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS),
    )
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise signing.BadSignature("Not a help desk token.")
    return VerifiedLink(email=data["e"], reference=str(data.get("q") or ""))


def _absolute(path: str) -> str:
    return settings.WELFARELAB_SITE_URL.rstrip("/") + path


def asker_link(question: Question) -> str:
    """The address of the question's page for its asker; for an asker without an account, a link that
    confirms the address again on the way (the one in the last email stays valid for the link's age)."""
    if question.asker_id is None:
        token = email_token(email=question.asker_email, reference=question.reference)
        return _absolute(reverse("helpdesk:question-verify", kwargs={"token": token}))
    return _absolute(question.get_absolute_url())


# --- asking ----------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """SP-<year>-<number>: numbers start from 1 each year. The UPDATE takes the counter's row lock, so
    two questions asked at once get two numbers (on SQLite, writes are serialised anyway)."""
    QuestionReferenceCounter.objects.get_or_create(year=year)
    QuestionReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = QuestionReferenceCounter.objects.filter(year=year).values_list("last_number", flat=True).get()
    return f"SP-{year}-{number:06d}"


def _attachment_name(question: Question, attachment: CheckedAttachment) -> str:
    return f"{timezone.localdate(question.created_at).year}/{uuid.uuid4().hex}.{attachment.extension}"


@transaction.atomic
def _store_question(question: Question, attachment: CheckedAttachment | None) -> Question:
    question.reference = _next_reference(timezone.localdate(question.created_at).year)
    question.full_clean(exclude=["attachment"])
    question.save()
    if attachment is not None:
        question.attachment.save(
            _attachment_name(question, attachment), ContentFile(attachment.content), save=False
        )
        question.save(update_fields=["attachment"])
    from welfarelab.helpdesk.tasks import send_question_receipt  # the task module imports this one

    transaction.on_commit(partial(send_question_receipt.enqueue, question_id=question.pk))
    return question


def question_submit(
    *,
    theme: str,
    text: str,
    asked_by: User | None,
    verified_email: str = "",
    asker_name: str = "",
    organisation: Organisation | None = None,
    attachment: CheckedAttachment | None = None,
    now: dt.datetime | None = None,
) -> Question:
    """Record a question and return it with its reference; the receipt is emailed after the commit.

    The asker is `asked_by` (signed in: asking for `organisation`, one of its own, or for no
    organisation) or, without an account, the holder of `verified_email` (proved by a link). Raises
    PermissionDenied when there is neither, ValidationError naming the field for a bad theme, text,
    name or organisation. `attachment` has passed `attachments.check_attachment`.
    """
    if theme not in Article.Theme.values:
        raise ValidationError({"theme": str(UNKNOWN_THEME)}, code="invalid_choice")
    text = clean_question_text(text)
    asker_name = (
        clean_plain_text(asker_name, field="asker_name", maximum=NAME_MAX_LENGTH)
        if asker_name.strip()
        else ""
    )
    if asked_by is not None and asked_by.is_authenticated:
        if organisation is not None and organisation.pk not in organisation_ids_of(asked_by):
            raise ValidationError({"organisation": str(NOT_YOUR_ORGANISATION)}, code="not_member")
        email, name = asked_by.email, asked_by.get_full_name() or asker_name
    elif verified_email:
        if organisation is not None:
            raise ValidationError({"organisation": str(NOT_YOUR_ORGANISATION)}, code="not_member")
        email, name = verified_email, asker_name
    else:
        raise PermissionDenied(EMAIL_NOT_VERIFIED)
    now = now or timezone.now()
    question = Question(
        theme=theme,
        text=text,
        asker=asked_by if asked_by is not None and asked_by.is_authenticated else None,
        asker_email=email,
        asker_name=name[:NAME_MAX_LENGTH],
        organisation=organisation,
        due_on=due_date(theme=theme, asked_on=timezone.localdate(now)),
        created_at=now,
    )
    if attachment is not None:
        question.attachment_name = attachment.original_name
        question.attachment_type = attachment.content_type
        question.attachment_size = attachment.size
    try:
        question = _store_question(question, attachment)
    except BaseException:
        # The file is written inside the transaction: a failure after it must not leave it behind.
        if question.attachment.name:
            question.attachment.storage.delete(question.attachment.name)
        raise
    logger.info(
        "question.submitted",
        extra={"question_id": question.pk, "theme": theme, "with_attachment": attachment is not None},
    )
    return question


# --- the desk's work -------------------------------------------------------------------------------


def _locked(question: Question) -> Question:
    """The question as stored, locked for this transaction (two operators acting at once)."""
    return Question.objects.select_for_update().get(pk=question.pk)


def _check_open(question: Question) -> None:
    if question.status == Question.Status.CLOSED:
        raise ValidationError(QUESTION_CLOSED, code="closed")


def _add_message(*, question: Question, kind: str, author: User | None, text: str) -> QuestionMessage:
    message = QuestionMessage(question=question, kind=kind, author=author, text=text)
    message.full_clean()
    message.save()
    from welfarelab.helpdesk.tasks import send_question_message  # the task module imports this one

    transaction.on_commit(partial(send_question_message.enqueue, message_id=message.pk))
    return message


@transaction.atomic
def question_take(*, question: Question, operator: User) -> Question:
    """`operator` takes the question: it is theirs to answer (taking it from a colleague is allowed)."""
    require_question_operator(operator)
    question = _locked(question)
    _check_open(question)
    question.assigned_to = operator
    if question.status == Question.Status.NEW:
        question.status = Question.Status.IN_PROGRESS
    question.save(update_fields=["assigned_to", "status", "updated_at"])
    logger.info("question.taken", extra={"question_id": question.pk, "by_user_id": operator.pk})
    return question


@transaction.atomic
def question_reply(*, question: Question, operator: User, text: str, close: bool = False) -> QuestionMessage:
    """The desk's answer: kept in the thread, emailed to the asker; the question is answered (or closed)."""
    require_question_operator(operator)
    text = clean_plain_text(text, field="text")
    question = _locked(question)
    _check_open(question)
    now = timezone.now()
    question.assigned_to = question.assigned_to or operator
    question.status = Question.Status.CLOSED if close else Question.Status.ANSWERED
    question.answered_at = now
    question.paused_on = None
    if close:
        question.closed_at = now
    question.save(
        update_fields=["assigned_to", "status", "answered_at", "paused_on", "closed_at", "updated_at"]
    )
    logger.info("question.replied", extra={"question_id": question.pk, "by_user_id": operator.pk})
    return _add_message(question=question, kind=QuestionMessage.Kind.REPLY, author=operator, text=text)


@transaction.atomic
def question_request_information(
    *, question: Question, operator: User, text: str, today: dt.date | None = None
) -> QuestionMessage:
    """Ask the asker for more: the question waits for its answer, and its due date is paused."""
    require_question_operator(operator)
    text = clean_plain_text(text, field="text")
    question = _locked(question)
    _check_open(question)
    question.assigned_to = question.assigned_to or operator
    question.status = Question.Status.WAITING
    question.paused_on = question.paused_on or today or timezone.localdate()
    question.save(update_fields=["assigned_to", "status", "paused_on", "updated_at"])
    logger.info(
        "question.information_requested", extra={"question_id": question.pk, "by_user_id": operator.pk}
    )
    return _add_message(question=question, kind=QuestionMessage.Kind.INFO_REQUEST, author=operator, text=text)


@transaction.atomic
def question_answer_by_asker(
    *,
    question: Question,
    user: User | None,
    verified_email: str = "",
    text: str,
    today: dt.date | None = None,
) -> QuestionMessage:
    """The asker (or its organisation) answers the desk's request: back in the queue, due date moved on
    by the working days the desk waited; the operator who has it is emailed."""
    if not is_asker_side(user, question, verified_email=verified_email):
        raise PermissionDenied(MAY_NOT_ANSWER_FOR_ASKER)
    text = clean_plain_text(text, field="text")
    question = _locked(question)
    if question.status != Question.Status.WAITING:
        raise ValidationError(NOT_WAITING, code="not_waiting")
    today = today or timezone.localdate()
    if question.paused_on is not None:
        waited = max(0, working_days_between(question.paused_on, today, holidays=holiday_calendar()))
        question.due_on = add_working_days(question.due_on, waited, holidays=holiday_calendar())
    question.paused_on = None
    question.status = Question.Status.IN_PROGRESS if question.assigned_to_id else Question.Status.NEW
    question.save(update_fields=["due_on", "paused_on", "status", "updated_at"])
    author = user if user is not None and user.is_authenticated else None
    return _add_message(question=question, kind=QuestionMessage.Kind.ASKER_ANSWER, author=author, text=text)


@transaction.atomic
def question_close(*, question: Question, operator: User) -> Question:
    """Close the question (answered, or nothing to answer): the retention period starts now."""
    require_question_operator(operator)
    question = _locked(question)
    _check_open(question)
    question.status = Question.Status.CLOSED
    question.closed_at = timezone.now()
    question.paused_on = None
    question.save(update_fields=["status", "closed_at", "paused_on", "updated_at"])
    logger.info("question.closed", extra={"question_id": question.pk, "by_user_id": operator.pk})
    return question


# --- from an answer to an article --------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleDraft:
    code: str
    title: str
    question: str
    answer_markdown: str
    theme: str
    ets_types: list[str]
    replaced: dict[str, int]  # placeholder → how many were put in


def personal_names(question: Question) -> tuple[list[str], list[str]]:
    """The names of people and of organisations that must not survive in an article or after retention:
    the asker's, the authors' of the thread (operators sign their replies), the organisation's."""
    people = {question.asker_name}
    if question.asker is not None:
        people |= {question.asker.get_full_name(), question.asker.first_name, question.asker.last_name}
    for message in question.messages.all():
        if message.author is not None:
            people |= {message.author.get_full_name(), message.author.first_name, message.author.last_name}
    organisations = [question.organisation.name] if question.organisation is not None else []
    return sorted(name for name in people if name.strip()), organisations


def _first_sentence(text: str, *, limit: int) -> str:
    sentence = re.split(r"(?<=[.?!])\s", " ".join(text.split()), maxsplit=1)[0]
    return _shortened(sentence, limit=limit)


def _shortened(text: str, *, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def next_article_code() -> str:
    """The next free code of the articles written from questions: sp-001, sp-002…"""
    numbers = [
        int(code.split("-", 1)[1])
        for code in Article.objects.filter(code__startswith=f"{ARTICLE_CODE_PREFIX}-").values_list(
            "code", flat=True
        )
        if re.fullmatch(ARTICLE_CODE_PATTERN, code)
    ]
    return f"{ARTICLE_CODE_PREFIX}-{max(numbers, default=0) + 1:03d}"


def article_draft(*, question: Question) -> ArticleDraft:
    """The article an operator starts from: the question and the desk's replies, anonymised."""
    people, organisations = personal_names(question)
    asked = anonymise(question.text, people=people, organisations=organisations)
    replies = [
        message.text for message in question.messages.all() if message.kind == QuestionMessage.Kind.REPLY
    ]
    answer = anonymise("\n\n".join(replies), people=people, organisations=organisations)
    organisation = question.organisation
    return ArticleDraft(
        code=next_article_code(),
        title=_first_sentence(asked.text, limit=120),
        question=_shortened(asked.text, limit=500),
        answer_markdown=answer.text,
        theme=question.theme,
        ets_types=[organisation.legal_form]
        if organisation is not None and organisation.legal_form not in ("", Organisation.LegalForm.UNKNOWN)
        else [],
        replaced=dict(asked.replaced + answer.replaced),
    )


def _check_no_personal_data(
    fields: dict[str, str], *, people: Sequence[str], organisations: Sequence[str]
) -> None:
    errors: dict[str, str] = {}
    labels = {"title": _("title"), "question": _("question"), "answer_markdown": _("answer")}
    for field, text in fields.items():
        found = find_personal_data(text, people=people, organisations=organisations)
        if found:
            errors[field] = str(PERSONAL_DATA_LEFT % {"field": labels[field], "found": ", ".join(found)})
    if errors:
        raise ValidationError(errors, code="personal_data")


@transaction.atomic
def article_from_question(
    *,
    question: Question,
    operator: User,
    code: str,
    title: str,
    question_text: str,
    answer_markdown: str,
    theme: str,
    ets_types: Sequence[str] = (),
) -> Article:
    """Create, from an answered question, the article the operator edited from `article_draft`.

    It starts unpublished and in the review queue, so that a second look precedes publication
    (`article_publish`). Refused while any personal data the anonymiser recognises — or the names of
    the asker, of its organisation and of the thread's authors — is left in its title, question or answer.
    """
    require_question_operator(operator)
    question = _locked(question)
    if question.article_id is not None:
        raise ValidationError(ALREADY_AN_ARTICLE % {"code": Article.objects.get(pk=question.article_id).code})
    if not question.messages.filter(kind=QuestionMessage.Kind.REPLY).exists():
        raise ValidationError(NO_REPLY_YET, code="no_reply")
    people, organisations = personal_names(question)
    fields = {
        "title": title.strip(),
        "question": question_text.strip(),
        "answer_markdown": answer_markdown.strip(),
    }
    _check_no_personal_data(fields, people=people, organisations=organisations)
    article = Article(
        code=code.strip(),
        theme=theme,
        ets_types=list(ets_types),
        author=operator,
        origin=Article.Origin.PLATFORM,
        is_published=False,
        needs_review=True,
        review_reason=str(
            _(
                "Written from question %(reference)s: check it, and that no personal data is left, then publish it."
            )
            % {"reference": question.reference}
        ),
        **fields,
    )
    article.full_clean()
    article.save()
    question.article = article
    question.save(update_fields=["article", "updated_at"])
    logger.info(
        "question.article_created",
        extra={"question_id": question.pk, "article_id": article.pk, "by_user_id": operator.pk},
    )
    return article


@transaction.atomic
def article_publish(*, article: Article, operator: User) -> Article:
    """Publish an article drafted from a question, reviewed by `operator` today; refused if the
    anonymiser still finds personal data in it (the question's names included)."""
    require_desk_operator(operator)
    article = Article.objects.select_for_update().get(pk=article.pk)
    sources = list(Question.objects.filter(article=article).prefetch_related("messages__author"))
    if not sources:
        raise ValidationError(ARTICLE_NOT_FROM_QUESTION, code="not_from_question")
    people: list[str] = []
    organisations: list[str] = []
    for source in sources:
        more_people, more_organisations = personal_names(source)
        people += more_people
        organisations += more_organisations
    _check_no_personal_data(
        {"title": article.title, "question": article.question, "answer_markdown": article.answer_markdown},
        people=people,
        organisations=organisations,
    )
    article.is_published = True
    article.needs_review = False
    article.review_reason = ""
    article.reviewed_by = operator
    article.last_reviewed_on = timezone.localdate()
    article.full_clean()
    article.save(
        update_fields=[
            "is_published",
            "needs_review",
            "review_reason",
            "reviewed_by",
            "last_reviewed_on",
            "updated_at",
        ]
    )
    logger.info("article.published", extra={"article_id": article.pk, "by_user_id": operator.pk})
    return article


# --- emails ----------------------------------------------------------------------------------------


def _send(messages: list[EmailMessage], *, event: str, question_id: int) -> bool:
    """Send through the configured backend; a failure is logged and leaves the row unmarked."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS
    connection = get_connection(timeout=timeout)
    try:
        connection.send_messages(messages)
    except OSError:  # smtplib's errors are OSErrors
        logger.exception(event, extra={"question_id": question_id})
        return False
    return True


def _render(template: str, context: dict[str, object]) -> tuple[str, str]:
    """Subject (one line) and body of `helpdesk/questions/email/<template>_{subject,body}.txt`."""
    subject = render_to_string(f"helpdesk/questions/email/{template}_subject.txt", context)
    body = render_to_string(f"helpdesk/questions/email/{template}_body.txt", context)
    return " ".join(subject.split()), body


def _context(question: Question) -> dict[str, object]:
    return {
        "question": question,
        "theme": question.get_theme_display(),
        "lab_name": settings.WELFARELAB_LAB_NAME,
    }


def email_verification_send(*, email: str, reference: str = "") -> bool:
    """Email `email` the link that proves it is theirs (to ask a question, or to open `reference`)."""
    with translation.override(settings.LANGUAGE_CODE):
        token = email_token(email=email, reference=reference)
        context = {
            "link": _absolute(reverse("helpdesk:question-verify", kwargs={"token": token})),
            "days": settings.WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS,
            "reference": reference,
            "lab_name": settings.WELFARELAB_LAB_NAME,
        }
        subject, body = _render("verify", context)
    return _send(
        [EmailMessage(subject, body, None, [email])], event="question.verification_not_sent", question_id=0
    )


def question_receipt_send(*, question_id: int) -> bool:
    """Email the asker the question's reference and due date, once."""
    with transaction.atomic():
        question = Question.objects.select_for_update().filter(pk=question_id).first()
        if question is None or question.receipt_sent_at is not None or not question.asker_email:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _render("receipt", {**_context(question), "link": asker_link(question)})
        if not _send(
            [EmailMessage(subject, body, None, [question.asker_email])],
            event="question.receipt_not_sent",
            question_id=question.pk,
        ):
            return False
        question.receipt_sent_at = timezone.now()
        question.save(update_fields=["receipt_sent_at"])
    return True


def question_message_send(*, message_id: int) -> bool:
    """Email a message of the thread, once: the desk's to the asker, the asker's to the operator who
    has the question (nobody when nobody has it: the queue shows it)."""
    with transaction.atomic():
        # Only the message's row is locked: PostgreSQL locks no nullable side of an outer join.
        message = (
            QuestionMessage.objects.select_for_update(of=("self",))
            .select_related("question", "question__assigned_to")
            .filter(pk=message_id)
            .first()
        )
        if message is None or message.emailed_at is not None:
            return False
        question = message.question
        if message.from_desk:
            recipient, link = question.asker_email, asker_link(question)
            template = "reply" if message.kind == QuestionMessage.Kind.REPLY else "info_request"
        else:
            operator = question.assigned_to
            recipient = operator.email if operator is not None and operator.is_active else ""
            link = _absolute(question.get_absolute_url())
            template = "asker_answer"
        if not recipient:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _render(template, {**_context(question), "message": message, "link": link})
        if not _send(
            [EmailMessage(subject, body, None, [recipient])],
            event="question.message_not_sent",
            question_id=question.pk,
        ):
            return False
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
    return True


# --- retention ---------------------------------------------------------------------------------------


def questions_to_anonymise(*, now: dt.datetime | None = None) -> QuerySet[Question]:
    """Closed questions whose retention period (`WELFARELAB_QUESTION_RETENTION_DAYS` after closing) is over."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.WELFARELAB_QUESTION_RETENTION_DAYS)
    return Question.objects.filter(
        status=Question.Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
    ).order_by("closed_at", "pk")


@transaction.atomic
def question_anonymise(*, question_id: int) -> bool:
    """Scrub one question: its text and its thread through the anonymiser, the asker's account, email,
    name and organisation unlinked, the attachment's file deleted (after the commit) and its name gone.
    Kept: reference, theme, dates, status, the desk's authors and the article written from it."""
    question = (
        Question.objects.select_for_update(of=("self",))
        .select_related("asker", "organisation")
        .filter(pk=question_id, anonymised_at__isnull=True)
        .first()
    )
    if question is None:
        return False
    people, organisations = personal_names(question)
    question.text = anonymise(question.text, people=people, organisations=organisations).text
    for message in question.messages.all():
        message.text = anonymise(message.text, people=people, organisations=organisations).text
        message.save(update_fields=["text", "updated_at"])
    stored, storage = question.attachment.name, question.attachment.storage
    question.asker = None
    question.asker_email = ""
    question.asker_name = ""
    question.organisation = None
    question.attachment = ""
    question.attachment_name = ""
    question.anonymised_at = timezone.now()
    question.save(
        update_fields=[
            "text",
            "asker",
            "asker_email",
            "asker_name",
            "organisation",
            "attachment",
            "attachment_name",
            "anonymised_at",
            "updated_at",
        ]
    )
    if stored:  # after the commit: a rolled-back anonymisation keeps its file
        transaction.on_commit(partial(storage.delete, stored))
    logger.info("question.anonymised", extra={"question_id": question.pk})
    return True


def questions_anonymise(*, now: dt.datetime | None = None) -> list[str]:
    """Anonymise every closed question past the retention period; return their references.

    One transaction per question: a failure leaves the others done; running it twice does nothing more.
    """
    done = []
    for question_id, reference in questions_to_anonymise(now=now).values_list("pk", "reference"):
        if question_anonymise(question_id=question_id):
            done.append(reference)
    return done
