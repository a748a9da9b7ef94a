"""Demographic indicators from population by single year of age, for every territory at once.

Formulas after ISTAT (shared/domain/PRIMER.md §8). Every indicator keeps its numerator and denominator,
so it can be summed up the territorial hierarchy and given a confidence interval; `value` is
numerator / denominator × multiplier (or the numerator itself for counts).

Input: a long frame with columns `territory`, `year`, `age` (0..100, 100 = 100 and over), `males`,
`females` — any integer or string territory key. Output: one row per territory × year × indicator.
"""

from __future__ import annotations

import polars as pl

# Ages of the open last class are counted at their midpoint as if it were one year wide (100 → 100.5);
# ISTAT computes the mean age the same way from completed years.
MEAN_AGE_MIDPOINT = 0.5

OUTPUT_SCHEMA = {
    "territory": pl.String,
    "year": pl.Int16,
    "indicator": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "multiplier": pl.Float64,
    "value": pl.Float64,
}


def _between(low: int, high: int | None) -> pl.Expr:
    people = pl.col("males") + pl.col("females")
    in_band = pl.col("age") >= low if high is None else pl.col("age").is_between(low, high)
    return pl.when(in_band).then(people).otherwise(0).sum()


# code → (numerator band, denominator band or "total", multiplier); bands are (low, high|None).
_RATIOS: dict[
    str, tuple[tuple[tuple[int, int | None], ...], tuple[tuple[int, int | None], ...] | None, float]
] = {
    "share_0_2": (((0, 2),), None, 100.0),
    "share_0_14": (((0, 14),), None, 100.0),
    "share_15_64": (((15, 64),), None, 100.0),
    "share_65_plus": (((65, None),), None, 100.0),
    "share_75_plus": (((75, None),), None, 100.0),
    "share_85_plus": (((85, None),), None, 100.0),
    "old_age_index": (((65, None),), ((0, 14),), 100.0),
    "dependency_ratio": (((0, 14), (65, None)), ((15, 64),), 100.0),
    "elderly_dependency_ratio": (((65, None),), ((15, 64),), 100.0),
    "youth_dependency_ratio": (((0, 14),), ((15, 64),), 100.0),
}

INDICATOR_CODES: tuple[str, ...] = ("pop_total", "children_0_2", "mean_age", "pop_change_pct", *_RATIOS)


def demographic_indicators(population: pl.DataFrame, *, change_from: int, change_to: int) -> pl.DataFrame:
    """Every demographic indicator for every territory and year of `population`.

    `pop_change_pct` is given for `change_to` only, against `change_from`; a territory missing either
    year gets no change row (unknown, not zero). Ratios whose denominator is 0 get a null value.
    """
    missing = {"territory", "year", "age", "males", "females"} - set(population.columns)
    if missing:
        raise ValueError(f"Population frame lacks the columns {', '.join(sorted(missing))}.")
    frame = population.with_columns(pl.col("territory").cast(pl.String), pl.col("year").cast(pl.Int16))
    people = pl.col("males") + pl.col("females")
    band_columns = {
        f"b_{low}_{high}": _between(low, high)
        for numerators, denominators, _ in _RATIOS.values()
        for low, high in (*numerators, *(denominators or ()))
    }
    sums = frame.group_by("territory", "year").agg(
        total=people.sum(),
        age_sum=((pl.col("age") + MEAN_AGE_MIDPOINT) * people).sum(),
        **band_columns,
    )

    def band_sum(bands: tuple[tuple[int, int | None], ...]) -> pl.Expr:
        return pl.sum_horizontal(pl.col(f"b_{low}_{high}") for low, high in bands)

    parts = [
        _rows(sums, "pop_total", pl.col("total"), None, 1.0),
        _rows(sums, "children_0_2", pl.col("b_0_2"), None, 1.0),
        _rows(sums, "mean_age", pl.col("age_sum"), pl.col("total"), 1.0),
    ]
    for code, (numerators, denominators, multiplier) in _RATIOS.items():
        denominator = pl.col("total") if denominators is None else band_sum(denominators)
        parts.append(_rows(sums, code, band_sum(numerators), denominator, multiplier))

    before = sums.filter(pl.col("year") == change_from).select("territory", pl.col("total").alias("before"))
    after = sums.filter(pl.col("year") == change_to).select(
        "territory", "year", pl.col("total").alias("after")
    )
    change = after.join(before, on="territory", how="inner")
    parts.append(_rows(change, "pop_change_pct", pl.col("after") - pl.col("before"), pl.col("before"), 100.0))
    return pl.concat(parts).sort("territory", "year", "indicator")


def _rows(
    frame: pl.DataFrame, code: str, numerator: pl.Expr, denominator: pl.Expr | None, multiplier: float
) -> pl.DataFrame:
    numerator = numerator.cast(pl.Float64)
    if denominator is None:
        value = numerator * multiplier
        denominator_column = pl.lit(None, dtype=pl.Float64)
    else:
        denominator = denominator.cast(pl.Float64)
        value = pl.when(denominator > 0).then(numerator / denominator * multiplier).otherwise(None)
        denominator_column = denominator
    return frame.select(
        pl.col("territory"),
        pl.col("year"),
        pl.lit(code).alias("indicator"),
        numerator.alias("numerator"),
        denominator_column.alias("denominator"),
        pl.lit(multiplier, dtype=pl.Float64).alias("multiplier"),
        value.alias("value"),
    ).cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]
