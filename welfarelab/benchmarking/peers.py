"""Peer groups from the database: read the structural variables, run analytics.peers, store the result.

The counts come from the built-in observations (one row per comune and indicator), not from the 800,000
population rows: `share_0_14` gives residents and residents aged 0–14, `old_age_index` residents aged 65+,
`mean_taxable_income` MEF taxable income and its taxpayers; area and the three classifications are
attributes of the comune. Ambiti are sums of their comuni (`structural_variables(membership=…)`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from welfarelab.accounts.models import User
from welfarelab.analytics.peers import (
    AMBITO_VARIABLES,
    DEFAULT_K,
    DEFAULT_VARIABLES,
    PeerVariable,
    peer_groups,
    structural_variables,
    with_weights,
)
from welfarelab.benchmarking.models import Peer, PeerModel, StructuralValues
from welfarelab.core.bulk import analyze_table, bulk_insert_frame
from welfarelab.indicators.models import Observation
from welfarelab.territories.loaders import LoadResult, dataset_load_record, dataset_loaded
from welfarelab.territories.models import Territory

_COUNT_SOURCES = {
    # indicator code: (column of its numerator, column of its denominator)
    "share_0_14": ("population_0_14", "population"),
    "old_age_index": ("population_65_plus", None),
    "mean_taxable_income": ("taxable_income_eur", "taxable_income_taxpayers"),
}


def default_variables(kind: str) -> tuple[PeerVariable, ...]:
    """The variables of the peer model of comuni or of ambiti, with the default weights."""
    return AMBITO_VARIABLES if kind == PeerModel.Kind.AMBITO else DEFAULT_VARIABLES


def peer_model_get(kind: str) -> PeerModel:
    """The peer model of `kind` (created with the default weights the first time)."""
    model, _ = PeerModel.objects.get_or_create(
        kind=kind, defaults={"weights": {v.name: v.weight for v in default_variables(kind)}, "k": DEFAULT_K}
    )
    return model


def model_variables(model: PeerModel) -> tuple[PeerVariable, ...]:
    """The model's variables with its weights (names it no longer knows are ignored)."""
    variables = default_variables(model.kind)
    known = {v.name for v in variables}
    return with_weights(variables, {name: w for name, w in model.weights.items() if name in known})


def _latest_period(code: str, *, at_most: int | None = None) -> int | None:
    periods = Observation.objects.filter(indicator__code=code, territory__kind=Territory.Kind.COMUNE)
    if at_most is not None:
        periods = periods.filter(period__lte=at_most)
    return periods.aggregate(latest=Max("period"))["latest"]


def structural_counts(*, period: int | None = None) -> tuple[pl.DataFrame, int | None]:
    """Counts and classes of every comune (the input of `structural_variables`), and the period read.

    `period` is the population year (latest by default); income is the latest MEF year up to it.
    """
    period = period or _latest_period("share_0_14")
    comuni = pl.DataFrame(
        list(
            Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list(
                "pk", "code", "area_km2", "altimetric_zone", "degurba", "inner_area_class", "ambito_id"
            )
        ),
        schema={
            "pk": pl.Int64,
            "territory": pl.String,
            "area_km2": pl.Float64,
            "altimetric_zone": pl.Int64,
            "degurba": pl.Int64,
            "inner_area_class": pl.String,
            "ambito": pl.Int64,
        },
        orient="row",
    ).with_columns(
        pl.col("altimetric_zone").cast(pl.String),
        pl.col("degurba").cast(pl.String),
        pl.when(pl.col("inner_area_class") == "")
        .then(None)
        .otherwise(pl.col("inner_area_class"))
        .alias("inner_area_class"),
    )
    income_period = _latest_period("mean_taxable_income", at_most=period) if period else None
    for code, (numerator, denominator) in _COUNT_SOURCES.items():
        year = income_period if code == "mean_taxable_income" else period
        if year is None:  # nothing computed yet: every count unknown
            comuni = comuni.with_columns(
                *(pl.lit(None, dtype=pl.Float64).alias(c) for c in (numerator, denominator) if c)
            )
            continue
        rows = Observation.objects.filter(
            indicator__code=code, period=year, territory__kind=Territory.Kind.COMUNE
        ).values_list("territory_id", "numerator", "denominator")
        counts = pl.DataFrame(
            list(rows),
            schema={"pk": pl.Int64, numerator: pl.Float64, "_denominator": pl.Float64},
            orient="row",
        )
        counts = counts.rename({"_denominator": denominator}) if denominator else counts.drop("_denominator")
        comuni = comuni.join(counts, on="pk", how="left")
    return comuni, period


@dataclass(frozen=True)
class PeersComputed:
    kind: str
    territories: int
    peers: int
    seconds_read: float
    seconds_compute: float
    seconds_store: float


