"""Full-text search of the calls with the help desk's engine (bm25s, Italian stems, the field's synonyms).

    ranked = call_search_keys(query="giovani servizio civile")   # call ids, best first

Same engine as the knowledge base (docs/decisions/0004-knowledge-base-search.md), so a query ranks the
same calls in the same order on SQLite and PostgreSQL and "odv" finds "organizzazioni di volontariato".
Fields and weights: title ×2, themes ×1.5, issuer ×1, summary ×1, who may apply ×0.5.

One index per process and database, built on the first search and rebuilt when a version stamp read
before each search changes (number of calls, latest `updated_at`, highest id, number of theme links, the
synonym files), or when it is older than `MAX_INDEX_AGE` (a theme renamed). A few thousand calls build in
well under a second; the filters (status, theme, region…) stay in the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils import translation

from welfarelab.calls.models import Call
from welfarelab.search.engine import Document, FieldSpec, SearchIndex
from welfarelab.search.knowledge_base import synonym_files
from welfarelab.search.synonyms import Thesaurus

CALL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", 2.0),
    FieldSpec("themes", 1.5),
    FieldSpec("issuer", 1.0),
    FieldSpec("summary", 1.0),
    FieldSpec("eligibility", 0.5),
)
MAX_INDEX_AGE = 600.0
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class _Built:
    stamp: tuple[Any, ...]
    built_at: float
    index: SearchIndex


_lock = threading.Lock()
_built: dict[str, _Built] = {}


def _file_stamp() -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in synonym_files():
        status = path.stat() if path.is_file() else None
        stamps.append((str(path), status.st_mtime_ns if status else 0, status.st_size if status else -1))
    return tuple(stamps)


def _stamp() -> tuple[Any, ...]:
    calls = Call.objects.aggregate(n=Count("pk"), latest=Max("updated_at"), last=Max("pk"))
    links = Call.themes.through.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (calls["n"], calls["latest"], calls["last"], links["n"], links["last"], _file_stamp())


def _documents() -> list[Document]:
    themes: dict[int, list[str]] = {}
    with translation.override("it"):
        for call_id, name in Call.themes.through.objects.values_list("call_id", "theme__name_it"):
            themes.setdefault(call_id, []).append(name)
    rows = Call.objects.order_by("pk").values_list("pk", "title", "issuer", "summary", "eligibility_notes")
    return [
        Document(
            key=str(pk),
            fields={
                "title": title,
                "themes": sorted(themes.get(pk, [])),
                "issuer": issuer,
                "summary": summary,
                "eligibility": eligibility,
            },
        )
        for pk, title, issuer, summary, eligibility in rows
    ]


def call_index() -> SearchIndex:
    stamp = _stamp()
    key = str(connection.settings_dict.get("NAME"))
    built = _built.get(key)
    if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
        with _lock:
            built = _built.get(key)
            if built is None or built.stamp != stamp or time.monotonic() - built.built_at > MAX_INDEX_AGE:
                thesaurus, _errors = Thesaurus.from_files(synonym_files())
                index = SearchIndex(
                    _documents(),
                    fields=CALL_FIELDS,
                    thesaurus=thesaurus,
                    title_field="title",
                    snippet_fields=("summary",),
                )
                built = _Built(stamp, time.monotonic(), index)
                _built[key] = built
    return built.index


@dataclass(frozen=True, slots=True)
class CallSearch:
    keys: Sequence[int]  # ids of the matching calls, best first
    corrected_query: str | None


def call_search(*, query: str) -> CallSearch:
    """Every call matching `query`, best first (ties by id); a blank query matches nothing."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return CallSearch(keys=(), corrected_query=None)
    index = call_index()
    parsed = index.parse(query)
    if not parsed.terms or not index.documents:
        return CallSearch(keys=(), corrected_query=None)
    scores = index.scores(parsed)
    # The engine's own order (SearchIndex.search), without building a snippet for every hit.
    ranked = sorted(
        (i for i in range(len(index.documents)) if scores[i] > 0),
        key=lambda i: (-round(float(scores[i]), 6), int(index.documents[i].key)),
    )
    corrected = parsed.corrected_text if parsed.corrections else None
    return CallSearch(keys=[int(index.documents[i].key) for i in ranked], corrected_query=corrected)
