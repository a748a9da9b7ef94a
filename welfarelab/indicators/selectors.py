"""Reads of the catalogue and of observations for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db.models import Prefetch, QuerySet

from welfarelab.analytics.comparisons import Comparison, compare_to_comparator
from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.indicators.models import Indicator, NeedDomain, Observation
from welfarelab.territories.models import Territory


def indicator_list(*, domain: str | None = None, query: str | None = None) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(is_published=True).prefetch_related("need_domains")
    if domain:
        indicators = indicators.filter(need_domains__code=domain)
    if query:
        indicators = (
            indicators.filter(name_it__icontains=query)
            | indicators.filter(name_en__icontains=query)
            | indicators.filter(code__icontains=query)
        )
    return indicators.distinct()


def need_domains_with_indicators() -> QuerySet[NeedDomain]:
    published = Indicator.objects.filter(is_published=True)
    return NeedDomain.objects.prefetch_related(Prefetch("indicators", queryset=published))


def indicator_get(*, code: str) -> Indicator:
    return Indicator.objects.prefetch_related("need_domains").get(code=code, is_published=True)


def indicator_periods(*, indicator: Indicator) -> list[int]:
    return list(
        Observation.objects.filter(indicator=indicator)
        .values_list("period", flat=True)
        .distinct()
        .order_by("-period")
    )


def observation_values(
    *,
    indicator: Indicator,
    kind: str | None = None,
    period: int | None = None,
    within: Territory | None = None,
) -> QuerySet[Observation]:
    """Observations of `indicator`, optionally of one kind of territory, one period, inside one territory."""
    values = Observation.objects.filter(indicator=indicator).select_related("territory")
    if kind:
        values = values.filter(territory__kind=kind)
    if period is not None:
        values = values.filter(period=period)
    if within is not None and not within.is_italy:
        if within.kind == Territory.Kind.REGIONE:
            values = values.filter(territory__regione=within)
        elif within.kind == Territory.Kind.PROVINCIA:
            values = values.filter(territory__provincia=within)
        elif within.kind == Territory.Kind.AMBITO:
            values = values.filter(territory__ambito=within)
        else:
            values = values.filter(territory=within)
    return values.order_by("period", "territory__kind", "territory__code")


@dataclass(frozen=True)
class ComparedValue:
    """One observation set against a comparator (Italy, its regione), as Fingertips colours it."""

    observation: Observation
    comparison: str


def compared_with(
    observations: list[Observation], *, comparator: Observation | None, indicator: Indicator
) -> list[ComparedValue]:
    """Each observation with its comparison to `comparator` (better / similar / worse / not comparable)."""
    if not observations:
        return []
    if indicator.statistic in COUNT_LIKE:
        # A comune's count is always far below Italy's: the comparison would say nothing.
        return [ComparedValue(o, Comparison.NOT_COMPARABLE.value) for o in observations]
    frame = pl.DataFrame(
        {
            "value": [o.value for o in observations],
            "lower_ci": [o.lower_95 for o in observations],
            "upper_ci": [o.upper_95 for o in observations],
        },
        schema={"value": pl.Float64, "lower_ci": pl.Float64, "upper_ci": pl.Float64},
    )
    compared = compare_to_comparator(
        frame,
        comparator=comparator.value if comparator else None,
        polarity=indicator.polarity,
    )
    return [ComparedValue(o, c) for o, c in zip(observations, compared["comparison"], strict=True)]


@dataclass(frozen=True)
class TerritoryIndicatorRow:
    indicator: Indicator
    observation: Observation
    italy: Observation | None
    comparison: str


def territory_indicator_rows(*, territory: Territory) -> list[tuple[NeedDomain, list[TerritoryIndicatorRow]]]:
    """The latest value of every published indicator for `territory`, by need domain, against Italy."""
    latest: dict[int, Observation] = {}
    for observation in (
        Observation.objects.filter(territory=territory, indicator__is_published=True)
        .select_related("indicator")
        .order_by("indicator_id", "-period")
    ):
        latest.setdefault(observation.indicator_id, observation)
    italy = {
        (o.indicator_id, o.period): o
        for o in Observation.objects.filter(
            territory__kind=Territory.Kind.ITALIA,
            indicator_id__in=latest,
            period__in={o.period for o in latest.values()},
        )
    }
    rows: dict[int, TerritoryIndicatorRow] = {}
    for indicator_id, observation in latest.items():
        national = italy.get((indicator_id, observation.period))
        compared = compared_with([observation], comparator=national, indicator=observation.indicator)[0]
        rows[indicator_id] = TerritoryIndicatorRow(
            observation.indicator, observation, national, compared.comparison
        )
    grouped = []
    shown: set[int] = set()  # an indicator of several domains is listed once, under the first
    for domain in need_domains_with_indicators():
        domain_rows = [rows[i.pk] for i in domain.indicators.all() if i.pk in rows and i.pk not in shown]
        shown.update(row.indicator.pk for row in domain_rows)
        if domain_rows:
            grouped.append((domain, domain_rows))
    return grouped
