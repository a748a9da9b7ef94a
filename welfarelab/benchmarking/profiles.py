"""The community profile (*profilo di comunità*) of a territory, read from the database in a few queries.

For each published indicator: the territory's value in the chosen period (or the latest before it),
Italy's, its regione's and its peer group's, the significance of each difference read with the
indicator's polarity, the change since the previous period, and where it sits on the spine chart.
Then the need priorities (analytics.profiles), whom to learn from, and the LEPS gaps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import Prefetch

from welfarelab.analytics.comparisons import Comparison, compare_to_comparator
from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.analytics.profiles import (
    Change,
    DomainPriority,
    IndicatorEvidence,
    PeerSummary,
    change_between,
    domain_priorities,
    peer_summary,
    spine_position,
)
from welfarelab.benchmarking.models import Peer
from welfarelab.indicators.models import Indicator, NeedDomain, Observation
from welfarelab.services.leps import leps_get
from welfarelab.services.selectors import LepsGap, territory_leps_gaps
from welfarelab.territories.models import Territory

POOLABLE = frozenset({"proportion", "rate"})


@dataclass
class IndicatorLine:
    """One indicator of the profile."""

    indicator: Indicator
    observation: Observation | None
    italy: Observation | None = None
    regione: Observation | None = None
    peers: PeerSummary = field(default_factory=lambda: peer_summary([]))
    peer_values: list[tuple[Territory, Observation]] = field(default_factory=list)
    versus_italy: str = Comparison.NOT_COMPARABLE.value
    versus_regione: str = Comparison.NOT_COMPARABLE.value
    versus_peers: str = Comparison.NOT_COMPARABLE.value
    history: list[Observation] = field(default_factory=list)
    change: str = Change.CANNOT_BE_CALCULATED.value
    spine: dict[str, float | None] = field(default_factory=dict)

    @property
    def is_count(self) -> bool:
        return self.indicator.statistic in COUNT_LIKE

    @property
    def value(self) -> float | None:
        return self.observation.value if self.observation else None

    @property
    def period(self) -> int | None:
        return self.observation.period if self.observation else None

    def evidence(self) -> IndicatorEvidence:
        return IndicatorEvidence(
            code=self.indicator.code,
            polarity=self.indicator.polarity,
            value=self.value,
            peers=self.peers,
            versus_peers=self.versus_peers,
            versus_italy=self.versus_italy,
            change=self.change,
        )


@dataclass(frozen=True)
class BetterPeer:
    """A peer significantly better than the territory on one indicator."""

    territory: Territory
    observation: Observation


@dataclass
class LearningLead:
    """An indicator where the territory is significantly worse than its peers, and who does better."""

    line: IndicatorLine
    domain: NeedDomain
    better_peers: list[BetterPeer]
    practices: list = field(default_factory=list)


@dataclass
class DomainSection:
    domain: NeedDomain
    lines: list[IndicatorLine]
    priority: DomainPriority | None = None

    @property
    def compared_lines(self) -> list[IndicatorLine]:
        return [line for line in self.lines if not line.is_count and line.observation is not None]


@dataclass
class TerritoryProfile:
    territory: Territory
    period: int | None
    periods: list[int]
    regione: Territory | None
    peers: list[Peer]
    sections: list[DomainSection]
    priorities: list[tuple[DomainPriority, NeedDomain]]
    learning: list[LearningLead]
    leps_gaps: list[LepsGap] = field(default_factory=list)

    @property
    def lines(self) -> list[IndicatorLine]:
        seen: dict[int, IndicatorLine] = {}
        for section in self.sections:
            for line in section.lines:
                seen.setdefault(line.indicator.pk, line)
        return list(seen.values())


def _compared(rows: list[tuple[Observation, float | None, str]]) -> list[str]:
    """Each (observation, comparator value, polarity) compared as Fingertips does, in one pass per polarity."""
    frame = pl.DataFrame(
        {
            "position": range(len(rows)),
            "value": [o.value for o, _, _ in rows],
            "lower_ci": [o.lower_95 for o, _, _ in rows],
            "upper_ci": [o.upper_95 for o, _, _ in rows],
            "comparator": [c for _, c, _ in rows],
            "polarity": [p for _, _, p in rows],
        },
        schema={
            "position": pl.Int64,
            "value": pl.Float64,
            "lower_ci": pl.Float64,
            "upper_ci": pl.Float64,
            "comparator": pl.Float64,
            "polarity": pl.String,
        },
    )
    results = [Comparison.NOT_COMPARABLE.value] * len(rows)
    for (polarity,), group in frame.group_by("polarity"):
        compared = compare_to_comparator(group, comparator="comparator", polarity=str(polarity))
        for position, comparison in compared.select("position", "comparison").iter_rows():
            results[position] = comparison
    return results


def _compare_lines(lines: list[IndicatorLine]) -> None:
    """Set each line's comparison with Italy, its regione and its peers."""
    rows: list[tuple[Observation, float | None, str]] = []
    for line in lines:
        assert line.observation is not None
        polarity = line.indicator.polarity
        rows.append((line.observation, line.italy.value if line.italy else None, polarity))
        rows.append((line.observation, line.regione.value if line.regione else None, polarity))
        rows.append((line.observation, line.peers.value, polarity))
    if not rows:
        return
    results = iter(_compared(rows))
    for line in lines:
        line.versus_italy, line.versus_regione, line.versus_peers = (
            next(results),
            next(results),
            next(results),
        )


