"""The arithmetic of a community profile: peers' summary, change between periods, need priorities.

Pure functions on plain numbers, so that the page, the PDF and the API say the same thing.

**Peers' value.** For proportions and rates with every peer's counts, the pooled value
Σ numerators / Σ denominators × multiplier (the peer group as one population, as Fingertips pools a
comparator); otherwise the peers' median. The range drawn on the spine chart is the peers' minimum,
quartiles and maximum.

**Change.** Between two periods, a value has risen (or fallen) when its 95% interval lies wholly above
(below) the earlier one's; without intervals it cannot be said. With five periods or more, the profile
uses the chi-square test for trend instead (analytics.trends).

**Priority of a need domain** (documented in docs/profile.md and shown on the page): for each indicator
with a polarity, on a scale where positive means worse,

    gap          G = clip((peers' value − value) / peers' spread × s, −3, 3) / 3    (s = +1 if higher is better, −1 if lower)
    significance S = 1 worse than peers (95%), 0.5 worse than Italy only, −1 better than peers, else 0
    trend        T = 1 getting worse, −1 getting better, else 0

the indicator scores 40 G + 30 S + 20 T; the domain scores the mean over its indicators, plus 10 × the
largest share of a LEPS target it misses (0 to 1). Scores run from −90 to 100; the higher, the more
urgent. The peers' spread is their interquartile range / 1.349 (a standard deviation that one odd peer
cannot inflate); with no spread the gap is 0.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from welfarelab.analytics.comparisons import Comparison, Polarity, polarity_from

GAP_WEIGHT = 40.0
SIGNIFICANCE_WEIGHT = 30.0
TREND_WEIGHT = 20.0
LEPS_WEIGHT = 10.0
GAP_CLIP = 3.0
_IQR_TO_SD = 1.349  # the interquartile range of a normal distribution in standard deviations


class Change(StrEnum):
    """How a value moved between two periods, read with the indicator's polarity where it has one."""

    GETTING_BETTER = "getting_better"
    GETTING_WORSE = "getting_worse"
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_SIGNIFICANT_CHANGE = "no_significant_change"
    CANNOT_BE_CALCULATED = "cannot_be_calculated"


@dataclass(frozen=True)
class PeerSummary:
    """The peers of a territory on one indicator."""

    count: int
    value: float | None  # pooled or median (see `pooled`)
    pooled: bool
    minimum: float | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    maximum: float | None

    @property
    def spread(self) -> float | None:
        """A robust standard deviation: the interquartile range / 1.349; None with fewer than 4 peers."""
        if self.count < 4 or self.lower_quartile is None or self.upper_quartile is None:
            return None
        return (self.upper_quartile - self.lower_quartile) / _IQR_TO_SD


def peer_summary(
    values: Sequence[float | None],
    *,
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
    multiplier: float = 1.0,
    poolable: bool = False,
) -> PeerSummary:
    """Summarise the peers' values; pool their counts when `poolable` and every peer has them."""
    known = sorted(v for v in values if v is not None and math.isfinite(v))
    if not known:
        return PeerSummary(0, None, False, None, None, None, None, None)
    quartiles = statistics.quantiles(known, n=4, method="inclusive") if len(known) > 1 else known * 3
    median = statistics.median(known)
    pooled_value = None
    if poolable and numerators is not None and denominators is not None:
        pairs = [
            (n, d)
            for v, n, d in zip(values, numerators, denominators, strict=True)
            if v is not None and n is not None and d is not None
        ]
        total = sum(d for _, d in pairs)
        if len(pairs) == len(known) and total > 0:
            pooled_value = sum(n for n, _ in pairs) / total * multiplier
    return PeerSummary(
        count=len(known),
        value=pooled_value if pooled_value is not None else median,
        pooled=pooled_value is not None,
        minimum=known[0],
        lower_quartile=quartiles[0],
        median=median,
        upper_quartile=quartiles[2],
        maximum=known[-1],
    )


