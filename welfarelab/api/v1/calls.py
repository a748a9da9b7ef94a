"""Funding calls: the catalogue, one call, and the calls an organisation may apply to.

    GET /api/v1/calls?status=open&beneficiary=aps&region=05&theme=politiche-giovanili&format=json|csv|xlsx
    GET /api/v1/calls/{id}
    GET /api/v1/organisations/{id}/matching-calls?format=json|csv|xlsx

Public, like the pages. Dates are ISO 8601 with their offset in Europe/Rome; amounts are euro. A call's
`status` is computed from its dates at the time of the request (upcoming, open, closed). Matching is
explained: each call comes with the reasons it fits (`reasons`) and what to check (`lacks`), as sentences
and as stable codes (docs/calls.md lists the codes and the rules).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
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
from welfarelab.calls import selectors
from welfarelab.calls.matching import matching_calls
from welfarelab.calls.models import ApplicantType, Call, Theme
from welfarelab.organisations.selectors import organisation_get
from welfarelab.reports.tabular import Column, tabular_response
from welfarelab.territories.models import Territory

router = Router(tags=["calls"])
organisation_router = Router(tags=["calls"])

MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
REGION_PATTERN = r"^[0-9]{2}$"
StatusFilter = Literal["current", "open", "upcoming", "closed", "all"]
SortKey = Literal["deadline", "recent", "amount", "relevance"]
CallStatus = Literal["upcoming", "open", "closed"]
IssuerType = Literal[
    "ministero", "regione", "ente_locale", "ue", "fondazione_bancaria", "fondazione", "altro"
]
LIST_SEPARATOR = "; "  # lists in a CSV or XLSX cell


class CallListItem(Schema):
    id: int
    title: str
    issuer: str
    issuer_type: IssuerType
    status: CallStatus = Field(description="From the dates at the time of the request.")
    closing_soon: bool = Field(description="Open and closing within 14 days.")
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None = Field(description="Null: no deadline (until funds run out).")
    themes: list[str] = Field(examples=[["politiche-giovanili", "politiche-sociali"]])
    beneficiaries: list[str] = Field(description="Applicant types that may apply.", examples=[["aps", "odv"]])
    regions: list[str] = Field(
        description="ISTAT codes; with `provinces` empty: all Italy.", examples=[["03"]]
    )
    provinces: list[str] = Field(examples=[["015"]])
    total_budget: float | None = Field(description="Euro.")
    max_grant: float | None = Field(description="Euro.")
    cofinancing_percent: float | None = Field(description="Co-financing required, %; null when not stated.")
    procedure: Literal["sportello", "graduatoria", "gara"] | None
    url: str | None = Field(description="The official page.")
    source: Literal["manual", "csv", "feed"]
    source_name: str | None
    source_id: str | None
    flagged_missing_from_source: bool
    updated_at: dt.datetime


class CallPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CallListItem]


class AttachmentOut(Schema):
    title: str
    url: str


class CallDetail(CallListItem):
    summary: str
    issuer_tax_code: str | None
    min_grant: float | None
    estimated_awards: int | None
    eligibility_notes: str | None = Field(
        description="Who may apply, in the words of the call or its source."
    )
    closed_early: bool
    source_status: str | None
    attachments: list[AttachmentOut]
    published_at: dt.datetime
    source_data: dict[str, Any] = Field(description="The record as the source published it.")


class MatchOut(Schema):
    call: CallListItem
    score: float = Field(description="Higher fits better (docs/calls.md).")
    reasons: list[str]
    lacks: list[str]
    reason_codes: list[str] = Field(examples=[["applicant_eligible", "territory_region", "themes_shared"]])
    lack_codes: list[str] = Field(examples=[["cofinancing_required"]])


class MatchPage(Schema):
    organisation_id: int
    count: int
    results: list[MatchOut]


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def call_item(call: Call, now: dt.datetime) -> dict[str, Any]:
    """One call as the list's item (the same values in JSON, CSV and XLSX)."""
    territories = list(call.territories.all())
    return {
        "id": call.pk,
        "title": call.title,
        "issuer": call.issuer,
        "issuer_type": call.issuer_type,
        "status": call.status_at(now),
        "closing_soon": call.closing_soon_at(now),
        "opens_at": timezone.localtime(call.opens_at) if call.opens_at else None,
        "closes_at": timezone.localtime(call.closes_at) if call.closes_at else None,
        "themes": sorted(t.slug for t in call.themes.all()),
        "beneficiaries": sorted(a.slug for a in call.eligible_applicants.all()),
        "regions": sorted(t.code for t in territories if t.kind == Territory.Kind.REGIONE),
        "provinces": sorted(t.code for t in territories if t.kind == Territory.Kind.PROVINCIA),
        "total_budget": _money(call.total_budget),
        "max_grant": _money(call.max_grant),
        "cofinancing_percent": _money(call.cofinancing_percent),
        "procedure": call.procedure or None,
        "url": call.url or None,
        "source": call.source,
        "source_name": call.source_name or None,
        "source_id": call.source_id or None,
        "flagged_missing_from_source": call.flagged_missing_from_source,
        "updated_at": timezone.localtime(call.updated_at),
    }


def _cells(item: dict[str, Any]) -> list[object]:
    return [LIST_SEPARATOR.join(value) if isinstance(value, list) else value for value in item.values()]


ITEM_COLUMNS = [Column(name) for name in CallListItem.model_fields]


