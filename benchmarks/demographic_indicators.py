"""Time the demographic indicators of every territory of Italy, both years, from the raw population table.

    .venv/bin/python benchmarks/demographic_indicators.py                  # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/demographic_indicators.py

Part 1, no database: the seconds to read the bundled table, to sum it up the hierarchy (comune →
provincia → regione → Italy) and to compute every indicator. Part 2, the platform's own path on a fresh
database: load territories and population, read the stored population back, compute, and store the
observations with their intervals — and the whole load-compute-store. Then the peak memory.
On PostgreSQL the named database is dropped and created again: never point it at real data.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from welfarelab.analytics.demography import demographic_indicators  # noqa: E402
from welfarelab.analytics.population import population_sum_up, population_wide_to_long  # noqa: E402

DATA = ROOT / "data" / "istat"
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")


def database_path() -> None:
    """Load, read back, compute and store through the platform's services, on a fresh database."""
    from load_open_data import _recreate_postgres_database  # the sibling benchmark

    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from welfarelab.indicators.catalogue import catalogue_load
    from welfarelab.indicators.frames import population_frame
    from welfarelab.indicators.models import Observation
    from welfarelab.indicators.open_data import demographic_indicators_store
    from welfarelab.territories.loaders import population_load, territories_load

    call_command("migrate", verbosity=0)
    catalogue_load()
    data_dir = settings.WELFARELAB_DATA_DIR
    started = time.perf_counter()
    territories_load(data_dir=data_dir)
    population_load(data_dir=data_dir)
    loaded = time.perf_counter() - started

    started = time.perf_counter()
    population = population_frame()
    read = time.perf_counter() - started

    started = time.perf_counter()
    indicators = demographic_indicators(population, change_from=2022, change_to=2023)
    computed = time.perf_counter() - started

    started = time.perf_counter()
    demographic_indicators_store(computed=indicators)
    stored = time.perf_counter() - started

    print(f"\ndatabase: {connection.vendor}")
    print(f"load territories and population {loaded:6.2f} s")
    print(f"read the stored population      {read:6.2f} s  ({population.height:,} rows, every territory)")
    print(
        f"compute {indicators['indicator'].n_unique()} indicators ({indicators.height:,} rows) {computed:6.2f} s"
    )
    print(f"compute / read                  {computed / read:6.2f}×")
    print(f"store with intervals and sums   {stored:6.2f} s  ({Observation.objects.count():,} observations)")
    print(f"load + compute + store          {loaded + read + computed + stored:6.2f} s")


def main() -> None:
    started = time.perf_counter()
    wide = pl.read_csv(DATA / "popolazione_eta_sesso_comuni_2022_2023.csv.gz", infer_schema=False)
    registry = pl.read_csv(DATA / "comuni_2023.csv", infer_schema=False)
    read = time.perf_counter() - started

    started = time.perf_counter()
    long = population_wide_to_long(wide)
    reshaped = time.perf_counter() - started

    started = time.perf_counter()
    membership = pl.concat(
        [
            registry.select(
                pl.col("codice_comune").alias("code"), ("P" + pl.col("codice_provincia")).alias("parent")
            ),
            registry.select(
                pl.col("codice_comune").alias("code"), ("R" + pl.col("codice_regione")).alias("parent")
            ),
            registry.select(pl.col("codice_comune").alias("code"), pl.lit("IT").alias("parent")),
        ]
    )
    parents = population_sum_up(long, membership).rename({"parent": "territory"})
    everything = pl.concat(
        [long.rename({"code": "territory"}), parents.select(long.rename({"code": "territory"}).columns)]
    )
    summed = time.perf_counter() - started

    started = time.perf_counter()
    indicators = demographic_indicators(everything, change_from=2022, change_to=2023)
    computed = time.perf_counter() - started

    territories = everything["territory"].n_unique()
    print(f"input rows (comuni × age × year): {long.height:,}; territories: {territories:,}")
    print(f"read the bundled CSV            {read:6.2f} s")
    print(f"wide → long                     {reshaped:6.2f} s")
    print(f"sum up the hierarchy            {summed:6.2f} s")
    print(
        f"compute {indicators['indicator'].n_unique()} indicators ({indicators.height:,} rows) {computed:6.2f} s"
    )
    print(f"compute / read                  {computed / read:6.2f}×")
    database_path()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory                     {peak_mib:6.0f} MiB")


if __name__ == "__main__":
    main()
