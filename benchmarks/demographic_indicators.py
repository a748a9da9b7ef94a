"""Time the demographic indicators of every territory of Italy, both years, from the raw population table.

    .venv/bin/python benchmarks/demographic_indicators.py

Prints the seconds to read the bundled table, to sum it up the hierarchy (comune → provincia → regione →
Italy) and to compute every indicator, and the peak memory of the process. No database is involved.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from welfarelab.analytics.demography import demographic_indicators  # noqa: E402
from welfarelab.analytics.population import population_sum_up, population_wide_to_long  # noqa: E402

DATA = ROOT / "data" / "istat"


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

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    territories = everything["territory"].n_unique()
    print(f"input rows (comuni × age × year): {long.height:,}; territories: {territories:,}")
    print(f"read the bundled CSV            {read:6.2f} s")
    print(f"wide → long                     {reshaped:6.2f} s")
    print(f"sum up the hierarchy            {summed:6.2f} s")
    print(
        f"compute {indicators['indicator'].n_unique()} indicators ({indicators.height:,} rows) {computed:6.2f} s"
    )
    print(f"compute / read                  {computed / read:6.2f}×")
    print(f"peak memory                     {peak_mib:6.0f} MiB")


if __name__ == "__main__":
    main()
