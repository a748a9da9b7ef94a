"""Pages of the questions to the desk (thin): asking in two steps, confirming an email address, a
question's page with its thread, the operators' queue and actions, an answer turned into an article.

    /sportello/domande/nuova/                 ask (1: theme and text, with similar articles as you type;
                                              2: the articles that may already answer, the attachment, send)
    /sportello/domande/simili/?text=…         the similar articles (an htmx fragment)
    /sportello/domande/verifica/              POST an address: a link to confirm it is emailed
    /sportello/domande/verifica/<token>/      the link: the address is confirmed for this browser session
    /sportello/domande/                       the operators' queue, with filters (403 for anybody else)
    /sportello/domande/mie/                   the questions of the visitor and of its organisations
    /sportello/domande/<reference>/           one question (asker, its organisation, operators)
    /sportello/domande/<reference>/…          take, reply, close, answer, attachment, article
    /sportello/articoli/<code>/pubblica/      publish an article drafted from a question (operators)

Reads go through `question_selectors`, writes through `question_services`, doors in `permissions`.
A confirmed address lives in the session (`sessions.py`), never in a cookie of its own.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from welfarelab.accounts.models import User
from welfarelab.helpdesk import question_selectors as selectors
from welfarelab.helpdesk import question_services as services
from welfarelab.helpdesk import selectors as kb_selectors
from welfarelab.helpdesk.models import Article, Question, QuestionMessage
from welfarelab.helpdesk.permissions import (
    is_asker_side,
    is_desk_operator,
    require_desk_operator,
    require_question_operator,
)
from welfarelab.helpdesk.question_forms import (
    REPLY_ACTIONS,
    ArticleDraftForm,
    EmailForm,
    MessageForm,
    QuestionForm,
    QueueFilterForm,
)
from welfarelab.helpdesk.sessions import forget_verified_email, remember_verified_email, verified_email
from welfarelab.helpdesk.tasks import send_email_verification
from welfarelab.search.knowledge_base import kb_search

QUEUE_TARGET = "question-queue"
QUEUE_PAGE_SIZE = 50
SIMILAR_ARTICLES = 5
SIMILAR_MIN_LENGTH = 12  # characters typed before similar articles are looked for
VERIFY_THROTTLE_SECONDS = 60  # one link per address per minute, whoever asks for it


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_ask(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated or verified_email(request))


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _trail(*crumbs: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("ETS help desk"), reverse("helpdesk:home")), *crumbs]


def _questions_crumb(request: HttpRequest) -> tuple[str, str]:
    if is_desk_operator(request.user):
        return (_("Questions to the desk"), reverse("helpdesk:question-queue"))
    return (_("My questions"), reverse("helpdesk:my-questions"))


def _similar(text: str) -> list[Any]:
    text = " ".join(text.split())
    if len(text) < SIMILAR_MIN_LENGTH:
        return []
    return list(kb_search(query=text, limit=SIMILAR_ARTICLES).hits)


# --- asking ----------------------------------------------------------------------------------------


def _ask_start(request: HttpRequest, form: EmailForm | None = None, status: int = 200) -> HttpResponse:
    """Who asks must be known: sign in, or confirm an email address."""
    return render(
        request,
        "helpdesk/questions/ask_start.html",
        {
            "form": form or EmailForm(),
            "login_url": f"{reverse('accounts:login')}?next={reverse('helpdesk:question-new')}",
            "breadcrumb": _trail((_("Ask the desk"), None)),
        },
        status=status,
    )


def _ask_page(request: HttpRequest, form: QuestionForm, *, status: int = 200) -> HttpResponse:
    text = form.data.get("text", "") if form.is_bound else form.initial.get("text", "")
    return render(
        request,
        "helpdesk/questions/ask.html",
        {
            "form": form,
            "similar": _similar(str(text)),
            "verified_email": "" if request.user.is_authenticated else verified_email(request),
            "min_length": services.QUESTION_MIN_LENGTH,
            "max_length": services.QUESTION_MAX_LENGTH,
            "breadcrumb": _trail((_("Ask the desk"), None)),
        },
        status=status,
    )


def _check_page(
    request: HttpRequest, form: QuestionForm, values: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "helpdesk/questions/ask_check.html",
        {
            "form": form,
            "values": values,
            "theme_label": Article.Theme(values["theme"]).label,
            "similar": _similar(values["text"]),
            "breadcrumb": _trail(
                (_("Ask the desk"), reverse("helpdesk:question-new")), (_("Check and send"), None)
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest) -> HttpResponse:
    if not _may_ask(request):
        return _ask_start(request)
    user = _user(request) if request.user.is_authenticated else None
    step = request.POST.get("step", "")
    if request.method == "GET" or step == "edit":
        initial: dict[str, Any] = {}
        if request.method == "GET":
            theme = request.GET.get("tema", "")
            initial = {"theme": theme} if theme in Article.Theme.values else {}
            organisations = QuestionForm(user=user).fields.get("organisation")
            if organisations is not None and organisations.queryset.count() == 1:  # type: ignore[attr-defined]
                initial["organisation"] = organisations.queryset.first()  # type: ignore[attr-defined]
        else:
            initial = {
                key: request.POST.get(key, "") for key in ("theme", "text", "organisation", "asker_name")
            }
        return _ask_page(request, QuestionForm(initial=initial, user=user))
    if step == "send":
        form = QuestionForm(request.POST, request.FILES, user=user, confirming=True)
    else:
        form = QuestionForm(request.POST, user=user)
    if not form.is_valid():
        if set(form.errors) - {"attachment"}:  # the question itself is wrong: back to the first step
            first = QuestionForm(request.POST, user=user)
            first.is_valid()
            return _ask_page(request, first, status=422)
        return _check_page(request, form, form.cleaned_data, status=422)
    data = form.cleaned_data
    if step != "send":
        confirm = QuestionForm(initial=data, user=user, confirming=True)
        return _check_page(request, confirm, data)
    try:
        question = services.question_submit(
            theme=data["theme"],
            text=data["text"],
            asked_by=user,
            verified_email="" if user else verified_email(request),
            asker_name=data.get("asker_name", ""),
            organisation=data.get("organisation"),
            attachment=data.get("attachment"),
        )
    except PermissionDenied:
        forget_verified_email(request)
        return _ask_start(request)
    except ValidationError as error:
        _add_errors(form, error)
        return _check_page(request, form, data, status=422)
    messages.success(
        request,
        _(
            "Your question has been sent. Its reference is %(reference)s: we have emailed it to %(email)s, "
            "with a link to this page."
        )
        % {"reference": question.reference, "email": question.asker_email},
    )
    return redirect(question.get_absolute_url())


@require_safe
def question_similar(request: HttpRequest) -> HttpResponse:
    """The published articles that may already answer the text typed so far (an htmx fragment)."""
    text = request.GET.get("text", "")[: services.QUESTION_MAX_LENGTH].replace("\x00", "")
    response = render(
        request,
        "helpdesk/questions/_similar.html",
        {"similar": _similar(text), "too_short": len(" ".join(text.split())) < SIMILAR_MIN_LENGTH},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def question_verify_request(request: HttpRequest) -> HttpResponse:
    """Email a link that confirms the address; the same answer whether or not the address is known."""
    form = EmailForm(request.POST)
    if not form.is_valid():
        return _ask_start(request, form, status=422)
    email = User.objects.normalize_email(form.cleaned_data["email"])
    throttle = "helpdesk:verify:" + salted_hmac("helpdesk-verify", email.casefold()).hexdigest()
    if cache.add(throttle, 1, timeout=VERIFY_THROTTLE_SECONDS):
        send_email_verification.enqueue(email=email, reference="")
    return render(
        request,
        "helpdesk/questions/verify_sent.html",
        {
            "email": email,
            "days": settings.WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS,
            "breadcrumb": _trail((_("Ask the desk"), None)),
        },
    )


@require_safe
def question_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an email: the address is confirmed for this browser session."""
    try:
        link = services.email_token_read(token)
    except signing.SignatureExpired:
        messages.error(request, _("The link has expired: enter your address again to get a new one."))
        return _ask_start(request, status=400)
    except signing.BadSignature:
        messages.error(
            request, _("The link is not valid: copy it whole from the email, or ask for a new one.")
        )
        return _ask_start(request, status=400)
    remember_verified_email(request, link.email)
    if link.reference:
        return redirect("helpdesk:question-detail", reference=link.reference)
    messages.success(
        request, _("Your address %(email)s is confirmed: write your question.") % {"email": link.email}
    )
    return redirect("helpdesk:question-new")


