"""Time the peer groups of every comune of Italy, and print the peers of Milano, Bologna and Morterone.

    .venv/bin/python benchmarks/peer_groups.py

Reads the development database (`make data` first; DATABASE_URL chooses another): the counts come from
the built-in indicators as `welfarelab compute-peers` reads them (`benchmarking.peers.structural_counts`),
the variables from `welfarelab.analytics.peers.structural_variables`; then `peer_groups` runs with k = 15 on the k-d tree
path (every comune with every variable is searched exactly by scipy's cKDTree), on the chunked NumPy
path (`method="brute"`, every pair), and on a frame with 10% of the incomes blanked, where the
k-d tree serves the complete comuni and NumPy every pair that involves a missing value. Also the
107 province sums (a stand-in for the ~600 ambiti, whose membership the coordinator imports) with the
ambito variables. Each time is the best of three runs; peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")
django.setup()

from welfarelab.analytics.peers import (  # noqa: E402
    AMBITO_VARIABLES,
    DEFAULT_VARIABLES,
    peer_groups,
    structural_variables,
)
from welfarelab.benchmarking.peers import structural_counts  # noqa: E402
from welfarelab.territories.models import Territory  # noqa: E402

SHOWN = {"015146": "Milano", "037006": "Bologna", "097055": "Morterone (LC), 32 residents"}


def comuni_counts() -> pl.DataFrame:
    """Counts and classes of every comune, read from the database as the platform reads them."""
    counts, _ = structural_counts()
    names = dict(Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list("code", "name"))
    provinces = dict(
        Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list("code", "provincia__code")
    )
    return counts.drop("pk", "ambito").with_columns(
        comune=pl.col("territory").replace_strict(names, default=None),
        codice_provincia=pl.col("territory").replace_strict(provinces, default=None),
    )


def best_of_three(work: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(3):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def show(result: pl.DataFrame, names: dict[str, str], territory: str, title: str) -> None:
    rows = result.filter(pl.col("territory") == territory)
    contributions = [column for column in rows.columns if column.startswith("contribution_")]
    print(f"\n{title} ({territory}): {rows.height} peers")
    print(f"{'':>3} {'peer':<26} {'dist':>6} {'sim':>5}  {'closest on':<46} {'differs most on (share)'}")
    for row in rows.iter_rows(named=True):
        shares = {column.removeprefix("contribution_"): row[column] for column in contributions}
        differs = row["differs_most_on"]
        share = f" ({shares[differs]:.0%})" if differs else ""
        print(
            f"{row['rank']:>3} {names[row['peer']][:26]:<26} {row['distance']:6.3f} {row['similarity']:5.1f}  "
            f"{', '.join(row['closest_on']):<46} {differs}{share}"
        )


def main() -> None:
    build, (counts, italy) = best_of_three(lambda: (c := comuni_counts(), structural_variables(c)))
    names = dict(zip(counts["territory"], counts["comune"], strict=True))
    print(f"comuni: {italy.height:,}; variables: {', '.join(v.name for v in DEFAULT_VARIABLES)}")
    missing = italy.select(pl.sum_horizontal(pl.all().is_null()) > 0).to_series().sum()
    print(f"comuni with a missing variable: {missing}")
    print(f"read counts from the database, build vars{build:6.2f} s")

    kd_tree, result = best_of_three(lambda: peer_groups(italy, k=15))
    print(
        f"all comuni, k = 15, k-d tree path        {kd_tree:6.2f} s  ({result.height:,} rows)  peak {peak_mib():.0f} MiB"
    )
    brute, brute_result = best_of_three(lambda: peer_groups(italy, k=15, method="brute"))
    same = brute_result.equals(result)
    print(
        f"all comuni, k = 15, chunked NumPy path   {brute:6.2f} s  (same peers: {same})  peak {peak_mib():.0f} MiB"
    )

    rng = np.random.default_rng(2023)
    blanked = italy.with_columns(
        pl.when(pl.Series(rng.random(italy.height) < 0.10))
        .then(None)
        .otherwise(pl.col("mean_taxable_income"))
        .alias("mean_taxable_income")
    )
    mixed, mixed_result = best_of_three(lambda: peer_groups(blanked, k=15))
    partial = blanked.select(pl.col("mean_taxable_income").is_null().sum()).item()
    print(
        f"10% of incomes blanked ({partial} comuni), auto {mixed:6.2f} s  "
        f"({mixed_result.filter(pl.col('variables_used') < 8).height:,} pairs on 7 variables)"
    )
    within, _ = best_of_three(
        lambda: peer_groups(
            counts.select("territory", "codice_provincia").join(italy, on="territory"),
            k=15,
            within="codice_provincia",
        )
    )
    print(f"all comuni, k = 15, within the provincia {within:6.2f} s")

    membership = counts.select("territory", pl.col("codice_provincia").alias("parent"))
    sums, provinces = best_of_three(lambda: structural_variables(counts, membership=membership))
    province_peers, _ = best_of_three(lambda: peer_groups(provinces, variables=AMBITO_VARIABLES, k=15))
    print(f"{provinces.height} province sums: variables {sums:6.2f} s, peers {province_peers:6.2f} s")
    print(f"peak memory                              {peak_mib():6.0f} MiB")

    for territory, title in SHOWN.items():
        show(result, names, territory, title)


if __name__ == "__main__":
    main()
