"""Database rows as Polars frames, for the vectorised computations of `welfarelab.analytics`."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from django.db import connection

from welfarelab.territories.models import PopulationByAge, Territory


def query_frame(
    sql: str, params: Sequence[str | int | float | None], schema: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Run `sql` and return its rows as a frame with `schema` (a plain cursor: no model instances)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def territory_frame() -> pl.DataFrame:
    """Every territory: (territory_id, kind, code)."""
    return pl.DataFrame(
        list(Territory.objects.values_list("id", "kind", "code")),
        schema={"territory_id": pl.Int64, "kind": pl.String, "code": pl.String},
        orient="row",
    )


def comune_membership_frame() -> pl.DataFrame:
    """One row per comune and each territory containing it: (territory, parent, members).

    `territory` and `parent` are territory ids; `members` is how many comuni the parent has, so that a
    sum over comuni can say how complete it is.
    """
    comuni = list(
        Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list(
            "id", "provincia_id", "regione_id", "ambito_id"
        )
    )
    italy = Territory.objects.filter(kind=Territory.Kind.ITALIA).values_list("id", flat=True).first()
    pairs = [
        (comune, parent) for comune, *parents in comuni for parent in (*parents, italy) if parent is not None
    ]
    frame = pl.DataFrame(pairs, schema={"territory": pl.Int64, "parent": pl.Int64}, orient="row")
    return frame.with_columns(members=pl.len().over("parent"))


def population_frame() -> pl.DataFrame:
    """Population by single age of every territory and year: (territory, year, age, males, females)."""
    table = connection.ops.quote_name(PopulationByAge._meta.db_table)
    return query_frame(
        f"SELECT territory_id, year, age, males, females FROM {table}",  # noqa: S608
        [],
        {"territory": pl.Int64, "year": pl.Int16, "age": pl.Int16, "males": pl.Int64, "females": pl.Int64},
    )


def population_totals_frame(*, year: int) -> pl.DataFrame:
    """Residents of every comune in `year`: (territory = comune code, total); comuni without rows are absent."""
    population = connection.ops.quote_name(PopulationByAge._meta.db_table)
    territory = connection.ops.quote_name(Territory._meta.db_table)
    return query_frame(
        f"SELECT t.code, SUM(p.males + p.females) FROM {population} p "  # noqa: S608
        f"JOIN {territory} t ON t.id = p.territory_id WHERE t.kind = %s AND p.year = %s GROUP BY t.code",
        [Territory.Kind.COMUNE.value, year],
        {"territory": pl.String, "total": pl.Int64},
    )
