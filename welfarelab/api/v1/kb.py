"""The knowledge base of the Third Sector help desk.

    GET /api/v1/kb/articles?theme=fiscale&ets_type=odv&tag=volontari&needs_review=true&format=json|csv|xlsx
    GET /api/v1/kb/articles/{code}          (code as in the seed: ts-001)

Everybody reads the published articles; the help desk operators, signed in, also the unpublished ones.
Each reference comes with its Normattiva link (null for texts Normattiva does not hold). Answers are
given as Markdown and as sanitised HTML. `/kb/search` is the search engine's (welfarelab.search).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import P, PathEx, QueryEx, Router, Schema
from pydantic import Field

from welfarelab.api.v1.common import (
    DEFAULT_PAGE_SIZE,
    DOWNLOAD_RESPONSES,
    FORMAT_DESCRIPTION,
    MAX_PAGE_SIZE,
    PAGE_DESCRIPTION,
    PAGE_SIZE_DESCRIPTION,
    ErrorOut,
    PageSlice,
    TabularFormat,
    ValidationErrorOut,
)
from welfarelab.helpdesk.models import Article, LegalReference
from welfarelab.helpdesk.selectors import article_get, article_list
from welfarelab.reports.tabular import Column, tabular_response

router = Router(tags=["knowledge base"])

# The values of Article.Theme, Organisation.LegalForm (without "non_indicata") and LegalReference.ActType.
Theme = Literal["normativa", "amministrativa", "fiscale", "lavoro_volontari", "bandi_finanziamenti", "altro"]
EtsType = Literal[
    "odv",
    "aps",
    "impresa_sociale",
    "ente_filantropico",
    "rete_associativa",
    "societa_mutuo_soccorso",
    "altro_ets",
]
ActType = Literal["dlgs", "legge", "dl", "dpr", "dpcm", "dm", "codice_civile", "costituzione"]
ARTICLE_CODE_PATTERN = r"^[a-z]{2,6}-[0-9]{3,5}$"
TAG_PATTERN = r"^[-a-zA-Z0-9_]{1,70}$"
LIST_SEPARATOR = ", "  # how a download writes a list in one cell


class ArticleListItem(Schema):
    code: str = Field(examples=["ts-001"], description="The seed's id for seeded articles.")
    title: str
    question: str = Field(description="The question as people ask it.")
    theme: Theme
    ets_types: list[EtsType] = Field(description="Legal forms the answer concerns; empty for every ETS.")
    tags: list[str] = Field(examples=[["RUNTS", "qualifica di ETS"]])
    needs_review: bool = Field(description="Some point is being checked: the page shows a notice.")
    last_reviewed_on: dt.date | None
    useful_yes: int = Field(description="Readers who found it useful (one per browser session).")
    useful_no: int
    url: str = Field(description="The article's page.", examples=["/sportello/articoli/ts-001/"])
    updated_at: dt.datetime

    @staticmethod
    def resolve_tags(obj: Article) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_url(obj: Article) -> str:
        return obj.get_absolute_url()


class ArticlePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ArticleListItem]


class LegalReferenceOut(Schema):
    label: str = Field(description="As written in the article.", examples=["CTS art. 79, c. 5"])
    citation: str = Field(examples=["D.Lgs. 117/2017, art. 79, c. 5"])
    act_type: ActType | None = Field(description="null when the text is not an act (a circular, a ruling).")
    act_number: str | None = Field(examples=["117"])
    act_year: int | None = Field(examples=[2017])
    act_date: dt.date | None
    act_title: str | None = Field(examples=["Codice del Terzo settore"])
    article: str | None = Field(description="Article of the act.", examples=["79"])
    comma: str | None = Field(examples=["5"])
    normattiva_url: str | None = Field(
        description="The official text on Normattiva; null when Normattiva does not hold the act.",
        examples=[
            "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2017-07-03;117~art79-com5"
        ],
    )

    @staticmethod
    def resolve_citation(obj: LegalReference) -> str:
        return obj.citation_text

    @staticmethod
    def resolve_act_type(obj: LegalReference) -> str | None:
        return obj.act_type or None

    @staticmethod
    def resolve_act_number(obj: LegalReference) -> str | None:
        return obj.act_number or None

    @staticmethod
    def resolve_act_title(obj: LegalReference) -> str | None:
        return obj.act_title or None

    @staticmethod
    def resolve_article(obj: LegalReference) -> str | None:
        return obj.law_article or None

    @staticmethod
    def resolve_comma(obj: LegalReference) -> str | None:
        return obj.comma or None


class ArticleDetail(ArticleListItem):
    answer_markdown: str
    answer_html: str = Field(description="The answer as sanitised HTML.")
    review_reason: str | None = Field(description="Why the article is under review (for the operators).")
    reviewed_by: str | None = Field(description="Name of the operator who last reviewed it.")
    is_published: bool
    references: list[LegalReferenceOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_review_reason(obj: Article) -> str | None:
        return obj.review_reason or None

    @staticmethod
    def resolve_reviewed_by(obj: Article) -> str | None:
        reviewer = obj.reviewed_by
        return (reviewer.get_full_name() or None) if reviewer is not None else None

    @staticmethod
    def resolve_references(obj: Article) -> list[LegalReference]:
        return list(obj.references.all())


def _row(item: ArticleListItem) -> tuple[object, ...]:
    values = item.model_dump()
    return tuple(
        LIST_SEPARATOR.join(value) if isinstance(value, list) else value
        for value in (values[key] for key in ArticleListItem.model_fields)
    )


@router.get(
    "/articles",
    response={200: ArticlePage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List knowledge base articles",
)
def article_list_endpoint(
    request: HttpRequest,
    theme: QueryEx[Theme | None, P(description="Only the articles of this theme.")] = None,
    ets_type: QueryEx[
        EtsType | None, P(description="Only the articles concerning this legal form (or every ETS).")
    ] = None,
    tag: QueryEx[str | None, P(pattern=TAG_PATTERN, description="Slug of a tag.")] = None,
    needs_review: QueryEx[
        bool | None, P(description="Only those under review (true) or not (false).")
    ] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The articles by code. Downloads write the lists (ETS types, tags) in one cell, separated by ", "."""
    articles = article_list(
        user=request.user, theme=theme, tag=tag, ets_type=ets_type, needs_review=needs_review
    )
    if fmt != TabularFormat.JSON:
        return tabular_response(
            columns=[Column(key) for key in ArticleListItem.model_fields],
            rows=(_row(ArticleListItem.from_orm(article)) for article in articles),
            fmt=fmt,
            filename="kb_articles",
        )
    return PageSlice(articles, page=page, page_size=page_size).as_dict()


@router.get(
    "/articles/{code}",
    response={200: ArticleDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One knowledge base article",
)
def article_detail_endpoint(
    request: HttpRequest,
    code: PathEx[
        str, P(pattern=ARTICLE_CODE_PATTERN, description="The article's code.", examples=["ts-001"])
    ],
) -> Article:
    """One article with its answer, its legal references (with Normattiva links) and its review status."""
    return article_get(user=request.user, code=code)
