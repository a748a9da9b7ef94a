"""Good practices: what territories did about a need, reviewed and published by the lab.

    GET /api/v1/practices?need_domain=poverta_inclusione&territory=regione:03&q=emporio&format=json|csv|xlsx
    GET /api/v1/practices/{slug}

Only published practices exist here, for everybody alike (proposals under review are never served).
Contacts are those who agreed to be shown. Examples loaded for a demonstration carry `is_example: true`.
With `q`, the best matches come first (the site's Italian search engine); otherwise the latest published.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
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
from welfarelab.api.v1.territories import TerritoryKind
from welfarelab.indicators.models import NeedDomain
from welfarelab.practices.models import Practice, PracticeContact, PracticeEvidence, PracticePartner
from welfarelab.practices.selectors import evidence_rows, practice_list, published_practices
from welfarelab.reports.tabular import Column, tabular_response
from welfarelab.territories.selectors import territory_get

router = Router(tags=["good practices"])

# The values of Practice.Licence, PracticePartner.Kind and .Role, PracticeAttachment.Kind (a test keeps them equal).
Licence = Literal["cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0"]
PartnerKind = Literal[
    "ente_pubblico", "ets", "impresa", "volontari", "universita", "scuola", "sanita", "altro"
]
PartnerRole = Literal["promoter", "partner"]
AttachmentKind = Literal["pdf", "image", "link"]
Funding = Literal[
    "comune",
    "ambito",
    "regione",
    "nazionale",
    "pnrr",
    "europeo",
    "fondazione",
    "privato",
    "ets",
    "utenti",
    "altro",
]

SLUG_PATTERN = r"^[-a-z0-9_]{1,220}$"
DOMAIN_PATTERN = r"^[-a-z0-9_]{1,40}$"
TERRITORY_PATTERN = r"^(italia|regione|provincia|ambito|comune):[A-Za-z0-9][A-Za-z0-9 ._-]{0,11}$"
LIST_SEPARATOR = ", "  # how a download writes a list in one cell


def unknown_domain_message(code: str) -> str:
    return f"No need domain with code {code!r}."


class PracticeListItem(Schema):
    slug: str = Field(examples=["esempio-emporio-solidale-e-orientamento-al-lavoro"])
    title: str
    summary: str
    is_example: bool = Field(description="Invented for a demonstration: not a real practice.")
    territory_kind: TerritoryKind
    territory_code: str = Field(description="ISTAT code of the territory where it runs.", examples=["016024"])
    territory_name: str = Field(examples=["Bergamo"])
    regione_code: str | None = Field(examples=["03"])
    need_domains: list[str] = Field(description="Codes of the need domains it answers.")
    start_year: int
    end_year: int | None = Field(description="null while it is still running.")
    total_cost: float | None = Field(description="Total cost in euros; null when not stated.")
    funding_sources: list[Funding]
    licence: Licence
    published_at: dt.datetime
    url: str = Field(description="The practice's page.", examples=["/buone-pratiche/esempio-…/"])

    @staticmethod
    def resolve_territory_kind(obj: Practice) -> str:
        return obj.territory.kind

    @staticmethod
    def resolve_territory_code(obj: Practice) -> str:
        return obj.territory.code

    @staticmethod
    def resolve_territory_name(obj: Practice) -> str:
        return obj.territory.name

    @staticmethod
    def resolve_regione_code(obj: Practice) -> str | None:
        territory = obj.territory
        if territory.kind == "regione":
            return territory.code
        return territory.regione.code if territory.regione is not None else None

    @staticmethod
    def resolve_need_domains(obj: Practice) -> list[str]:
        return [domain.code for domain in obj.need_domains.all()]

    @staticmethod
    def resolve_total_cost(obj: Practice) -> float | None:
        return float(obj.total_cost) if obj.total_cost is not None else None

    @staticmethod
    def resolve_url(obj: Practice) -> str:
        return obj.get_absolute_url()


class PracticePage(Schema):
    count: int = Field(description="Practices in the whole filtered list.")
    page: int
    pages: int = Field(description="Number of pages; at least 1, even for an empty list.")
    results: list[PracticeListItem]


class TerritoryRef(Schema):
    kind: TerritoryKind
    code: str
    name: str


class PartnerOut(Schema):
    name: str
    kind: PartnerKind
    role: PartnerRole
    contribution: str | None
    organisation_id: int | None = Field(
        description="Its id in /api/v1/organisations, when it is in the directory."
    )

    @staticmethod
    def resolve_contribution(obj: PracticePartner) -> str | None:
        return obj.contribution or None


class ContactOut(Schema):
    name: str
    role: str | None
    email: str | None
    phone: str | None

    @staticmethod
    def resolve_role(obj: PracticeContact) -> str | None:
        return obj.role or None

    @staticmethod
    def resolve_email(obj: PracticeContact) -> str | None:
        return obj.email or None

    @staticmethod
    def resolve_phone(obj: PracticeContact) -> str | None:
        return obj.phone or None


class EvidenceOut(Schema):
    indicator_code: str = Field(examples=["low_income_taxpayers_share"])
    indicator_name: str
    unit: str | None
    territory_kind: TerritoryKind
    territory_code: str
    period_before: int
    value_before: float | None = Field(description="From the indicator table; null when it holds none.")
    period_after: int
    value_after: float | None
    note: str | None


class AttachmentOut(Schema):
    title: str
    kind: AttachmentKind
    url: str = Field(description="The file on this site, or the external address of a link.")
    size: int | None = Field(description="Bytes of a stored file; null for a link.")


class PracticeDetail(PracticeListItem):
    problem: str
    actions: str = Field(description="What was done.")
    resources: str | None
    funding_notes: str | None
    results: str | None
    licence_url: str
    other_territories: list[TerritoryRef]
    partners: list[PartnerOut]
    contacts: list[ContactOut] = Field(description="Only the contacts who agreed to be shown.")
    evidence: list[EvidenceOut] = Field(description="Indicators before and after, from the indicator table.")
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_resources(obj: Practice) -> str | None:
        return obj.resources or None

    @staticmethod
    def resolve_funding_notes(obj: Practice) -> str | None:
        return obj.funding_notes or None

    @staticmethod
    def resolve_results(obj: Practice) -> str | None:
        return obj.results or None

    @staticmethod
    def resolve_other_territories(obj: Practice) -> list[dict[str, str]]:
        return [{"kind": t.kind, "code": t.code, "name": t.name} for t in obj.other_territories.all()]

    @staticmethod
    def resolve_partners(obj: Practice) -> list[PracticePartner]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_contacts(obj: Practice) -> list[PracticeContact]:
        return list(obj.public_contacts)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_evidence(obj: Practice) -> list[dict[str, object]]:
        return [
            {
                "indicator_code": row.indicator.code,
                "indicator_name": row.indicator.name,
                "unit": row.indicator.unit or None,
                "territory_kind": row.evidence.territory.kind,
                "territory_code": row.evidence.territory.code,
                "period_before": row.evidence.period_before,
                "value_before": row.before.value if row.before is not None else None,
                "period_after": row.evidence.period_after,
                "value_after": row.after.value if row.after is not None else None,
                "note": row.evidence.note or None,
            }
            for row in evidence_rows(practice=obj)
        ]

    @staticmethod
    def resolve_attachments(obj: Practice) -> list[dict[str, object]]:
        return [
            {"title": a.title, "kind": a.kind, "url": a.get_absolute_url(), "size": a.size}
            for a in obj.attachments.all()
        ]


def _row(item: PracticeListItem) -> tuple[object, ...]:
    values = item.model_dump()
    return tuple(
        LIST_SEPARATOR.join(value) if isinstance(value, list) else value
        for value in (values[key] for key in PracticeListItem.model_fields)
    )


@router.get(
    "",
    response={200: PracticePage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List good practices",
    url_name="practice_list",
)
def practice_list_endpoint(
    request: HttpRequest,
    need_domain: QueryEx[
        str | None,
        P(pattern=DOMAIN_PATTERN, description="Code of a need domain: the practices answering it."),
    ] = None,
    territory: QueryEx[
        str | None,
        P(
            pattern=TERRITORY_PATTERN,
            description=(
                "`kind:code` (e.g. `regione:03`, `comune:016024`): the practices running in that territory "
                "or inside it."
            ),
        ),
    ] = None,
    q: QueryEx[str | None, P(max_length=200, description="Keywords, in Italian; best matches first.")] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The published practices. An unknown need domain or territory answers 404. Downloads write the
    lists (need domains, funding sources) in one cell, separated by ", "."""
    if need_domain and not NeedDomain.objects.filter(code=need_domain).exists():
        raise Http404(unknown_domain_message(need_domain))
    place = None
    if territory:
        kind, code = territory.split(":", 1)
        place = territory_get(kind=kind, code=code)
    practices = practice_list(
        filters={"need_domain": need_domain, "territory": place, "q": (q or "").replace("\x00", "")}
    )
    if fmt != TabularFormat.JSON:
        return tabular_response(
            columns=[Column(key) for key in PracticeListItem.model_fields],
            rows=(_row(PracticeListItem.from_orm(practice)) for practice in practices),
            fmt=fmt,
            filename="practices",
        )
    return PageSlice(practices, page=page, page_size=page_size).as_dict()


@router.get(
    "/{slug}",
    response={200: PracticeDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One good practice",
    url_name="practice_detail",
)
def practice_detail_endpoint(
    request: HttpRequest,
    slug: PathEx[str, P(pattern=SLUG_PATTERN, description="The practice's slug, as in its page address.")],
) -> Practice:
    """A published practice with its problem, actions, costs, partners, public contacts, indicator
    evidence (values read from the indicator table) and attachments; 404 for anything else."""
    evidence = Prefetch(
        "evidence", queryset=PracticeEvidence.objects.select_related("indicator", "territory")
    )
    practice = published_practices().prefetch_related("attachments", evidence).filter(slug=slug).first()
    if practice is None:
        raise Http404(f"No published practice {slug!r}.")
    return practice
