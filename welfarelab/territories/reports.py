"""The data-quality report shown by `welfarelab data-report` and the admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from welfarelab.territories.models import DataQualityIssue, DatasetLoad, Territory
from welfarelab.territories.selectors import population_totals


@dataclass(frozen=True)
class DataQualityReport:
    loads: list[DatasetLoad]
    territory_counts: list[tuple[str, int]]
    italy_population: dict[int, int]
    issues: list[DataQualityIssue]


def data_quality_report() -> DataQualityReport:
    order = [kind for kind, _label in Territory.Kind.choices]
    counts = dict(Territory.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    italy = Territory.objects.filter(kind=Territory.Kind.ITALIA).first()
    return DataQualityReport(
        loads=list(DatasetLoad.objects.order_by("created_at")),
        territory_counts=[(kind, counts.get(kind, 0)) for kind in order],
        italy_population=population_totals(territory=italy) if italy else {},
        issues=list(DataQualityIssue.objects.all()),
    )
