"""One indicator of a community profile: trend, funnel plot, ranked list and map of the comparison set."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from welfarelab.analytics.funnels import funnel_curve, funnel_flags, proportion_funnel, rate_funnel
from welfarelab.benchmarking.charts import funnel_figure, trend_figure
from welfarelab.benchmarking.models import Peer
from welfarelab.indicators.models import Indicator, Observation
from welfarelab.territories import selectors as territory_selectors
from welfarelab.territories.models import Territory

FUNNEL_STATISTICS = {"proportion", "rate"}


@dataclass(frozen=True)
class RankedRow:
    rank: int
    observation: Observation
    role: str  # this, peer, other
    position: str | None  # above / inside / below the 95% funnel limits


def comparison_set(territory: Territory) -> tuple[Territory | None, str]:
    """Territories compared on the funnel and the ranking: same kind in the regione, or all of Italy."""
    if territory.kind in (Territory.Kind.COMUNE, Territory.Kind.AMBITO) and territory.regione_id:
        return territory.regione, territory.kind
    return None, territory.kind


def profile_indicator(request: HttpRequest, kind: str, code: str, indicator: str) -> HttpResponse:
    territory = territory_selectors.territory_get(kind=kind, code=code)
    chosen = get_object_or_404(Indicator, code=indicator, is_published=True)
    within, set_kind = comparison_set(territory)
    peers = list(Peer.objects.filter(territory=territory).select_related("peer"))
    peer_ids = {p.peer_id for p in peers}

    history = list(Observation.objects.filter(indicator=chosen, territory=territory).order_by("period"))
    latest = next((o for o in reversed(history) if o.value is not None), None)
    rows = _comparison_rows(chosen, latest.period if latest else None, within=within, kind=set_kind)
    funnel, positions = _funnel(chosen, rows, territory=territory, peer_ids=peer_ids)
    ranked = _ranked(chosen, rows, territory=territory, peer_ids=peer_ids, positions=positions)
    trend, trend_rows = _trend(chosen, territory, peers)
    context: dict[str, Any] = {
        "territory": territory,
        "indicator": chosen,
        "latest": latest,
        "within": within,
        "set_kind": set_kind,
        "trend_chart": trend,
        "trend_rows": trend_rows,
        "funnel_chart": funnel,
        "funnel_possible": chosen.statistic in FUNNEL_STATISTICS,
        "ranked": ranked,
        "own_rank": next((r for r in ranked if r.role == "this"), None),
        "peer_ranked": [r for r in ranked if r.role in ("this", "peer")],
        "map_url": reverse("benchmarking:indicator-map", args=[kind, code, chosen.code])
        + (f"?periodo={latest.period}" if latest else ""),
        "breadcrumb": [
            (_("Territories"), reverse("territories:search")),
            (territory.name, reverse("territories:detail", args=[territory.kind, territory.code])),
            (_("Community profile"), reverse("benchmarking:profile", args=[territory.kind, territory.code])),
            (chosen.localized("name"), None),
        ],
    }
    return render(request, "benchmarking/profile_indicator.html", context)


def _comparison_rows(
    indicator: Indicator, period: int | None, *, within: Territory | None, kind: str
) -> list[Observation]:
    if period is None:
        return []
    rows = Observation.objects.filter(
        indicator=indicator, period=period, territory__kind=kind, value__isnull=False
    ).select_related("territory")
    if within is not None:
        rows = rows.filter(territory__regione=within)
    return list(rows)


def _funnel(
    indicator: Indicator, rows: list[Observation], *, territory: Territory, peer_ids: set[int]
) -> tuple[dict[str, Any] | None, dict[int, str]]:
    counted = [o for o in rows if o.numerator is not None and o.denominator]
    if indicator.statistic not in FUNNEL_STATISTICS or len(counted) < 3:
        return None, {}
    frame = pl.DataFrame(
        {
            "id": [o.territory_id for o in counted],
            "numerator": [o.numerator for o in counted],
            "denominator": [round(o.denominator or 0) for o in counted],
        },
        schema={"id": pl.Int64, "numerator": pl.Float64, "denominator": pl.Float64},
    )
    if indicator.statistic == "proportion":
        funnel = proportion_funnel(
            frame.with_columns(pl.col("numerator").round()),
            numerator="numerator",
            denominator="denominator",
            multiplier=indicator.multiplier,
        )
    else:
        funnel = rate_funnel(
            frame, count="numerator", denominator="denominator", multiplier=indicator.multiplier
        )
    flagged = funnel_flags(funnel.frame)
    positions = dict(zip(flagged["id"].to_list(), flagged["position_95"].to_list(), strict=True))
    largest = max(o.denominator or 1 for o in counted)
    xs = np.unique(np.geomspace(max(1, min(o.denominator or 1 for o in counted)), largest, 120).round())
    curve = funnel_curve(funnel, denominators=xs)
    points = [
        {
            "name": o.territory.name,
            "x": o.denominator,
            "y": o.value,
            "role": "this"
            if o.territory_id == territory.pk
            else "peer"
            if o.territory_id in peer_ids
            else "other",
        }
        for o in counted
    ]
    figure = funnel_figure(
        points=points,
        curve={c: curve[c].to_list() for c in curve.columns},
        target=funnel.target,
        decimals=indicator.decimals,
        x_title=indicator.localized("denominator") or _("Denominator"),
        y_title=indicator.localized("name"),
    )
    return figure, positions


def _ranked(
    indicator: Indicator,
    rows: list[Observation],
    *,
    territory: Territory,
    peer_ids: set[int],
    positions: dict[int, str],
) -> list[RankedRow]:
    """Best first for indicators with a polarity; highest first otherwise."""
    ascending = indicator.polarity == "lower_is_better"
    ordered = sorted(rows, key=lambda o: (o.value if ascending else -(o.value or 0), o.territory.code))
    return [
        RankedRow(
            rank=i,
            observation=o,
            role="this"
            if o.territory_id == territory.pk
            else "peer"
            if o.territory_id in peer_ids
            else "other",
            position=positions.get(o.territory_id),
        )
        for i, o in enumerate(ordered, start=1)
    ]


def _trend(
    indicator: Indicator, territory: Territory, peers: list[Peer]
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    italy = territory_selectors.territory_italy()
    ids = {territory.pk, *(p.peer_id for p in peers)}
    if territory.regione_id and territory.kind != Territory.Kind.REGIONE:
        ids.add(territory.regione_id)
    if italy is not None:
        ids.add(italy.pk)
    values: dict[int, dict[int, float | None]] = defaultdict(dict)
    for territory_id, period, value in Observation.objects.filter(
        indicator=indicator, territory_id__in=ids
    ).values_list("territory_id", "period", "value"):
        values[territory_id][period] = value
    periods = sorted(values.get(territory.pk, {}))
    if not periods:
        return None, []
    peer_median: dict[int, float | None] = {}
    for period in periods:
        known = [v for p in peers if (v := values[p.peer_id].get(period)) is not None]
        peer_median[period] = statistics.median(known) if known else None
    series: list[tuple[str, dict[int, float | None]]] = [(territory.name, values[territory.pk])]
    if territory.regione_id and territory.regione_id in values and territory.kind != Territory.Kind.REGIONE:
        series.append((_("Region"), values[territory.regione_id]))
    if italy is not None and italy.pk != territory.pk:
        series.append((_("Italy"), values[italy.pk]))
    if peers:
        series.append((_("Peers (median)"), peer_median))
    figure = trend_figure(
        [(name, [(period, points.get(period)) for period in periods]) for name, points in series],
        decimals=indicator.decimals,
    )
    table = [{"period": period, "values": [points.get(period) for _, points in series]} for period in periods]
    return {"figure": figure, "names": [name for name, _ in series]}, table
