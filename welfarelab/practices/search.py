"""Keyword search of the published good practices, with the platform's Italian search engine.

    result = practice_search(query="anziani soli quartiere")
    result.ranked                         # every matching slug, best first
    result.hits[0].slug, result.hits[0].snippet   # the first ten with a snippet: "…<mark>anziani</mark>…"

The engine is `welfarelab.search.engine` (BM25 by bm25s over weighted fields, Snowball Italian stems,
the synonym files, typo correction), the one the help desk uses: the database only stores the
practices, so a query ranks the same practices in the same order on SQLite and on PostgreSQL.

As for the knowledge base (`welfarelab.search.knowledge_base`), the index is built on the first search
and kept for the process; before every search a version stamp (how many practices, published or not,
the latest change, the highest id, how many need-domain and territory links, the synonym files) is read
in two small queries, and the index is rebuilt when it changed, or when older than MAX_INDEX_AGE. The
services save the practice (its `updated_at`) on every change of its parts, so the stamp sees them.

Fields and weights: title ×2, summary and need domains ×1.5, problem, what was done and results ×1,
places and partners ×1, resources ×0.5.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils.safestring import SafeString, mark_safe

from welfarelab.search.engine import Document, FieldSpec, SearchIndex
from welfarelab.search.knowledge_base import synonym_files
from welfarelab.search.synonyms import Thesaurus

logger = logging.getLogger(__name__)

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", 2.0),
    FieldSpec("summary", 1.5),
    FieldSpec("domains", 1.5),
    FieldSpec("problem", 1.0),
    FieldSpec("actions", 1.0),
    FieldSpec("results", 1.0),
    FieldSpec("places", 1.0),
    FieldSpec("partners", 1.0),
    FieldSpec("resources", 0.5),
)
TITLE_FIELD = "title"
SNIPPET_FIELDS = ("summary", "problem", "actions", "results")
MAX_INDEX_AGE = 600.0  # seconds
MAX_QUERY_LENGTH = 200
DEFAULT_SNIPPETS = 10


@dataclass(frozen=True, slots=True)
class PracticeHit:
    slug: str
    score: float
    title_html: SafeString  # escaped by the engine; only <mark> is markup
    snippet: SafeString


@dataclass(frozen=True, slots=True)
class PracticeSearchResult:
    query: str
    ranked: tuple[str, ...]  # the slug of every matching practice, best first
    hits: tuple[PracticeHit, ...]  # the first `snippets` of them, with their highlighted snippets
    corrected_query: str | None  # the query with its typos corrected, when any was


@dataclass(frozen=True, slots=True)
class _Built:
    stamp: tuple[Any, ...]
    built_at: float
    index: SearchIndex


_lock = threading.Lock()
_built: dict[str, _Built] = {}  # by database name


def _file_stamp(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in paths:
        status = path.stat() if path.is_file() else None
        stamps.append((str(path), status.st_mtime_ns if status else 0, status.st_size if status else -1))
    return tuple(stamps)


def _version_stamp() -> tuple[Any, ...]:
    from welfarelab.practices.models import Practice

    practices = Practice.objects.aggregate(
        published=Count("pk", filter=Q(status=Practice.Status.PUBLISHED)),
        total=Count("pk"),
        latest=Max("updated_at"),
        last_id=Max("pk"),
    )
    domains = Practice.need_domains.through.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (
        practices["published"],
        practices["total"],
        practices["latest"],
        practices["last_id"],
        domains["n"],
        domains["last"],
        _file_stamp(synonym_files()),
    )


def practice_documents() -> list[Document]:
    """The published practices as plain-text documents, field by field (Italian)."""
    from welfarelab.practices.selectors import published_practices

    documents = []
    for practice in published_practices().order_by("slug"):
        places = [practice.territory.name, *(t.name for t in practice.other_territories.all())]
        if practice.territory.regione is not None:
            places.append(practice.territory.regione.name)
        documents.append(
            Document(
                key=practice.slug,
                fields={
                    "title": practice.title,
                    "summary": practice.summary,
                    "domains": [domain.name_it for domain in practice.need_domains.all()],
                    "problem": practice.problem,
                    "actions": practice.actions,
                    "results": practice.results,
                    "places": places,
                    "partners": [partner.name for partner in practice.partners.all()],
                    "resources": f"{practice.resources}\n{practice.funding_notes}",
                },
            )
        )
    return documents


def build_index(documents: list[Document]) -> SearchIndex:
    thesaurus, errors = Thesaurus.from_files(synonym_files())
    for error in errors:
        logger.warning("Synonym file: %s", error, extra={"error": error})
    return SearchIndex(
        documents,
        fields=FIELDS,
        thesaurus=thesaurus,
        title_field=TITLE_FIELD,
        snippet_fields=SNIPPET_FIELDS,
    )


def practice_index() -> SearchIndex:
    """The index of the published practices, rebuilt when the stamp of the database has changed."""
    stamp = _version_stamp()
    key = str(connection.settings_dict.get("NAME"))  # the test database is another database
    built = _built.get(key)
    if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
        with _lock:
            built = _built.get(key)
            if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
                started = time.perf_counter()
                documents = practice_documents()
                built = _Built(stamp, time.monotonic(), build_index(documents))
                _built[key] = built
                logger.info(
                    "Good-practice index built",
                    extra={"practices": len(documents), "seconds": round(time.perf_counter() - started, 3)},
                )
    return built.index


def practice_search(*, query: str, snippets: int = DEFAULT_SNIPPETS) -> PracticeSearchResult:
    """Every published practice matching `query`, best first (ties by slug), and the first `snippets` of
    them with their snippets (a page of results needs only its own: they are the costly part).

    A blank query finds nothing.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return PracticeSearchResult(query="", ranked=(), hits=(), corrected_query=None)
    index = practice_index()
    parsed = index.parse(query)
    scores = index.scores(parsed)
    keys = [document.key for document in index.documents]
    ranked = sorted(
        (i for i in range(len(keys)) if scores[i] > 0), key=lambda i: (-round(float(scores[i]), 6), keys[i])
    )
    # index.search ranks the same way (engine.SearchIndex.search), and writes the snippets.
    found = index.search(query, limit=snippets).hits if snippets > 0 else ()
    hits = tuple(
        PracticeHit(
            slug=hit.key,
            score=hit.score,
            title_html=mark_safe(hit.title_html),  # noqa: S308 - escaped by the engine (snippets.highlight)
            snippet=mark_safe(hit.snippet_html),  # noqa: S308
        )
        for hit in found
    )
    corrected = parsed.corrected_text if parsed.corrections else None
    return PracticeSearchResult(
        query=query, ranked=tuple(keys[i] for i in ranked), hits=hits, corrected_query=corrected
    )
