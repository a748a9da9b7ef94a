"""Writing observations: intervals, storage, and the sums up the territorial hierarchy.

Every write goes through `observations_store`, so that intervals are always computed the same way and
aggregates are rebuilt after comuni change. Aggregates (origin "aggregated") are sums of the comuni's
numerators and denominators; a territory that has its own reported value keeps it (the demographic
indicators of a provincia, computed from its own population, count the residents of merged codes that
no comune holds — see docs/decisions/0002).
"""

from __future__ import annotations

import polars as pl
from django.db import transaction

from welfarelab.analytics.observations import COUNT_LIKE, sum_up, value_from_counts, with_intervals
from welfarelab.core.bulk import analyze_table, bulk_insert_frame
from welfarelab.indicators.frames import comune_membership_frame, query_frame
from welfarelab.indicators.models import ImportBatch, Indicator, Observation
from welfarelab.territories.models import Territory

# Columns of the observation table, in the order the frames are written.
STORED_COLUMNS = (
    "indicator_id",
    "territory_id",
    "period",
    "value",
    "numerator",
    "denominator",
    "lower_95",
    "upper_95",
    "coverage",
    "origin",
    "source",
    "batch_id",
)
_SCHEMA = {
    "indicator_id": pl.Int64,
    "territory_id": pl.Int64,
    "period": pl.Int16,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "lower_95": pl.Float64,
    "upper_95": pl.Float64,
    "coverage": pl.Float64,
    "origin": pl.String,
    "source": pl.String,
    "batch_id": pl.Int64,
}
_DELETE_CHUNK = 5_000


def _prepared(
    *, indicator: Indicator, frame: pl.DataFrame, origin: str, source: str, batch: ImportBatch | None
) -> pl.DataFrame:
    """`frame` (territory_id, period, numerator, denominator, value[, coverage]) as table rows with limits."""
    if "value" not in frame.columns:
        frame = frame.with_columns(
            value=value_from_counts(statistic=indicator.statistic, multiplier=indicator.multiplier)
        )
    for optional in ("numerator", "denominator", "coverage"):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(optional))
    if indicator.statistic in COUNT_LIKE and indicator.multiplier > 0:
        # A count given as its value alone is its own numerator: without one it has no interval and
        # would be left out of every sum.
        frame = frame.with_columns(
            numerator=pl.coalesce(
                pl.col("numerator").cast(pl.Float64), pl.col("value") / indicator.multiplier
            )
        )
    frame = with_intervals(
        frame.with_columns(pl.col("numerator", "denominator", "value").cast(pl.Float64)),
        statistic=indicator.statistic,
        multiplier=indicator.multiplier,
    )
    return frame.with_columns(
        indicator_id=pl.lit(indicator.pk),
        origin=pl.lit(origin),
        source=pl.lit(source),
        batch_id=pl.lit(batch.pk if batch else None),
    ).select(pl.col(column).cast(dtype) for column, dtype in _SCHEMA.items())


def _write(frame: pl.DataFrame) -> int:
    return bulk_insert_frame(table=Observation._meta.db_table, frame=frame.select(STORED_COLUMNS))


@transaction.atomic
def observations_store(
    *,
    indicator: Indicator,
    frame: pl.DataFrame,
    batch: ImportBatch | None,
    source: str = "",
    replace_all: bool = False,
) -> int:
    """Write one indicator's observations, replacing the same cells (or all of its cells if `replace_all`).

    `frame` has territory_id, period and numerator/denominator and/or value. The 95% limits are
    computed from the indicator's kind of statistic; the sums up the hierarchy are rebuilt for the
    periods written. Returns the number of rows written (aggregates not counted).
    """
    # One writer per indicator at a time: every write rebuilds the same sums (Italy contains every comune),
    # so two overlapping uploads would otherwise both insert them.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    rows = _prepared(
        indicator=indicator,
        frame=frame,
        origin=Observation.Origin.REPORTED,
        source=source or indicator.source,
        batch=batch,
    )
    existing = Observation.objects.filter(indicator=indicator)
    if replace_all:
        existing.delete()
    else:
        for (period,), cells in rows.group_by("period"):
            ids = cells["territory_id"].to_list()
            for start in range(0, len(ids), _DELETE_CHUNK):
                existing.filter(period=period, territory_id__in=ids[start : start + _DELETE_CHUNK]).delete()
    written = _write(rows)
    aggregates_rebuild(indicator=indicator, periods=sorted(set(rows["period"].to_list())))
    return written


def aggregates_rebuild(*, indicator: Indicator, periods: list[int]) -> int:
    """Sum the comuni's reported observations into every ambito, provincia, regione and Italy."""
    stale = Observation.objects.filter(
        indicator=indicator, period__in=periods, origin=Observation.Origin.AGGREGATED
    )
    stale.delete()
    if not periods:
        return 0
    observation = Observation._meta.db_table
    territory = Territory._meta.db_table
    marks = ", ".join(["%s"] * len(periods))
    reported = query_frame(
        f"SELECT o.territory_id, o.period, o.numerator, o.denominator, t.kind FROM {observation} o "  # noqa: S608
        f"JOIN {territory} t ON t.id = o.territory_id "
        f"WHERE o.indicator_id = %s AND o.origin = %s AND o.period IN ({marks})",
        [indicator.pk, Observation.Origin.REPORTED.value, *periods],
        {
            "territory": pl.Int64,
            "period": pl.Int16,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "kind": pl.String,
        },
    )
    comuni = reported.filter(pl.col("kind") == Territory.Kind.COMUNE.value)
    if comuni.is_empty():
        return 0
    sums = sum_up(
        comuni, comune_membership_frame(), statistic=indicator.statistic, multiplier=indicator.multiplier
    ).join(reported.select("territory", "period"), on=["territory", "period"], how="anti")
    rows = _prepared(
        indicator=indicator,
        frame=sums.rename({"territory": "territory_id"}),
        origin=Observation.Origin.AGGREGATED,
        source=indicator.source,
        batch=None,
    )
    return _write(rows)


@transaction.atomic
def observations_withdraw(*, indicator: Indicator, territory_ids: list[int], period: int) -> int:
    """Delete reported values (a parent then shows the sum of its comuni again); return how many."""
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    deleted, _ = Observation.objects.filter(
        indicator=indicator, period=period, territory_id__in=territory_ids, origin=Observation.Origin.REPORTED
    ).delete()
    aggregates_rebuild(indicator=indicator, periods=[period])
    return deleted


def observations_analyze() -> None:
    analyze_table(table=Observation._meta.db_table)


def aggregates_rebuild_all() -> int:
    """Rebuild the sums of every indicator in every period: after the ambiti change, say."""
    written = 0
    periods_of: dict[int, list[int]] = {}
    for indicator_id, period in (
        Observation.objects.filter(origin=Observation.Origin.REPORTED, territory__kind=Territory.Kind.COMUNE)
        .values_list("indicator_id", "period")
        .distinct()
    ):
        periods_of.setdefault(indicator_id, []).append(period)
    for indicator in Indicator.objects.filter(pk__in=periods_of):
        with transaction.atomic():
            Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
            written += aggregates_rebuild(indicator=indicator, periods=sorted(periods_of[indicator.pk]))
    observations_analyze()
    return written
