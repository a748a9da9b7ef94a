"""Reads of the knowledge base. Everybody sees the published articles; the help desk operators see all.

An article the user may not see answers 404 (`article_get`), as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.helpdesk.models import Article, Feedback, LegalReference, Question, Tag
from welfarelab.helpdesk.permissions import is_desk_operator

NOT_FOUND = _("Not found.")
RELATED_LIMIT = 5


@dataclass(frozen=True)
class ThemeSummary:
    value: str
    label: str
    slug: str
    articles: int


@dataclass(frozen=True)
class FeedbackCounts:
    useful: int
    not_useful: int


@dataclass(frozen=True)
class ReferenceGroup:
    """The rows of one reference as written: one for `CTS art. 79, c. 5`, two for `CTS artt. 32-33`."""

    label: str
    references: tuple[LegalReference, ...]


@dataclass(frozen=True)
class ArticleDocument:
    """What a search engine indexes of a published article (plain text, no markup)."""

    code: str
    title: str
    question: str
    answer: str
    theme: str
    tags: tuple[str, ...]
    url: str


def theme_slug(theme: str) -> str:
    """The theme as it appears in page addresses: `lavoro_volontari` → `lavoro-volontari`."""
    return theme.replace("_", "-")


def theme_from_slug(slug: str) -> str | None:
    value = slug.replace("-", "_")
    return value if value in Article.Theme.values else None


def _visible(user: User | AnonymousUser | None) -> QuerySet[Article]:
    articles = Article.objects.all()
    return articles if is_desk_operator(user) else articles.filter(is_published=True)


def _with_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.annotate(
        useful_yes=Count("feedback", filter=Q(feedback__useful=True), distinct=True),
        useful_no=Count("feedback", filter=Q(feedback__useful=False), distinct=True),
    )


def article_list(
    *,
    user: User | AnonymousUser | None,
    theme: str | None = None,
    tag: str | None = None,
    ets_type: str | None = None,
    needs_review: bool | None = None,
) -> QuerySet[Article]:
    """The articles `user` may see, by code, with their tags and feedback counts (`useful_yes`, `useful_no`).

    `tag` is a tag's slug; `ets_type` keeps the articles concerning that legal form, including those
    concerning every ETS (whose list of types is empty).
    """
    articles = _visible(user)
    if theme:
        articles = articles.filter(theme=theme)
    if tag:
        articles = articles.filter(tags__slug=tag)
    if ets_type:
        articles = articles.filter(Q(ets_types=[]) | Q(ets_types__icontains=f'"{ets_type}"'))
    if needs_review is not None:
        articles = articles.filter(needs_review=needs_review)
    return _with_counts(articles.prefetch_related("tags")).order_by("code")


def article_get(*, user: User | AnonymousUser | None, code: str) -> Article:
    """The article `code` with its references, tags, reviewer and feedback counts; 404 if `user` may not see it."""
    articles = _with_counts(
        _visible(user)
        .select_related("reviewed_by", "author")
        .prefetch_related(
            "tags", Prefetch("references", queryset=LegalReference.objects.order_by("position", "pk"))
        )
    )
    try:
        return articles.get(code=code)
    except Article.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def reference_groups(*, article: Article) -> list[ReferenceGroup]:
    """The article's references grouped as they were written, in their order."""
    groups: dict[tuple[int, str], list[LegalReference]] = {}
    for reference in article.references.all():
        groups.setdefault((reference.position, reference.label), []).append(reference)
    return [
        ReferenceGroup(label=label, references=tuple(rows)) for (_position, label), rows in groups.items()
    ]


def article_related(*, article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Published articles sharing tags with `article` (most shared first) or its theme."""
    tag_ids = list(article.tags.values_list("pk", flat=True))
    related = (
        Article.objects.filter(is_published=True)
        .exclude(pk=article.pk)
        .annotate(
            shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True),
            same_theme=Case(
                When(theme=article.theme, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .filter(Q(shared_tags__gt=0) | Q(same_theme=1))
        .order_by("-shared_tags", "-same_theme", "code")
    )
    return list(related[:limit])


def theme_summaries() -> list[ThemeSummary]:
    """Every theme, in its order, with how many published articles it holds (0 included)."""
    counts = dict(
        Article.objects.filter(is_published=True)
        .values("theme")
        .annotate(n=Count("pk"))
        .values_list("theme", "n")
    )
    return [
        ThemeSummary(value=value, label=str(label), slug=theme_slug(value), articles=counts.get(value, 0))
        for value, label in Article.Theme.choices
    ]


def tag_get(*, slug: str) -> Tag:
    try:
        return Tag.objects.get(slug=slug)
    except Tag.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def review_queue() -> QuerySet[Article]:
    """Articles to be reviewed, published or not, the oldest change first; `from_question` tells the
    drafts written from a question to the desk (published, not just marked, once reviewed)."""
    return (
        Article.objects.filter(needs_review=True)
        .annotate(from_question=Exists(Question.objects.filter(article=OuterRef("pk"))))
        .order_by("updated_at", "code")
    )


def feedback_counts(*, article: Article) -> FeedbackCounts:
    counts = Feedback.objects.filter(article=article).aggregate(
        yes=Count("pk", filter=Q(useful=True)), no=Count("pk", filter=Q(useful=False))
    )
    return FeedbackCounts(useful=counts["yes"], not_useful=counts["no"])


def feedback_of(*, article: Article, voter: str | None) -> bool | None:
    """What `voter` answered for `article` (True, False), or None if it has not answered."""
    if not voter:
        return None
    return Feedback.objects.filter(article=article, voter=voter).values_list("useful", flat=True).first()


def article_documents() -> Iterator[ArticleDocument]:
    """The published articles as plain-text documents, for the search engine's index."""
    for article in Article.objects.filter(is_published=True).prefetch_related("tags").order_by("code"):
        yield ArticleDocument(
            code=article.code,
            title=article.title,
            question=article.question,
            answer=article.answer_text,
            theme=article.theme,
            tags=tuple(tag.name for tag in article.tags.all()),
            url=article.get_absolute_url(),
        )