def _check_vocabulary(*, theme: str | None, beneficiary: str | None, region: str | None) -> None:
    if theme and not Theme.objects.filter(slug=theme).exists():
        raise Http404(f"No theme {theme!r}.")
    if beneficiary and not ApplicantType.objects.filter(slug=beneficiary).exists():
        raise Http404(f"No applicant type {beneficiary!r}.")
    if region and not Territory.objects.filter(kind=Territory.Kind.REGIONE, code=region).exists():
        raise Http404(f"No region with code {region!r}.")


@router.get(
    "",
    response={200: CallPage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List funding calls",
)
def call_list_endpoint(
    request: HttpRequest,
    status: QueryEx[StatusFilter, P(description="`current` (default): open or upcoming.")] = "current",
    theme: QueryEx[str | None, P(pattern=SLUG_PATTERN, description="A theme's slug.")] = None,
    beneficiary: QueryEx[
        str | None,
        P(pattern=SLUG_PATTERN, description="An applicant type: aps, odv, comune, ambito, impresa …"),
    ] = None,
    region: QueryEx[
        str | None,
        P(pattern=REGION_PATTERN, description="ISTAT code of a region: calls for all Italy or for it."),
    ] = None,
    closing_within: QueryEx[
        int | None, P(ge=1, le=366, description="Open calls closing within N days.")
    ] = None,
    amount_min: QueryEx[
        float | None, P(ge=0, le=1e13, description="Euro, on the max grant or else the budget.")
    ] = None,
    amount_max: QueryEx[float | None, P(ge=0, le=1e13)] = None,
    issuer_type: QueryEx[IssuerType | None, P()] = None,
    q: QueryEx[str | None, P(max_length=200, description="Words (Italian stems, synonyms, typos).")] = None,
    sort: QueryEx[SortKey | None, P(description="Default: deadline, or relevance with `q`.")] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The calls matching the filters, nearest deadline first. Unknown theme, type or region: 404."""
    _check_vocabulary(theme=theme, beneficiary=beneficiary, region=region)
    now = timezone.now()
    found = selectors.call_list(
        filters={
            "status": status,
            "theme": theme,
            "beneficiary": beneficiary,
            "region": region,
            "closing_within": closing_within,
            "amount_min": None if amount_min is None else str(amount_min),
            "amount_max": None if amount_max is None else str(amount_max),
            "issuer_type": issuer_type,
            "q": (q or "").replace("\x00", ""),
            "sort": sort,
        },
        now=now,
    )
    if fmt != TabularFormat.JSON:
        rows = (_cells(call_item(call, now)) for call in found.calls.iterator(chunk_size=500))
        return tabular_response(columns=ITEM_COLUMNS, rows=rows, fmt=fmt, filename="calls")
    page_slice = PageSlice(found.calls, page=page, page_size=page_size)
    return {**page_slice.as_dict(), "results": [call_item(call, now) for call in page_slice.results]}


@router.get(
    "/{call_id}", response={200: CallDetail, 404: ErrorOut, 422: ValidationErrorOut}, summary="One call"
)
def call_detail_endpoint(request: HttpRequest, call_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    call = selectors.call_get(pk=call_id)
    return {
        **call_item(call, timezone.now()),
        "summary": call.summary,
        "issuer_tax_code": call.issuer_tax_code or None,
        "min_grant": _money(call.min_grant),
        "estimated_awards": call.estimated_awards,
        "eligibility_notes": call.eligibility_notes or None,
        "closed_early": call.closed_early,
        "source_status": call.source_status or None,
        "attachments": [
            {"title": a.title, "url": request.build_absolute_uri(a.href)} for a in call.attachments.all()
        ],
        "published_at": timezone.localtime(call.published_at),
        "source_data": call.source_data,
    }


MATCH_COLUMNS = [
    *[Column(f"call_{name}") for name in CallListItem.model_fields],
    Column("score"),
    Column("reasons"),
    Column("lacks"),
    Column("reason_codes"),
    Column("lack_codes"),
]


@organisation_router.get(
    "/{organisation_id}/matching-calls",
    response={200: MatchPage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="Open calls an organisation may apply to",
)
def matching_calls_endpoint(
    request: HttpRequest,
    organisation_id: PathEx[int, P(ge=1, le=MAX_ID)],
    limit: QueryEx[
        int | None, P(ge=1, le=1000, description="At most this many calls (default: all).")
    ] = None,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The open calls the organisation may apply to, best first, each with why it fits and what to check.

    404 when the organisation does not exist or the user may not see it.
    """
    organisation = organisation_get(user=request.user, pk=organisation_id)
    now = timezone.now()
    matches = matching_calls(organisation=organisation, now=now, limit=limit)
    results: list[dict[str, Any]] = [
        {
            "call": call_item(m.call, now),
            "score": m.score,
            "reasons": m.reasons,
            "lacks": m.lacks,
            "reason_codes": m.reason_codes,
            "lack_codes": m.lack_codes,
        }
        for m in matches
    ]
    if fmt != TabularFormat.JSON:
        rows = (
            [
                *_cells(r["call"]),
                r["score"],
                LIST_SEPARATOR.join(r["reasons"]),
                LIST_SEPARATOR.join(r["lacks"]),
                LIST_SEPARATOR.join(r["reason_codes"]),
                LIST_SEPARATOR.join(r["lack_codes"]),
            ]
            for r in results
        )
        return tabular_response(
            columns=MATCH_COLUMNS, rows=rows, fmt=fmt, filename=f"matching-calls-{organisation.pk}"
        )
    return {"organisation_id": organisation.pk, "count": len(results), "results": results}
