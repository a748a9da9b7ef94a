"""Population tables: from wide files to long rows, and sums up the territorial hierarchy."""

from __future__ import annotations

import polars as pl

AGES = range(101)  # 100 means "100 and over"
LONG_SCHEMA = {"code": pl.String, "year": pl.Int16, "age": pl.Int16, "males": pl.Int64, "females": pl.Int64}


def population_wide_to_long(wide: pl.DataFrame) -> pl.DataFrame:
    """Turn rows (codice_comune, anno, sesso M/F, a0..a100) into (code, year, age, males, females).

    Raises ValueError naming the first row whose counts are not whole non-negative numbers, or when
    a (code, year, sex) appears twice.
    """
    age_columns = [f"a{age}" for age in AGES]
    missing = [c for c in ["codice_comune", "anno", "sesso", *age_columns] if c not in wide.columns]
    if missing:
        raise ValueError(f"Population file lacks the columns {', '.join(missing)}.")
    duplicated = wide.filter(pl.struct("codice_comune", "anno", "sesso").is_duplicated())
    if duplicated.height:
        first = duplicated.row(0, named=True)
        raise ValueError(
            f"Population file repeats comune {first['codice_comune']}, year {first['anno']}, sex {first['sesso']}."
        )
    bad_sex = wide.filter(~pl.col("sesso").is_in(["M", "F"]))
    if bad_sex.height:
        raise ValueError(f"Population file has sex {bad_sex['sesso'][0]!r}; expected M or F.")
    one_sex = wide.group_by("codice_comune", "anno").agg(pl.col("sesso").n_unique().alias("sexes"))
    one_sex = one_sex.filter(pl.col("sexes") < 2)
    if one_sex.height:
        first = one_sex.sort("codice_comune", "anno").row(0, named=True)
        raise ValueError(
            f"Population file has only one sex for comune {first['codice_comune']}, year {first['anno']}: "
            "the other would be unknown, not zero."
        )
    long = wide.unpivot(index=["codice_comune", "anno", "sesso"], on=age_columns, variable_name="age_column")
    long = long.with_columns(
        pl.col("value").cast(pl.Int64, strict=False).alias("count"),
        pl.col("age_column").str.slice(1).cast(pl.Int16).alias("age"),
    )
    invalid = long.filter(pl.col("count").is_null() | (pl.col("count") < 0))
    if invalid.height:
        first = invalid.row(0, named=True)
        raise ValueError(
            f"Population of comune {first['codice_comune']}, year {first['anno']}, sex {first['sesso']}, "
            f"column {first['age_column']} is {first['value']!r}, not a whole number ≥ 0."
        )
    return (
        long.pivot(on="sesso", index=["codice_comune", "anno", "age"], values="count")
        .select(
            pl.col("codice_comune").alias("code"),
            pl.col("anno").cast(pl.Int16).alias("year"),
            pl.col("age"),
            pl.col("M").alias("males"),
            pl.col("F").alias("females"),
        )
        .sort("code", "year", "age")
    )


def population_sum_up(population: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    """Sum comune rows into their parents.

    `population` has (code, year, age, males, females) per comune; `membership` maps `code` to `parent`
    (one row per comune and parent: the same comune appears once for its provincia, once for its regione…).
    Returns (parent, year, age, males, females) with every age 0..100 of every year present, so a
    parent never lacks an age row. Comuni without a parent in `membership` are not counted.
    """
    summed = (
        population.join(membership.select("code", "parent"), on="code", how="inner")
        .group_by("parent", "year", "age")
        .agg(pl.col("males").sum(), pl.col("females").sum())
    )
    if summed.is_empty():
        return summed
    grid = (
        summed.select("parent", "year")
        .unique()
        .join(pl.DataFrame({"age": list(AGES)}, schema={"age": pl.Int16}), how="cross")
    )
    return (
        grid.join(summed, on=["parent", "year", "age"], how="left")
        .with_columns(pl.col("males").fill_null(0), pl.col("females").fill_null(0))
        .sort("parent", "year", "age")
    )
