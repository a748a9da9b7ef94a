"""Search of the help-desk knowledge base.

    GET /api/v1/kb/search?q=quanto costa iscriversi al runts&limit=10

Answers the published articles that best answer the question, best first, each with its relevance
score and a snippet: the sentence of the answer that matches best, as HTML-escaped text where only the
matched words are marked up, with `<mark>`. The search folds case and accents, stems Italian words,
knows the acronyms of the field (ODV, APS, CTS, RUNTS, 5x1000…) and corrects typos; it ranks the same
on every database (docs/decisions/0004-knowledge-base-search.md).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema
from pydantic import Field

from welfarelab.api.v1.common import ValidationErrorOut
from welfarelab.search.knowledge_base import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY_LENGTH, kb_search

router = Router(tags=["knowledge base"])


class KbSearchHit(Schema):
    code: str = Field(description="Stable code of the article.", examples=["ts-007"])
    title: str = Field(examples=["Iscrizione al RUNTS"])
    theme: str = Field(description="Code of the article's theme.", examples=["amministrativa"])
    score: float = Field(
        description="Relevance (BM25 over the weighted fields): higher is better; comparable only "
        "within one answer.",
        examples=[14.52],
    )
    snippet: str = Field(
        description="The best-matching sentence of the answer: HTML-escaped text, the matched words in "
        "`<mark>`…`</mark>` (no other markup).",
        examples=["La domanda si presenta in via telematica all'ufficio regionale del <mark>RUNTS</mark>…"],
    )
    url: str = Field(description="Path of the article's page.", examples=["/sportello/articoli/ts-007/"])


@router.get(
    "/search",
    response={200: list[KbSearchHit], 422: ValidationErrorOut},
    summary="Search the knowledge base",
)
def kb_search_endpoint(
    request: HttpRequest,
    q: QueryEx[
        str,
        P(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="The question, as people write it (`5x1000 come funziona`).",
        ),
    ],
    limit: QueryEx[int, P(ge=1, le=MAX_LIMIT, description="How many articles at most.")] = DEFAULT_LIMIT,
) -> list[dict[str, object]]:
    """Published articles ranked by relevance to `q`; an empty list when nothing matches."""
    result = kb_search(query=q.replace("\x00", ""), limit=limit)
    return [
        {
            "code": hit.code,
            "title": hit.title,
            "theme": hit.theme,
            "score": hit.score,
            "snippet": str(hit.snippet),
            "url": hit.url,
        }
        for hit in result.hits
    ]