def change_between(
    earlier: tuple[float | None, float | None],
    later: tuple[float | None, float | None],
    *,
    polarity: Polarity | str,
) -> Change:
    """How a value moved between two periods, from their 95% intervals (lower, upper) alone."""
    direction = polarity_from(polarity)
    (earlier_lower, earlier_upper), (later_lower, later_upper) = earlier, later
    if None in (earlier_lower, earlier_upper, later_lower, later_upper):
        return Change.CANNOT_BE_CALCULATED
    assert later_lower is not None and later_upper is not None  # for the type checker
    if later_lower > earlier_upper:  # type: ignore[operator]
        rising = True
    elif later_upper < earlier_lower:  # type: ignore[operator]
        rising = False
    else:
        return Change.NO_SIGNIFICANT_CHANGE
    if direction is Polarity.NO_JUDGEMENT:
        return Change.INCREASING if rising else Change.DECREASING
    better = rising == (direction is Polarity.HIGHER_IS_BETTER)
    return Change.GETTING_BETTER if better else Change.GETTING_WORSE


@dataclass(frozen=True)
class IndicatorEvidence:
    """What the profile knows about one indicator of a territory, for the priority score."""

    code: str
    polarity: Polarity | str
    value: float | None
    peers: PeerSummary
    versus_peers: Comparison | str
    versus_italy: Comparison | str
    change: Change | str


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    gap: float
    significance: float
    trend: float

    @property
    def total(self) -> float:
        return GAP_WEIGHT * self.gap + SIGNIFICANCE_WEIGHT * self.significance + TREND_WEIGHT * self.trend


@dataclass(frozen=True)
class DomainPriority:
    domain: str
    score: float
    indicators: tuple[IndicatorScore, ...]
    leps_shortfall: float  # the largest share of a LEPS target missed, 0 to 1

    @property
    def judged(self) -> int:
        return len(self.indicators)


def indicator_score(evidence: IndicatorEvidence) -> IndicatorScore | None:
    """The indicator's part of its domains' priority; None for an indicator without a polarity."""
    polarity = polarity_from(evidence.polarity)
    if polarity is Polarity.NO_JUDGEMENT:
        return None
    sign = 1.0 if polarity is Polarity.HIGHER_IS_BETTER else -1.0
    spread, reference = evidence.peers.spread, evidence.peers.value
    gap = 0.0
    if evidence.value is not None and reference is not None and spread:
        standardised = (reference - evidence.value) / spread * sign
        gap = max(-GAP_CLIP, min(GAP_CLIP, standardised)) / GAP_CLIP
    if evidence.versus_peers == Comparison.WORSE:
        significance = 1.0
    elif evidence.versus_peers == Comparison.BETTER:
        significance = -1.0
    elif evidence.versus_italy == Comparison.WORSE:
        significance = 0.5
    else:
        significance = 0.0
    trend = {Change.GETTING_WORSE: 1.0, Change.GETTING_BETTER: -1.0}.get(Change(evidence.change), 0.0)
    return IndicatorScore(evidence.code, gap, significance, trend)


def domain_priorities(
    evidence_by_domain: Iterable[tuple[str, Sequence[IndicatorEvidence]]],
    *,
    leps_shortfall_by_domain: dict[str, float] | None = None,
) -> list[DomainPriority]:
    """Each domain's priority score, most urgent first (ties by domain code).

    A domain with no judged indicator and no LEPS shortfall is left out: there is nothing to rank it by.
    """
    shortfalls = leps_shortfall_by_domain or {}
    ranked = []
    for domain, evidence in evidence_by_domain:
        scores = tuple(s for s in (indicator_score(e) for e in evidence) if s is not None)
        shortfall = max(0.0, min(1.0, shortfalls.get(domain, 0.0)))
        if not scores and shortfall == 0:
            continue
        mean = sum(s.total for s in scores) / len(scores) if scores else 0.0
        ranked.append(DomainPriority(domain, round(mean + LEPS_WEIGHT * shortfall, 1), scores, shortfall))
    return sorted(ranked, key=lambda p: (-p.score, p.domain))


def spine_position(
    value: float | None, *, centre: float | None, half_width: float | None, polarity: Polarity | str
) -> float | None:
    """Where `value` falls on a spine chart from 0 to 1, the comparator at 0.5 and better to the right.

    `half_width` is the largest distance from the centre among the values drawn on the row, so they
    all fit; indicators without a polarity put higher values to the right.
    """
    if value is None or centre is None:
        return None
    if not half_width:
        return 0.5
    offset = (value - centre) / half_width / 2
    if polarity_from(polarity) is Polarity.LOWER_IS_BETTER:
        offset = -offset
    return max(0.0, min(1.0, 0.5 + offset))
