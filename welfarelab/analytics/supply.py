"""Supply indicators from service declarations: what each comune has, and its counts for an indicator.

A declaration is one service run by a comune or an ambito in a year. Its figures become *contributions*
— (territory, level, measure, amount) — and the contributions of each comune become its *amounts*:

- a comune's own declarations count in full;
- a service an ambito declares serves all of its comuni, so its amount is shared among them in
  proportion to each comune's population of reference (the indicator's denominator: children aged 0–2
  for nursery places, people aged 65+ for home care, all residents otherwise). Every comune of the
  ambito then gets the same addition to its ratio, and the ambito's sum of comuni is exactly its own
  declarations plus its comuni's: sums up the hierarchy count each service once.

An unknown figure (null) contributes nothing, and a comune with no known contribution to a measure
has no amount for it: unknown, never 0. Spending is also split equally among the need domains the
declaration names (measure `spending:<domain>`), so that the domains add up to the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from welfarelab.analytics._validation import check_columns

# Measures a declaration feeds.
NURSERY_PLACES = "nursery_places"
HOME_CARE_USERS_65 = "home_care_users_65"
SOCIAL_WORKERS_PERMANENT_FTE = "social_workers_permanent_fte"
SPENDING = "spending"
SPENDING_DOMAIN_PREFIX = "spending:"

# Populations of reference (columns of the comuni frame).
RESIDENTS = "residents"
AGED_0_2 = "aged_0_2"
AGED_65_PLUS = "aged_65_plus"
BASES = (RESIDENTS, AGED_0_2, AGED_65_PLUS)

LEVEL_COMUNE = "comune"
LEVEL_AMBITO = "ambito"


@dataclass(frozen=True)
class SupplyRatio:
    """An indicator made of one measure and one population: measure / base, or base / measure if inverted."""

    code: str
    measure: str
    base: str
    inverted: bool = False


def apportioning_base(measure: str) -> str:
    """The population an ambito's amount of `measure` is shared by among its comuni."""
    if measure == NURSERY_PLACES:
        return AGED_0_2
    if measure == HOME_CARE_USERS_65:
        return AGED_65_PLUS
    return RESIDENTS


def _apportioning_base(measure: pl.Expr) -> pl.Expr:
    return (
        pl.when(measure == NURSERY_PLACES)
        .then(pl.lit(AGED_0_2))
        .when(measure == HOME_CARE_USERS_65)
        .then(pl.lit(AGED_65_PLUS))
        .otherwise(pl.lit(RESIDENTS))
    )


def declaration_contributions(declarations: pl.DataFrame) -> pl.DataFrame:
    """Turn declarations into (territory, level, measure, amount) rows, one per known figure.

    `declarations` has territory, level ("comune" or "ambito"), counts_as (list of str: "nursery_places",
    "home_care"), places, users_aged_65_plus, social_workers_permanent_fte, spending (floats, null when
    unknown) and domains (list of need-domain codes, at least one when spending is known).
    """
    check_columns(
        declarations,
        "territory",
        "level",
        "counts_as",
        "places",
        "users_aged_65_plus",
        "social_workers_permanent_fte",
        "spending",
        "domains",
    )
    keys = ("territory", "level")
    counts = pl.col("counts_as")
    parts = [
        declarations.filter(counts.list.contains("nursery_places")).select(
            *keys, measure=pl.lit(NURSERY_PLACES), amount=pl.col("places").cast(pl.Float64)
        ),
        declarations.filter(counts.list.contains("home_care")).select(
            *keys, measure=pl.lit(HOME_CARE_USERS_65), amount=pl.col("users_aged_65_plus").cast(pl.Float64)
        ),
        declarations.select(
            *keys,
            measure=pl.lit(SOCIAL_WORKERS_PERMANENT_FTE),
            amount=pl.col("social_workers_permanent_fte").cast(pl.Float64),
        ),
        declarations.select(*keys, measure=pl.lit(SPENDING), amount=pl.col("spending").cast(pl.Float64)),
        declarations.filter(pl.col("spending").is_not_null() & (pl.col("domains").list.len() > 0))
        .with_columns(
            share=pl.col("spending").cast(pl.Float64) / pl.col("domains").list.len(), domain=pl.col("domains")
        )
        .explode("domain")
        .select(*keys, measure=pl.lit(SPENDING_DOMAIN_PREFIX) + pl.col("domain"), amount="share"),
    ]
    schema = {"territory": pl.Int64, "level": pl.String, "measure": pl.String, "amount": pl.Float64}
    return pl.concat([part.cast(schema) for part in parts]).filter(pl.col("amount").is_not_null())  # type: ignore[arg-type]