def peers_compute(
    *, kind: str, user: User | None = None, weights: Mapping[str, float] | None = None, k: int | None = None
) -> PeersComputed:
    """Compute and store the peers of every comune or ambito with the kind's peer model.

    `weights` and `k`, when given, change the model first (the coordinator's form); a bad weight raises
    ValueError and nothing changes. Peers are replaced in one transaction: pages never see half a set.
    """
    model = peer_model_get(kind)
    if weights is not None:
        with_weights(default_variables(kind), weights)  # ValueError on an unknown name or bad weight
        model.weights = {**model.weights, **{name: float(w) for name, w in weights.items()}}
    if k is not None:
        model.k = k
    variables = model_variables(model)
    if not any(v.weight > 0 for v in variables):
        raise ValueError("At least one variable needs a weight above 0.")

    started = time.perf_counter()
    counts, period = structural_counts()
    if kind == PeerModel.Kind.AMBITO:
        membership = counts.filter(pl.col("ambito").is_not_null()).select(
            "territory", pl.col("ambito").cast(pl.String).alias("parent")
        )
        frame = structural_variables(counts.drop("pk", "ambito"), membership=membership)
        frame = frame.with_columns(pl.col("territory").cast(pl.Int64).alias("pk"))
    else:
        frame = structural_variables(counts.drop("pk", "ambito")).join(
            counts.select("territory", "pk"), on="territory"
        )
    read = time.perf_counter() - started

    started = time.perf_counter()
    # peer_groups needs more territories than peers: fewer ambiti than k+1 get each of the others.
    effective_k = min(model.k, max(frame.height - 1, 0))
    pairs = (
        peer_groups(frame.drop("pk"), variables=variables, k=effective_k)
        if effective_k > 0
        else pl.DataFrame()
    )
    compute = time.perf_counter() - started

    started = time.perf_counter()
    stored = _store(kind, frame, pairs, variables)
    store = time.perf_counter() - started
    model.period = period
    model.computed_at = timezone.now()
    model.computed_seconds = read + compute + store
    model.updated_by = user if user is not None else model.updated_by
    model.save()
    return PeersComputed(kind, frame.height, stored, read, compute, store)


def _store(kind: str, frame: pl.DataFrame, pairs: pl.DataFrame, variables: tuple[PeerVariable, ...]) -> int:
    """Replace the kind's peers and structural values (COPY on PostgreSQL: bulk_create took 4× longer)."""
    pks = frame.select("territory", "pk")
    value_columns = [v.name for v in variables if v.name in frame.columns]
    values = frame.select(
        pl.col("pk").alias("territory_id"),
        pl.struct(value_columns)
        .struct.json_encode()
        .str.replace_all(r',?"[a-z_0-9]+":null', "")
        .str.replace(r"^\{,", "{")
        .alias("values"),
    )
    if not pairs.is_empty():
        shares = [c for c in pairs.columns if c.startswith("contribution_")]
        pairs = (
            pairs.join(pks, on="territory")
            .join(pks.rename({"territory": "peer", "pk": "peer_id"}), on="peer")
            .select(
                pl.col("pk").alias("territory_id"),
                "peer_id",
                "rank",
                "distance",
                "similarity",
                "variables_used",
                pl.col("closest_on").map_elements(
                    lambda names: json.dumps(list(names)), return_dtype=pl.String
                ),
                pl.col("differs_most_on").fill_null(""),
                pl.struct(pl.col(shares).round(4).name.map(lambda c: c.removeprefix("contribution_")))
                .struct.json_encode()
                .str.replace_all(r',?"[a-z_0-9]+":null', "")
                .str.replace(r"^\{,", "{")
                .alias("contributions"),
            )
        )
    with transaction.atomic():
        Peer.objects.filter(territory__kind=kind).delete()
        StructuralValues.objects.filter(territory__kind=kind).delete()
        bulk_insert_frame(table=StructuralValues._meta.db_table, frame=values)
        stored = bulk_insert_frame(table=Peer._meta.db_table, frame=pairs) if not pairs.is_empty() else 0
    analyze_table(table=Peer._meta.db_table)
    return stored


PEERS_DATASET = "peer groups"


def peers_load(*, force: bool = False) -> LoadResult:
    """The step of `load-open-data`: compute the peers of comuni and ambiti unless they exist already."""
    started = time.perf_counter()
    done = dataset_loaded(PEERS_DATASET)
    if not force and done is not None and Peer.objects.exists():
        return LoadResult(dataset=PEERS_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    stored = sum(peers_compute(kind=kind).peers for kind in PeerModel.Kind.values)
    return dataset_load_record(PEERS_DATASET, rows=stored, started=started, files=[])
