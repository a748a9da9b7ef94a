"""Search of the help-desk knowledge base: the published articles, one in-memory index per process.

    result = kb_search(query="quanto costa iscriversi al runts", limit=10)
    result.hits[0].code, result.hits[0].score, result.hits[0].snippet   # "ts-007", 12.3, "…<mark>…"

The same engine (`welfarelab.search.engine`, bm25s) runs on SQLite and on PostgreSQL: the database
only stores the articles, so a query ranks the same articles in the same order on both
(docs/decisions/0004-knowledge-base-search.md).

The index is built from the published articles on the first search and kept for the process. Before
every search a *version stamp* is read from the database in three small aggregate queries (how many
articles, published or not, the latest `updated_at`, the highest ids, how many references and tag
links) together with the modification time and size of the synonym files: when it differs from the stamp of
the index, the index is rebuilt. No signals: a change made by any process (the admin, the seed, a
service, another server) is seen by every process on its next search. As a safety net for changes that
touch none of those numbers (renaming a tag), an index is also rebuilt when older than
`MAX_INDEX_AGE` seconds.

The articles are read through `welfarelab.helpdesk.selectors.article_documents` (the help desk's own
read for search engines), their legal references beside them. Fields and weights: title and
question ×2, tags ×1.5, answer ×1, theme and legal references ×0.5.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from welfarelab.search.engine import Document, FieldSpec, SearchIndex
from welfarelab.search.synonyms import SHIPPED_SYNONYMS, Thesaurus

logger = logging.getLogger(__name__)

KB_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", 2.0),
    FieldSpec("question", 2.0),
    FieldSpec("tags", 1.5),
    FieldSpec("answer", 1.0),
    FieldSpec("theme", 0.5),
    FieldSpec("references", 0.5),
)
TITLE_FIELD = "title"
SNIPPET_FIELDS = ("answer",)

MAX_INDEX_AGE = 600.0  # seconds
MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ArticleData:
    """What the index keeps of an article to show it in a result."""

    code: str
    title: str
    question: str
    theme: str


@dataclass(frozen=True, slots=True)
class KbHit:
    code: str
    title: str
    question: str
    theme: str
    score: float
    title_html: SafeString  # the title, escaped, with the query's words in <mark>
    snippet: SafeString  # the best sentence of the answer, escaped, with the query's words in <mark>
    url: str

    @property
    def theme_label(self) -> str:
        from welfarelab.helpdesk.models import Article

        return str(Article.Theme(self.theme).label) if self.theme in Article.Theme.values else self.theme


@dataclass(frozen=True, slots=True)
class KbSearchResult:
    query: str
    hits: tuple[KbHit, ...]
    total: int  # how many articles match, beyond the limit
    corrected_query: str | None  # the query with its typos corrected, when any was


@dataclass(frozen=True, slots=True)
class _Built:
    stamp: tuple[Any, ...]
    built_at: float
    index: SearchIndex
    articles: dict[str, ArticleData]


_lock = threading.Lock()
_built: dict[str, _Built] = {}  # by database name


def synonym_files() -> list[Path]:
    """The shipped synonym file, then the operators' one (setting WELFARELAB_SEARCH_SYNONYMS_FILE)."""
    files = [SHIPPED_SYNONYMS]
    local = getattr(settings, "WELFARELAB_SEARCH_SYNONYMS_FILE", None)
    if local:
        files.append(Path(local))
    return files