def _latest_at(history: list[Observation], period: int | None) -> Observation | None:
    """The latest observation with a value at or before `period` (history sorted by period)."""
    chosen = None
    for observation in history:
        if observation.value is None:
            continue
        if period is None or observation.period <= period:
            chosen = observation
    return chosen


PracticesFor = Callable[..., Iterable[Any]]


def territory_profile(
    territory: Territory, *, period: int | None = None, practices_for: PracticesFor | None = None
) -> TerritoryProfile:
    """Everything the profile page, its PDF and its API show for `territory` in `period` (latest by default).

    `practices_for(domains, territories)` returns published good practices of those territories in those
    need domains (the practices app's selector); left out, leads carry no practices.
    """
    domains = list(
        NeedDomain.objects.order_by("position", "code").prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(is_published=True).order_by("position", "code"),
            )
        )
    )
    history_by_indicator: dict[int, list[Observation]] = defaultdict(list)
    indicators: dict[int, Indicator] = {}
    for observation in (
        Observation.objects.filter(territory=territory, indicator__is_published=True)
        .select_related("indicator")
        .order_by("indicator_id", "period")
    ):
        history_by_indicator[observation.indicator_id].append(observation)
        indicators[observation.indicator_id] = observation.indicator
    periods = sorted({o.period for h in history_by_indicator.values() for o in h}, reverse=True)
    lines: dict[int, IndicatorLine] = {}
    for indicator_id, history in history_by_indicator.items():
        current = _latest_at(history, period)
        if current is None:
            continue
        lines[indicator_id] = IndicatorLine(
            indicator=indicators[indicator_id], observation=current, history=history
        )

    regione = (
        territory.regione if territory.kind not in (Territory.Kind.ITALIA, Territory.Kind.REGIONE) else None
    )
    peers = list(Peer.objects.filter(territory=territory).select_related("peer").order_by("rank"))
    wanted = {(line.indicator.pk, line.period) for line in lines.values()}
    italy = Territory.objects.filter(kind=Territory.Kind.ITALIA).values_list("pk", flat=True).first()
    comparator_ids = [t.pk for t in [regione] if t is not None] + [p.peer_id for p in peers]
    italy_rows: dict[tuple[int, int], Observation] = {}
    other_rows: dict[tuple[int, int, int], Observation] = {}
    if wanted:
        rows = Observation.objects.filter(
            indicator_id__in={i for i, _ in wanted},
            period__in={p for _, p in wanted},
            territory_id__in=[*comparator_ids, italy],
        )
        for row in rows:
            if row.territory_id == italy:
                italy_rows[(row.indicator_id, row.period)] = row
            else:
                other_rows[(row.territory_id, row.indicator_id, row.period)] = row
    peer_territories = {p.peer_id: p.peer for p in peers}
    for row in other_rows.values():
        row.territory = peer_territories.get(row.territory_id) or regione  # type: ignore[assignment]

    for line in lines.values():
        _fill_line(line, regione=regione, peers=peers, italy_rows=italy_rows, other_rows=other_rows)
    _compare_lines([line for line in lines.values() if not line.is_count])

    sections = []
    for domain in domains:
        domain_lines = [lines[i.pk] for i in domain.indicators.all() if i.pk in lines]
        if domain_lines:
            sections.append(DomainSection(domain, domain_lines))
    period_shown = period or (periods[0] if periods else None)
    gaps = territory_leps_gaps(territory, period_shown) if period_shown else []
    ranked = domain_priorities(
        ((s.domain.code, [line.evidence() for line in s.compared_lines]) for s in sections),
        leps_shortfall_by_domain=_leps_shortfalls(gaps, domains),
    )
    by_code = {s.domain.code: s for s in sections}
    for priority in ranked:
        by_code[priority.domain].priority = priority
    priorities = [(p, by_code[p.domain].domain) for p in ranked]
    learning = _learning_leads(sections, practices_for)
    return TerritoryProfile(
        territory=territory,
        period=period_shown,
        periods=periods,
        regione=regione,
        peers=peers,
        sections=sections,
        priorities=priorities,
        learning=learning,
        leps_gaps=gaps,
    )


