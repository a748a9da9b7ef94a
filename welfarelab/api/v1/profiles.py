"""Community profiles and peer groups of territories.

GET /api/v1/territories/{kind}/{code}/profile?period=2023
GET /api/v1/territories/{kind}/{code}/peers
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, QueryEx, Router, Schema

from welfarelab.api.v1.common import ErrorOut, ValidationErrorOut
from welfarelab.api.v1.territories import CODE_PATTERN, TerritoryKind, TerritoryRef
from welfarelab.benchmarking.models import Peer, StructuralValues
from welfarelab.benchmarking.profiles import IndicatorLine, territory_profile
from welfarelab.benchmarking.views import leps_gaps_of
from welfarelab.practices.selectors import published_practices
from welfarelab.territories.selectors import territory_get

router = Router(tags=["profiles"])

CODE = PathEx[str, P(pattern=CODE_PATTERN, description="ISTAT code, as text.", example="058091")]


class ComparatorOut(Schema):
    value: float | None
    comparison: str


class PeersOnIndicatorOut(Schema):
    count: int
    value: float | None = None
    pooled: bool
    minimum: float | None = None
    lower_quartile: float | None = None
    median: float | None = None
    upper_quartile: float | None = None
    maximum: float | None = None
    comparison: str


class ProfileIndicatorOut(Schema):
    code: str
    name: str
    need_domains: list[str]
    period: int
    value: float | None
    lower_95: float | None
    upper_95: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    polarity: str
    italy: ComparatorOut
    region: ComparatorOut
    peers: PeersOnIndicatorOut
    change: str


class PriorityOut(Schema):
    need_domain: str
    score: float
    leps_shortfall: float
    indicators: list[dict[str, Any]]


class LearningOut(Schema):
    indicator: str
    need_domain: str
    better_peers: list[dict[str, Any]]
    practices: list[dict[str, Any]]


class ProfileOut(Schema):
    territory: TerritoryRef
    period: int | None
    periods: list[int]
    peers: list[TerritoryRef]
    indicators: list[ProfileIndicatorOut]
    priorities: list[PriorityOut]
    learning: list[LearningOut]
    leps_gaps: list[dict[str, Any]]


class PeerOut(Schema):
    rank: int
    territory: TerritoryRef
    distance: float
    similarity: float
    variables_used: int
    closest_on: list[str]
    differs_most_on: str | None
    contributions: dict[str, float]
    values: dict[str, Any]


class PeersOut(Schema):
    territory: TerritoryRef
    values: dict[str, Any]
    peers: list[PeerOut]


def _ref(territory: Any) -> dict[str, str]:
    return {"kind": territory.kind, "code": territory.code, "name": territory.name}


def _indicator(line: IndicatorLine, domains: list[str]) -> dict[str, Any]:
    o = line.observation
    assert o is not None
    return {
        "code": line.indicator.code,
        "name": line.indicator.localized("name"),
        "need_domains": domains,
        "period": o.period,
        "value": o.value,
        "lower_95": o.lower_95,
        "upper_95": o.upper_95,
        "numerator": o.numerator,
        "denominator": o.denominator,
        "unit": line.indicator.localized("unit"),
        "polarity": line.indicator.polarity,
        "italy": {"value": line.italy.value if line.italy else None, "comparison": line.versus_italy},
        "region": {"value": line.regione.value if line.regione else None, "comparison": line.versus_regione},
        "peers": {**asdict(line.peers), "comparison": line.versus_peers},
        "change": line.change,
    }


@router.get(
    "/{kind}/{code}/profile",
    response={200: ProfileOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The community profile of a territory",
    url_name="territory_profile",
)
def territory_profile_endpoint(
    request: HttpRequest,
    kind: TerritoryKind,
    code: CODE,
    period: QueryEx[int | None, P(ge=1861, le=2100, description="The year; the latest by default.")] = None,
) -> dict[str, Any]:
    """Per indicator: value, 95% limits, Italy, region and peers with the significance of each
    difference (read with the indicator's polarity), change since the previous period; then the need
    priorities (formula in docs/profile.md), whom to learn from and the LEPS gaps."""
    territory = territory_get(kind=kind, code=code)
    profile = territory_profile(territory, period=period, practices_for=published_practices)
    domains_of: dict[int, list[str]] = {}
    for section in profile.sections:
        for line in section.lines:
            domains_of.setdefault(line.indicator.pk, []).append(section.domain.code)
    return {
        "territory": _ref(territory),
        "period": profile.period,
        "periods": profile.periods,
        "peers": [_ref(p.peer) for p in profile.peers],
        "indicators": [_indicator(line, domains_of[line.indicator.pk]) for line in profile.lines],
        "priorities": [
            {
                "need_domain": p.domain,
                "score": p.score,
                "leps_shortfall": p.leps_shortfall,
                "indicators": [
                    {
                        "code": s.code,
                        "gap": s.gap,
                        "significance": s.significance,
                        "trend": s.trend,
                        "score": s.total,
                    }
                    for s in p.indicators
                ],
            }
            for p, _ in profile.priorities
        ],
        "learning": [
            {
                "indicator": lead.line.indicator.code,
                "need_domain": lead.domain.code,
                "better_peers": [
                    {**_ref(b.territory), "value": b.observation.value, "period": b.observation.period}
                    for b in lead.better_peers
                ],
                "practices": [{"slug": p.slug, "title": p.title} for p in lead.practices],
            }
            for lead in profile.learning
        ],
        "leps_gaps": [
            asdict(g) if is_dataclass(g) and not isinstance(g, type) else g for g in leps_gaps_of(profile)
        ],
    }


@router.get(
    "/{kind}/{code}/peers",
    response={200: PeersOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The peer group of a territory",
    url_name="territory_peers",
)
def territory_peers_endpoint(request: HttpRequest, kind: TerritoryKind, code: CODE) -> dict[str, Any]:
    """The nearest territories on the structural variables, each with its distance, similarity (0–100),
    the variables that make the pair close and each variable's share of the distance
    (docs/decisions/0005-peer-groups.md)."""
    territory = territory_get(kind=kind, code=code)
    links = list(Peer.objects.filter(territory=territory).select_related("peer").order_by("rank"))
    values = {
        v.territory_id: v.values
        for v in StructuralValues.objects.filter(territory_id__in=[territory.pk, *(p.peer_id for p in links)])
    }
    return {
        "territory": _ref(territory),
        "values": values.get(territory.pk, {}),
        "peers": [
            {
                "rank": link.rank,
                "territory": _ref(link.peer),
                "distance": link.distance,
                "similarity": link.similarity,
                "variables_used": link.variables_used,
                "closest_on": link.closest_on,
                "differs_most_on": link.differs_most_on or None,
                "contributions": link.contributions,
                "values": values.get(link.peer_id, {}),
            }
            for link in links
        ],
    }