def _file_stamp(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in paths:
        status = path.stat() if path.is_file() else None
        stamps.append((str(path), status.st_mtime_ns if status else 0, status.st_size if status else -1))
    return tuple(stamps)


def _version_stamp() -> tuple[Any, ...]:
    from welfarelab.helpdesk.models import Article, LegalReference

    articles = Article.objects.aggregate(
        published=Count("pk", filter=Q(is_published=True)),
        total=Count("pk"),
        latest=Max("updated_at"),
        last_id=Max("pk"),
    )
    links = Article.tags.through.objects.aggregate(n=Count("pk"), last=Max("pk"))
    references = LegalReference.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (
        articles["published"],
        articles["total"],
        articles["latest"],
        articles["last_id"],
        links["n"],
        links["last"],
        references["n"],
        references["last"],
        _file_stamp(synonym_files()),
    )


def article_document(
    *,
    code: str,
    title: str,
    question: str,
    answer_text: str,
    theme_label: str,
    tags: Sequence[str] = (),
    references: Sequence[str] = (),
) -> Document:
    """The searchable text of one article, field by field (plain text, Italian)."""
    return Document(
        key=code,
        fields={
            "title": title,
            "question": question,
            "tags": sorted(tags),
            "answer": answer_text,
            "theme": theme_label,
            "references": list(references),
        },
    )


def build_index(documents: Sequence[Document], *, thesaurus: Thesaurus | None = None) -> SearchIndex:
    """A knowledge-base index over `documents`, with the synonym files unless a thesaurus is given."""
    if thesaurus is None:
        thesaurus, errors = Thesaurus.from_files(synonym_files())
        for error in errors:
            logger.warning("Synonym file: %s", error, extra={"error": error})
    return SearchIndex(
        documents,
        fields=KB_FIELDS,
        thesaurus=thesaurus,
        title_field=TITLE_FIELD,
        snippet_fields=SNIPPET_FIELDS,
    )


def _published_documents() -> tuple[list[Document], dict[str, ArticleData]]:
    from welfarelab.helpdesk.models import Article, LegalReference
    from welfarelab.helpdesk.selectors import article_documents

    references: dict[str, list[str]] = {}
    rows = (
        LegalReference.objects.filter(article__is_published=True)
        .order_by("article_id", "position", "pk")
        .values_list("article__code", "label")
    )
    for code, label in rows:
        labels = references.setdefault(code, [])
        if label not in labels:  # `CTS artt. 32-33` is one label on two rows
            labels.append(label)
    themes = dict(Article.Theme.choices)
    documents: list[Document] = []
    articles: dict[str, ArticleData] = {}
    # The index is Italian whatever the language of the request that builds it.
    with translation.override("it"):
        for article in sorted(article_documents(), key=lambda a: a.code):
            documents.append(
                article_document(
                    code=article.code,
                    title=article.title,
                    question=article.question,
                    answer_text=article.answer,
                    theme_label=str(themes.get(article.theme, article.theme)),
                    tags=article.tags,
                    references=references.get(article.code, ()),
                )
            )
            articles[article.code] = ArticleData(
                code=article.code, title=article.title, question=article.question, theme=article.theme
            )
    return documents, articles


def kb_index() -> tuple[SearchIndex, dict[str, ArticleData]]:
    """The index of the published articles, rebuilt when the stamp of the database has changed."""
    stamp = _version_stamp()
    key = str(connection.settings_dict.get("NAME"))  # the test database is another database
    built = _built.get(key)
    if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
        with _lock:
            built = _built.get(key)
            if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
                started = time.perf_counter()
                documents, articles = _published_documents()
                built = _Built(stamp, time.monotonic(), build_index(documents), articles)
                _built[key] = built
                logger.info(
                    "Knowledge-base index built",
                    extra={"articles": len(documents), "seconds": round(time.perf_counter() - started, 3)},
                )
    return built.index, built.articles


def kb_search(*, query: str, limit: int = DEFAULT_LIMIT, prefix: bool = False) -> KbSearchResult:
    """The published articles that best answer `query`, best first (see the module's docstring).

    `prefix=True` is for as-you-type suggestions: the last word may be unfinished. A blank query
    finds nothing. Ties in score are ordered by code, so the order never depends on the database.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return KbSearchResult(query="", hits=(), total=0, corrected_query=None)
    index, articles = kb_index()
    result = index.search(query, limit=max(1, min(limit, MAX_LIMIT)), prefix=prefix)
    hits = []
    for hit in result.hits:
        article = articles[hit.key]
        hits.append(
            KbHit(
                code=article.code,
                title=article.title,
                question=article.question,
                theme=article.theme,
                score=hit.score,
                # Escaped by the engine (snippets.highlight): only <mark> is markup.
                title_html=mark_safe(hit.title_html),  # noqa: S308
                snippet=mark_safe(hit.snippet_html),  # noqa: S308
                url=reverse("helpdesk:article-detail", kwargs={"code": article.code}),
            )
        )
    corrected = result.query.corrected_text if result.query.corrections else None
    return KbSearchResult(query=query, hits=tuple(hits), total=result.total, corrected_query=corrected)