def comune_amounts(contributions: pl.DataFrame, comuni: pl.DataFrame) -> pl.DataFrame:
    """Each comune's amount of each measure: its own contributions plus its share of its ambito's.

    `contributions` is `declaration_contributions` output; `comuni` has comune, ambito (null when none)
    and the populations of reference (residents, aged_0_2, aged_65_plus; null when unknown). An ambito's
    amount is shared among its comuni whose population of reference is known and above 0; an ambito
    with no such comune shares nothing. Returns (comune, measure, amount, shared) where `shared` is the
    part that came from the ambito.
    """
    check_columns(contributions, "territory", "level", "measure", "amount")
    check_columns(comuni, "comune", "ambito", *BASES)
    own = (
        contributions.filter(pl.col("level") == LEVEL_COMUNE)
        .group_by("territory", "measure")
        .agg(own=pl.col("amount").sum())
        .rename({"territory": "comune"})
    )
    by_ambito = (
        contributions.filter(pl.col("level") == LEVEL_AMBITO)
        .group_by("territory", "measure")
        .agg(pl.col("amount").sum())
        .rename({"territory": "ambito"})
        .with_columns(base=_apportioning_base(pl.col("measure")))
    )
    weights = comuni.unpivot(
        on=list(BASES), index=["comune", "ambito"], variable_name="base", value_name="weight"
    )
    weights = weights.filter(pl.col("ambito").is_not_null() & (pl.col("weight") > 0))
    shares = (
        by_ambito.join(weights, on=["ambito", "base"], how="inner")
        .with_columns(
            shared=pl.col("amount")
            * pl.col("weight").cast(pl.Float64)
            / pl.col("weight").sum().over("ambito", "measure")
        )
        .select("comune", "measure", "shared")
    )
    return (
        own.join(shares, on=["comune", "measure"], how="full", coalesce=True)
        .with_columns(
            amount=pl.col("own").fill_null(0.0) + pl.col("shared").fill_null(0.0),
            shared=pl.col("shared").fill_null(0.0),
        )
        .select("comune", "measure", "amount", "shared")
        .sort("comune", "measure")
    )


def supply_counts(amounts: pl.DataFrame, comuni: pl.DataFrame, ratios: Sequence[SupplyRatio]) -> pl.DataFrame:
    """Numerator and denominator of every ratio for every comune with an amount of its measure.

    Returns (indicator, comune, numerator, denominator): measure over population, or population over
    measure for an inverted ratio (residents per social worker). The population is null when unknown.
    """
    check_columns(amounts, "comune", "measure", "amount")
    parts = []
    for ratio in ratios:
        rows = amounts.filter(pl.col("measure") == ratio.measure).join(
            comuni.select("comune", population=pl.col(ratio.base).cast(pl.Float64)), on="comune", how="left"
        )
        measure, population = pl.col("amount").cast(pl.Float64), pl.col("population")
        parts.append(
            rows.select(
                indicator=pl.lit(ratio.code),
                comune="comune",
                numerator=population if ratio.inverted else measure,
                denominator=measure if ratio.inverted else population,
            )
        )
    schema: Mapping[str, type[pl.DataType]] = {
        "indicator": pl.String,
        "comune": pl.Int64,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
    }
    if not parts:
        return pl.DataFrame(schema=dict(schema))
    return pl.concat([part.cast(dict(schema)) for part in parts]).sort("indicator", "comune")  # type: ignore[arg-type]
