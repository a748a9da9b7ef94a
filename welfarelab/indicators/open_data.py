"""The built-in indicators, computed from the bundled open data for every territory of Italy.

`open_data_indicators_compute` loads the catalogue, then replaces the observations of every built-in
indicator: demographic ones from the stored population by single age (every territory, from its own
population: Italy's figures are ISTAT's totals to the last resident), the Third Sector density from the
organisations directory, and — comuni only, summed upwards — the IRPEF income indicators.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import transaction
from django.db.models import Count

from welfarelab.analytics.demography import demographic_indicators
from welfarelab.analytics.income import (
    POPULATION_YEAR,
    irpef_code_map,
    irpef_indicators,
    organisations_per_population,
)
from welfarelab.indicators.catalogue import catalogue_load
from welfarelab.indicators.frames import population_frame, population_totals_frame, territory_frame
from welfarelab.indicators.models import ImportBatch, Indicator
from welfarelab.indicators.services import observations_analyze, observations_store
from welfarelab.organisations.loaders import FIVE_PER_MILLE_FILE
from welfarelab.organisations.models import Organisation
from welfarelab.territories.loaders import (
    POPULATION_FILE,
    LoadResult,
    dataset_load_record,
    dataset_loaded,
    read_csv,
)
from welfarelab.territories.models import DataQualityIssue, Territory

POPULATION_SOURCE = "ISTAT, popolazione residente al 1° gennaio 2022 e 2023 (bundled data/istat)"
INDICATORS_DATASET = "indicators"
IRPEF_FILE = "mef/irpef_comuni_2021.csv"
IRPEF_DATASET = "mef_irpef_2021"
IRPEF_SOURCE = "MEF – Dipartimento delle Finanze, IRPEF su base comunale, anno d'imposta 2021"
ETS_SOURCE = "Agenzia delle Entrate, beneficiari del 5 per mille 2022 (ETS e ONLUS), elaborazione onData"
ETS_PERIOD = 2022  # the financial year of the 5x1000 list
CHANGE_FROM, CHANGE_TO = 2022, 2023


@dataclass(frozen=True)
class ComputeResult:
    source: str
    indicators: int
    rows: int
    seconds: float


def _store_all(*, computed: pl.DataFrame, source: str) -> tuple[int, int]:
    """Store a frame of (territory_id, year, indicator, numerator, denominator, value), indicator by indicator."""
    batch = ImportBatch.objects.create(origin=ImportBatch.Origin.OPEN_DATA, source=source)
    indicators = Indicator.objects.in_bulk(computed["indicator"].unique().to_list(), field_name="code")
    rows = 0
    for (code,), part in computed.group_by("indicator", maintain_order=True):
        rows += observations_store(
            indicator=indicators[str(code)],
            frame=part.select(
                "territory_id", pl.col("year").alias("period"), "numerator", "denominator", "value"
            ),
            batch=batch,
            source=source,
            replace_all=True,
        )
    batch.rows = rows
    batch.save(update_fields=["rows"])
    ImportBatch.objects.filter(origin=ImportBatch.Origin.OPEN_DATA, source=source).exclude(
        pk=batch.pk
    ).delete()
    return len(indicators), rows


@transaction.atomic
def demographic_indicators_store(*, computed: pl.DataFrame) -> tuple[int, int]:
    """Store `demographic_indicators` output whose `territory` column holds territory ids."""
    return _store_all(
        computed=computed.with_columns(pl.col("territory").cast(pl.Int64).alias("territory_id")),
        source=POPULATION_SOURCE,
    )


def demographic_indicators_compute() -> ComputeResult:
    started = time.perf_counter()
    computed = demographic_indicators(population_frame(), change_from=CHANGE_FROM, change_to=CHANGE_TO)
    indicators, rows = demographic_indicators_store(computed=computed)
    return ComputeResult(POPULATION_SOURCE, indicators, rows, round(time.perf_counter() - started, 2))


def _comuni_codes(computed: pl.DataFrame) -> pl.DataFrame:
    """`computed` with comune codes in `territory` turned into `territory_id`."""
    comuni = territory_frame().filter(pl.col("kind") == Territory.Kind.COMUNE.value)
    return computed.join(
        comuni.select("code", "territory_id"), left_on="territory", right_on="code", how="inner"
    )


@transaction.atomic
def income_indicators_compute(*, data_dir: Path) -> ComputeResult:
    """IRPEF 2021 indicators for every comune, summed up; codes that fit no comune become data-quality issues."""
    started = time.perf_counter()
    irpef = read_csv(data_dir / IRPEF_FILE)
    comuni = pl.DataFrame(
        list(Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list("code", "cadastral_code")),
        schema={"codice_comune": pl.String, "codice_catastale": pl.String},
        orient="row",
    )
    code_map, unplaced = irpef_code_map(irpef, comuni)
    population = population_totals_frame(year=POPULATION_YEAR).with_columns(year=pl.lit(POPULATION_YEAR))
    computed = _comuni_codes(irpef_indicators(irpef, population, code_map=code_map))
    DataQualityIssue.objects.filter(dataset=IRPEF_DATASET).delete()
    names = dict(irpef.select("codice_comune", "comune").iter_rows())
    taxpayers = dict(irpef.select("codice_comune", "numero_contribuenti").iter_rows())
    DataQualityIssue.objects.bulk_create(
        DataQualityIssue(
            dataset=IRPEF_DATASET,
            category=DataQualityIssue.Category.CODE_NOT_IN_LIST,
            code=code,
            name=names.get(code) or "",
            resolution=f"{taxpayers.get(code)} taxpayers of a code that is in no comune of the 2023 list "
            "(merged in 2023, or no comune given): counted in no comune and in no sum of comuni.",
        )
        for code in unplaced
    )
    indicators, rows = _store_all(computed=computed, source=IRPEF_SOURCE)
    return ComputeResult(IRPEF_SOURCE, indicators, rows, round(time.perf_counter() - started, 2))


@transaction.atomic
def third_sector_indicators_compute() -> ComputeResult:
    """Third Sector Entities of the 5x1000 list per 10,000 residents of their comune (1 January 2023)."""
    started = time.perf_counter()
    counts = pl.DataFrame(
        list(
            Organisation.objects.filter(
                kind=Organisation.Kind.ETS,
                source=Organisation.Source.FIVE_PER_MILLE,
                territory__kind=Territory.Kind.COMUNE,
            )
            .values("territory__code")
            .annotate(count=Count("id"))
            .values_list("territory__code", "count")
        ),
        schema={"territory": pl.String, "count": pl.Int64},
        orient="row",
    )
    population = population_totals_frame(year=ETS_PERIOD + 1)
    comuni = territory_frame().filter(pl.col("kind") == Territory.Kind.COMUNE.value)
    # Every comune of the list is in the frame: with no organisation it is a real 0, with no population unknown.
    population = comuni.select(pl.col("code").alias("territory")).join(population, on="territory", how="left")
    computed = _comuni_codes(organisations_per_population(counts, population, year=ETS_PERIOD))
    indicators, rows = _store_all(computed=computed, source=ETS_SOURCE)
    return ComputeResult(ETS_SOURCE, indicators, rows, round(time.perf_counter() - started, 2))


def open_data_indicators_compute(*, data_dir: Path) -> list[ComputeResult]:
    """Load the catalogue and compute every built-in indicator (about 20 s on SQLite for all of Italy)."""
    catalogue_load()
    results = [
        demographic_indicators_compute(),
        income_indicators_compute(data_dir=data_dir),
        third_sector_indicators_compute(),
    ]
    observations_analyze()
    return results


def open_data_indicators_load(*, data_dir: Path, force: bool = False) -> LoadResult:
    """The step of `load-open-data`: skipped when already done, unless `force` or an input was reloaded."""
    if not force and (done := dataset_loaded(INDICATORS_DATASET)):
        return LoadResult(dataset=INDICATORS_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    started = time.perf_counter()
    results = open_data_indicators_compute(data_dir=data_dir)
    return dataset_load_record(
        INDICATORS_DATASET,
        rows=sum(r.rows for r in results),
        started=started,
        files=[POPULATION_FILE, IRPEF_FILE, FIVE_PER_MILLE_FILE],
    )