def _leps_shortfalls(gaps: list[LepsGap], domains: list[NeedDomain]) -> dict[str, float]:
    """The largest share of a LEPS target missed, by need domain (a LEPS counts for the domains that
    share one of its SIOSS user areas)."""
    shortfalls: dict[str, float] = {}
    for gap in gaps:
        if gap.status != "not_met":
            continue
        leps = leps_get(gap.leps_id)
        share = gap.shortfall or 0.0
        if leps is None or share == 0:
            continue
        for domain in domains:
            if set(domain.user_areas or ()) & set(leps.user_areas):
                shortfalls[domain.code] = max(shortfalls.get(domain.code, 0.0), share)
    return shortfalls


def _fill_line(
    line: IndicatorLine,
    *,
    regione: Territory | None,
    peers: list[Peer],
    italy_rows: dict[tuple[int, int], Observation],
    other_rows: dict[tuple[int, int, int], Observation],
) -> None:
    indicator, observation = line.indicator, line.observation
    assert observation is not None
    key = (indicator.pk, observation.period)
    line.italy = italy_rows.get(key)
    line.regione = other_rows.get((regione.pk, *key)) if regione else None
    line.peer_values = [
        (p.peer, row)
        for p in peers
        if (row := other_rows.get((p.peer_id, *key))) is not None and row.value is not None
    ]
    line.peers = peer_summary(
        [row.value for _, row in line.peer_values],
        numerators=[row.numerator for _, row in line.peer_values],
        denominators=[row.denominator for _, row in line.peer_values],
        multiplier=indicator.multiplier,
        poolable=indicator.statistic in POOLABLE,
    )
    if line.is_count:
        return
    polarity = indicator.polarity
    earlier = [o for o in line.history if o.period < observation.period and o.value is not None]
    if earlier:
        previous = earlier[-1]
        line.change = change_between(
            (previous.lower_95, previous.upper_95),
            (observation.lower_95, observation.upper_95),
            polarity=polarity,
        ).value
    centre = line.italy.value if line.italy else line.peers.value
    drawn = [
        v
        for v in (
            observation.value,
            line.peers.minimum,
            line.peers.maximum,
            line.regione.value if line.regione else None,
        )
        if v is not None
    ]
    half_width = max((abs(v - centre) for v in drawn), default=0.0) if centre is not None else None

    def position(value: float | None) -> float | None:
        return spine_position(value, centre=centre, half_width=half_width, polarity=polarity)

    line.spine = {
        "value": position(observation.value),
        "italy": position(centre) if line.italy else None,
        "regione": position(line.regione.value if line.regione else None),
        "minimum": position(line.peers.minimum),
        "lower_quartile": position(line.peers.lower_quartile),
        "upper_quartile": position(line.peers.upper_quartile),
        "maximum": position(line.peers.maximum),
    }


def _learning_leads(
    sections: Iterable[DomainSection], practices_for: PracticesFor | None
) -> list[LearningLead]:
    """Indicators where the territory is significantly worse than its peers (so they have a direction),
    with the peers significantly better than its value and, through `practices_for`, their practices."""
    leads: list[LearningLead] = []
    seen: set[int] = set()
    for section in sections:
        for line in section.compared_lines:
            if line.versus_peers != Comparison.WORSE.value or line.indicator.pk in seen:
                continue
            seen.add(line.indicator.pk)
            verdicts = _compared([(row, line.value, line.indicator.polarity) for _, row in line.peer_values])
            better = [
                BetterPeer(territory, row)
                for (territory, row), verdict in zip(line.peer_values, verdicts, strict=True)
                if verdict == Comparison.BETTER.value
            ]
            if better:
                leads.append(LearningLead(line, section.domain, better))
    if practices_for is not None and leads:
        # A peer's practice may be registered on its ambito (a social district runs most services).
        ambiti = {
            t.pk: t
            for t in Territory.objects.filter(
                pk__in={b.territory.ambito_id for lead in leads for b in lead.better_peers} - {None}
            )
        }
        for lead in leads:
            places = [b.territory for b in lead.better_peers]
            places += [
                ambiti[b.territory.ambito_id] for b in lead.better_peers if b.territory.ambito_id in ambiti
            ]
            lead.practices = list(practices_for(need_domain_codes=[lead.domain.code], territories=places))
    return leads