# --- reading ---------------------------------------------------------------------------------------


def _question(request: HttpRequest, reference: str) -> Question:
    return selectors.question_get(
        user=request.user, reference=reference, verified_email=verified_email(request)
    )


def _signed_out(request: HttpRequest) -> bool:
    return not request.user.is_authenticated and not verified_email(request)


@require_safe
def question_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    question = _question(request, reference)
    operator = is_desk_operator(request.user)
    asker_side = is_asker_side(request.user, question, verified_email=verified_email(request))
    return render(
        request,
        "helpdesk/questions/question_detail.html",
        {
            "question": question,
            "thread": list(question.messages.all()),
            "due": selectors.due_state(question),
            "operator": operator,
            "reply_form": MessageForm(label=_("Reply or request"))
            if operator and question.status != Question.Status.CLOSED
            else None,
            "answer_form": MessageForm(label=_("Your answer"))
            if asker_side and question.status == Question.Status.WAITING
            else None,
            "breadcrumb": _trail(_questions_crumb(request), (question.reference, None)),
        },
    )


@require_safe
def question_attachment(request: HttpRequest, reference: str) -> HttpResponseBase:
    """The attachment, as a download (never shown inline), for whoever may read the question."""
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    question = _question(request, reference)
    if not question.attachment:
        raise Http404(_("This question has no attachment."))
    response = FileResponse(
        question.attachment.open("rb"),
        as_attachment=True,
        filename=question.attachment_name
        or f"{question.reference}.{question.attachment.name.rsplit('.', 1)[-1]}",
        content_type=question.attachment_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def my_questions(request: HttpRequest) -> HttpResponse:
    if _signed_out(request):
        return redirect_to_login(request.get_full_path())
    questions = selectors.questions_visible(user=request.user, verified_email=verified_email(request))
    if is_desk_operator(request.user):  # the operators' view of everything is the queue
        questions = questions.filter(asker_id=request.user.pk)
    page = Paginator(questions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "helpdesk/questions/my_questions.html",
        {
            "page": page,
            "rows": [(question, selectors.due_state(question)) for question in page],
            "verified_email": "" if request.user.is_authenticated else verified_email(request),
            "breadcrumb": _trail((_("My questions"), None)),
        },
    )


@require_safe
@login_required
def question_queue(request: HttpRequest) -> HttpResponse:
    require_question_operator(request.user)
    data = request.GET.copy()
    if "stato" not in data:
        data["stato"] = "open"
    form = QueueFilterForm(data)
    cleaned = form.cleaned_data if form.is_valid() else {"stato": "open"}
    filters = selectors.QueueFilters(
        status=cleaned.get("stato") or "",
        theme=cleaned.get("tema") or "",
        due=cleaned.get("scadenza") or "",
        mine=bool(cleaned.get("mie")),
        text=cleaned.get("q") or "",
    )
    today = timezone.localdate()
    page = Paginator(
        selectors.question_queue(operator=_user(request), filters=filters, today=today), QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [(question, selectors.due_state(question, today=today)) for question in page],
        "counts": selectors.queue_counts(today=today),
        "queue_target": QUEUE_TARGET,
        "breadcrumb": _trail((_("Questions to the desk"), None)),
    }
    if getattr(request, "htmx", False):
        response = render(request, "helpdesk/questions/queue.html#queue-table", context)
    else:
        response = render(request, "helpdesk/questions/queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the desk's actions ------------------------------------------------------------------------------


def _back(question: Question, anchor: str = "") -> HttpResponse:
    return redirect(question.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@login_required
def question_take(request: HttpRequest, reference: str) -> HttpResponse:
    require_question_operator(request.user)
    question = _question(request, reference)
    try:
        services.question_take(question=question, operator=_user(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("You have taken question %(reference)s.") % {"reference": reference})
    return _back(question)


def _thread_page(request: HttpRequest, question: Question, **forms_: MessageForm | None) -> HttpResponse:
    """The question's page again, with the form that was refused and its errors."""
    context: dict[str, Any] = {
        "question": question,
        "thread": list(question.messages.all()),
        "due": selectors.due_state(question),
        "operator": is_desk_operator(request.user),
        "reply_form": None,
        "answer_form": None,
        "breadcrumb": _trail(_questions_crumb(request), (question.reference, None)),
    }
    context.update(forms_)
    return render(request, "helpdesk/questions/question_detail.html", context, status=422)


@require_POST
@login_required
def question_reply(request: HttpRequest, reference: str) -> HttpResponse:
    """Reply (and perhaps close) or ask for more information: the button pressed says which."""
    require_question_operator(request.user)
    question = _question(request, reference)
    action = request.POST.get("action", "")
    form = MessageForm(request.POST, label=_("Reply or request"))
    if action not in REPLY_ACTIONS:
        form.add_error(None, _("Choose whether to send a reply or to ask for more information."))
    if form.is_valid() and action in REPLY_ACTIONS:
        try:
            if action == "ask":
                services.question_request_information(
                    question=question, operator=_user(request), text=form.cleaned_data["text"]
                )
                done = _("Your request has been emailed to the asker: the question waits for the answer.")
            else:
                services.question_reply(
                    question=question,
                    operator=_user(request),
                    text=form.cleaned_data["text"],
                    close=action == "reply_close",
                )
                done = _("Your reply has been emailed to the asker.")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return _back(question, "thread")
    return _thread_page(request, question, reply_form=form)


@require_POST
@login_required
def question_close(request: HttpRequest, reference: str) -> HttpResponse:
    require_question_operator(request.user)
    question = _question(request, reference)
    try:
        services.question_close(question=question, operator=_user(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Question %(reference)s is closed.") % {"reference": reference})
    return _back(question)


@require_POST
def question_answer(request: HttpRequest, reference: str) -> HttpResponse:
    """The asker answers the desk's request for more information."""
    if _signed_out(request):
        return redirect_to_login(reverse("helpdesk:question-detail", kwargs={"reference": reference}))
    question = _question(request, reference)
    form = MessageForm(request.POST, label=_("Your answer"))
    if form.is_valid():
        try:
            services.question_answer_by_asker(
                question=question,
                user=_user(request) if request.user.is_authenticated else None,
                verified_email=verified_email(request),
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your answer has been sent to the help desk."))
            return _back(question, "thread")
    return _thread_page(request, question, answer_form=form)


@require_http_methods(["GET", "POST"])
@login_required
def question_article(request: HttpRequest, reference: str) -> HttpResponse:
    """Turn the answer into a knowledge-base article: the operator edits an anonymised draft."""
    require_question_operator(request.user)
    question = _question(request, reference)
    if question.article_id is not None:
        messages.info(request, _("This question has already become an article."))
        return redirect(question.article.get_absolute_url())  # type: ignore[union-attr]
    if not any(message.kind == QuestionMessage.Kind.REPLY for message in question.messages.all()):
        messages.error(request, str(services.NO_REPLY_YET))
        return _back(question)
    draft = services.article_draft(question=question)
    if request.method == "POST":
        form = ArticleDraftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.article_from_question(
                    question=question,
                    operator=_user(request),
                    code=data["code"],
                    title=data["title"],
                    question_text=data["question"],
                    answer_markdown=data["answer_markdown"],
                    theme=data["theme"],
                    ets_types=data["ets_types"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The article %(code)s is saved, not published, in the review queue: check it, then "
                        "publish it."
                    )
                    % {"code": article.code},
                )
                return redirect(article.get_absolute_url())
    else:
        form = ArticleDraftForm(
            initial={
                "code": draft.code,
                "title": draft.title,
                "question": draft.question,
                "answer_markdown": draft.answer_markdown,
                "theme": draft.theme,
                "ets_types": draft.ets_types,
            }
        )
    return render(
        request,
        "helpdesk/questions/article_draft.html",
        {
            "question": question,
            "form": form,
            "replaced": sorted(draft.replaced.items()),
            "breadcrumb": _trail(
                _questions_crumb(request),
                (question.reference, question.get_absolute_url()),
                (_("New article"), None),
            ),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def article_publish(request: HttpRequest, code: str) -> HttpResponse:
    require_desk_operator(request.user)
    article = kb_selectors.article_get(user=request.user, code=code)
    try:
        services.article_publish(article=article, operator=_user(request))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("“%(title)s” is published.") % {"title": article.title})
    return redirect(article.get_absolute_url())
