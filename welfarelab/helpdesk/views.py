"""Pages of the Third Sector help desk (thin): home, themes, tags, articles, feedback, the review queue.

Reads go through `selectors`, writes through `services`; who may do what is in `permissions`. The
"was this useful?" form posts with htmx and swaps its own block; without JavaScript it posts normally
and comes back to the article with a message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from welfarelab.accounts.models import User
from welfarelab.helpdesk import question_selectors, selectors, services
from welfarelab.helpdesk.models import Article
from welfarelab.helpdesk.permissions import is_desk_operator, require_desk_operator
from welfarelab.organisations.models import Organisation

FEEDBACK_TARGET = "kb-feedback"
FEEDBACK_VALUES = {"yes": True, "no": False}
ETS_TYPE_CHOICES = [
    (value, label)
    for value, label in Organisation.LegalForm.choices
    if value != Organisation.LegalForm.UNKNOWN
]


def _home_crumb() -> tuple[str, str]:
    return (_("ETS help desk"), reverse("helpdesk:home"))


def _theme_crumb(theme: str) -> tuple[str, str]:
    return (
        str(Article.Theme(theme).label),
        reverse("helpdesk:theme-detail", kwargs={"slug": selectors.theme_slug(theme)}),
    )


def _voter(request: HttpRequest, *, create: bool) -> str | None:
    """The voter key of this browser session; with `create`, a session is started if there is none."""
    if not request.session.session_key:
        if not create:
            return None
        request.session.save()
    session_key = request.session.session_key
    return services.voter_key(session_key) if session_key else None


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "helpdesk/home.html",
        {
            "themes": selectors.theme_summaries(),
            "may_review": is_desk_operator(request.user),
            "to_review": selectors.review_queue().count() if is_desk_operator(request.user) else 0,
            "questions": question_selectors.queue_counts() if is_desk_operator(request.user) else None,
            "due_days": settings.WELFARELAB_QUESTION_DUE_WORKING_DAYS,
            "breadcrumb": [(_("ETS help desk"), None)],
        },
    )


@require_safe
def theme_index(request: HttpRequest) -> HttpResponse:
    """Every theme with the titles of its articles: the whole knowledge base on one page."""
    articles = selectors.article_list(user=request.user)
    by_theme: dict[str, list[Article]] = {}
    for article in articles:
        by_theme.setdefault(article.theme, []).append(article)
    sections = [(summary, by_theme.get(summary.value, [])) for summary in selectors.theme_summaries()]
    return render(
        request,
        "helpdesk/theme_index.html",
        {"sections": sections, "breadcrumb": [_home_crumb(), (_("All the themes"), None)]},
    )


@require_safe
def theme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    theme = selectors.theme_from_slug(slug)
    if theme is None:
        raise Http404(_("Not found."))
    ets_type = request.GET.get("ets", "")
    if ets_type not in dict(ETS_TYPE_CHOICES):
        ets_type = ""
    label = Article.Theme(theme).label
    return render(
        request,
        "helpdesk/article_list.html",
        {
            "heading": label,
            "theme": theme,
            "theme_slug": selectors.theme_slug(theme),
            "articles": selectors.article_list(user=request.user, theme=theme, ets_type=ets_type or None),
            "ets_type": ets_type,
            "ets_type_choices": ETS_TYPE_CHOICES,
            "breadcrumb": [_home_crumb(), (label, None)],
        },
    )


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = selectors.tag_get(slug=slug)
    return render(
        request,
        "helpdesk/article_list.html",
        {
            "heading": _("Tag: %(tag)s") % {"tag": tag.name},
            "tag": tag,
            "articles": selectors.article_list(user=request.user, tag=tag.slug),
            "breadcrumb": [_home_crumb(), (tag.name, None)],
        },
    )


def _article_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    return {
        "article": article,
        "feedback": selectors.FeedbackCounts(useful=article.useful_yes, not_useful=article.useful_no),  # type: ignore[attr-defined]
        "my_vote": selectors.feedback_of(article=article, voter=_voter(request, create=False)),
        "feedback_target": FEEDBACK_TARGET,
    }


@require_safe
def article_detail(request: HttpRequest, code: str) -> HttpResponse:
    article = selectors.article_get(user=request.user, code=code)
    return render(
        request,
        "helpdesk/article_detail.html",
        {
            **_article_context(request, article),
            "theme_slug": selectors.theme_slug(article.theme),
            "reference_groups": selectors.reference_groups(article=article),
            "related": selectors.article_related(article=article),
            "may_review": is_desk_operator(request.user),
            # An article drafted from a question is published by an operator from its page.
            "may_publish": is_desk_operator(request.user)
            and not article.is_published
            and article.source_questions.exists(),
            "breadcrumb": [_home_crumb(), _theme_crumb(article.theme), (article.title, None)],
        },
    )


@require_POST
def article_feedback(request: HttpRequest, code: str) -> HttpResponse:
    """Count "was this useful?" once per browser session (a second answer replaces the first)."""
    article = selectors.article_get(user=request.user, code=code)
    useful = FEEDBACK_VALUES.get(request.POST.get("useful", ""))
    if useful is None:
        return HttpResponseBadRequest(_("Answer yes or no."))
    voter = _voter(request, create=True)
    assert voter is not None  # the session was just saved
    counts = services.feedback_record(article=article, voter=voter, useful=useful)
    if getattr(request, "htmx", False):
        return render(
            request,
            "helpdesk/article_detail.html#feedback",
            {
                "article": article,
                "feedback": counts,
                "my_vote": useful,
                "feedback_saved": True,
                "feedback_target": FEEDBACK_TARGET,
            },
        )
    messages.success(request, _("Thank you: your answer helps the help desk improve its articles."))
    return redirect(f"{article.get_absolute_url()}#{FEEDBACK_TARGET}")


@require_POST
@login_required
def article_review(request: HttpRequest, code: str) -> HttpResponse:
    require_desk_operator(request.user)
    article = selectors.article_get(user=request.user, code=code)
    services.article_mark_reviewed(article=article, reviewed_by=request.user)  # type: ignore[arg-type]
    messages.success(
        request, _("“%(title)s” is marked as reviewed today: its notice is gone.") % {"title": article.title}
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = article.get_absolute_url()
    return redirect(next_url)


@require_safe
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    require_desk_operator(request.user)
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "helpdesk/review_queue.html",
        {
            "articles": selectors.review_queue(),
            "operator": user,
            "breadcrumb": [_home_crumb(), (_("Review queue"), None)],
        },
    )
