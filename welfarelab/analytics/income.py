"""Income indicators from the MEF IRPEF returns by comune, and Third Sector organisations per resident.

Every indicator keeps its numerator and denominator (counts, so they can be summed up the territorial
hierarchy); `value` is numerator / denominator × multiplier. Rows have `demography.OUTPUT_SCHEMA`.

**IRPEF, tax year 2021** (MEF – Dipartimento delle Finanze, returns filed in 2022, `data/mef/`):

- `taxpayers_per_100` — `numero_contribuenti` / residents at 1 January 2022 × 100;
- `mean_taxable_income` — `reddito_imponibile_eur` / `reddito_imponibile_freq`: euro per taxpayer who
  declares a taxable income;
- `low_income_taxpayers_share` — taxpayers with a total income above 0 and up to 10,000 euro /
  `numero_contribuenti` × 100. Both terms are known in every comune. The obvious alternatives are not:
  the class "≤ 0 euro" is suppressed in 1,488 comuni, and the sum of the eight classes (which also falls
  about 2.5% short of `numero_contribuenti`) is unknown wherever a top class is suppressed — 4,026 of the
  7,899 comuni, which would leave more than half of Italy, and most sums of comuni, without a value.

An empty cell is a count MEF suppressed for confidentiality: unknown, never 0. Whatever is computed from
it is unknown too (null), and so is a sum with an unknown part. In the 2021 file (7,905 rows) no cell of
`numero_contribuenti` or `reddito_imponibile_*` is empty; the class "≤ 0 euro" is empty in 1,488 rows and
at least one class is empty in 4,028 rows (mostly the top classes of small comuni: > 120,000 euro in 1,899,
75–120,000 in 1,117, 55–75,000 in 860); the class 0–10,000 euro is never empty.

**Codes.** The MEF file describes the territory of the 2022 filing: 7,904 comuni and `000000`, the taxpayers
whose comune is missing or wrong (3,302). The platform's comuni are the 7,899 of the 2023 list. Matched by
ISTAT code, all 7,899 are in the file; 6 codes of the file are not in the list:

- Moransengo (005079) and Tonengo (005110), merged in 2023 into Moransengo-Tonengo (005122), and Bardello
  (012009), Bregano (012018) and Malgesso (012095), merged in 2023 into Bardello con Malgesso e Bregano
  (012144) — 2,959 taxpayers in all. The successors are not in the 2023 list either, and their cadastral
  codes are new (M434, M433), so neither code nor cadastral code places them: as for the population
  (docs/decisions/0002), they belong to no comune of the list;
- `000000` — no comune at all.

`irpef_code_map` builds the map from the data (same ISTAT code, else the same cadastral code, which
survives a change of provincia) and returns those 6 codes as unplaced, to be reported. Comuni mapped onto
the same code have their counts summed, numerators and denominators alike, never averaged.

**Third Sector:** `organisations_per_population` turns counts of organisations by comune (an exhaustive
list: no organisation is a real 0) into organisations per 10,000 residents.
"""

from __future__ import annotations

import polars as pl

from welfarelab.analytics._validation import ROW_INDEX, check_columns, raise_on_first_row
from welfarelab.analytics.demography import OUTPUT_SCHEMA

TAX_YEAR = 2021
# Residents at 1 January of the year after the tax year: the year in which the returns were filed.
POPULATION_YEAR = TAX_YEAR + 1
MISSING_COMUNE_CODE = "000000"

LOW_INCOME_CLASS = "reddito_complessivo_da_0_a_10000_euro_freq"
INCOME_CLASSES: tuple[str, ...] = (
    "reddito_complessivo_minore_o_uguale_a_zero_euro_freq",
    LOW_INCOME_CLASS,
    "reddito_complessivo_da_10000_a_15000_euro_freq",
    "reddito_complessivo_da_15000_a_26000_euro_freq",
    "reddito_complessivo_da_26000_a_55000_euro_freq",
    "reddito_complessivo_da_55000_a_75000_euro_freq",
    "reddito_complessivo_da_75000_a_120000_euro_freq",
    "reddito_complessivo_oltre_120000_euro_freq",
)
IRPEF_COUNTS: tuple[str, ...] = (
    "numero_contribuenti",
    "reddito_imponibile_freq",
    "reddito_imponibile_eur",
    *INCOME_CLASSES,
)
IRPEF_INDICATOR_CODES: tuple[str, ...] = (
    "taxpayers_per_100",
    "mean_taxable_income",
    "low_income_taxpayers_share",
)


def irpef_code_map(irpef: pl.DataFrame, comuni: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Map the comune codes of `irpef` onto the codes of `comuni` (the 2023 list).

    Both frames have text columns `codice_comune` and `codice_catastale`. A code of `irpef` that is in
    `comuni` maps onto itself; otherwise its cadastral code is looked up among those that identify one
    comune of the list. Returns the map (`source_code`, `code`), sorted, and the sorted codes of `irpef`
    it could not place: a data-quality issue for the caller to report, since their rows are left out by
    `irpef_indicators`.
    """
    for frame, name in ((irpef, "IRPEF"), (comuni, "comuni")):
        check_columns(frame, "codice_comune", "codice_catastale")
        _check_text(frame, name, "codice_comune", "codice_catastale")
    sources = irpef.select(
        pl.col("codice_comune").alias("source_code"), pl.col("codice_catastale").alias("catastale")
    ).unique()
    listed = comuni.select(
        pl.col("codice_comune").alias("code"), pl.col("codice_catastale").alias("catastale")
    )
    by_code = sources.filter(pl.col("source_code").is_in(listed.get_column("code").implode())).select(
        "source_code", pl.col("source_code").alias("code")
    )
    unique_catastale = listed.filter(pl.col("catastale").is_not_null() & pl.col("catastale").is_unique())
    by_catastale = (
        sources.join(by_code, on="source_code", how="anti")
        .join(unique_catastale, on="catastale", how="inner")
        .select("source_code", "code")
    )
    code_map = pl.concat([by_code, by_catastale]).sort("source_code")
    placed = set(code_map.get_column("source_code").to_list())
    unplaced = sorted(set(sources.get_column("source_code").to_list()) - placed)
    return code_map, unplaced


def irpef_indicators(
    irpef: pl.DataFrame, population: pl.DataFrame, *, code_map: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The IRPEF indicators of the tax year 2021 (year 2021), one row per comune × indicator.

    `irpef` has `codice_comune` (text) and the columns of IRPEF_COUNTS, as text or numbers; an empty
    (null) cell is a suppressed count, unknown. `population` has `territory`, `year` and `total`: the
    residents at 1 January 2022 are used, keyed by the same codes as `irpef` (both describe the territory
    of 2022); a comune with no population row has an unknown denominator for `taxpayers_per_100`.

    `code_map` (`source_code`, `code`), e.g. from `irpef_code_map`, recodes the comuni: those mapped onto
    the same code are summed (an unknown part makes the sum unknown) and codes absent from the map are
    left out. Without it every code of `irpef` is kept as it is, `000000` included.

    A part is null only where it is unknown; `value` is null when either part is, or the denominator is 0.
    Raises ValueError for a missing column, a repeated code, or a count that is not a number ≥ 0.
    """
    check_columns(irpef, "codice_comune", *IRPEF_COUNTS)
    check_columns(population, "territory", "year", "total")
    _check_text(irpef, "IRPEF", "codice_comune")
    _check_unique(irpef, "IRPEF", "codice_comune")
    counts = _as_counts(
        irpef.select("codice_comune", *IRPEF_COUNTS), "IRPEF", IRPEF_COUNTS, key="codice_comune"
    )

    residents = population.filter(pl.col("year").cast(pl.Int64) == POPULATION_YEAR).select(
        pl.col("territory").cast(pl.String), "total"
    )
    if residents.is_empty():
        raise ValueError(
            f"The population frame has no rows for {POPULATION_YEAR}, the 1 January after the tax year "
            f"{TAX_YEAR}."
        )
    _check_unique(residents, f"{POPULATION_YEAR} population", "territory")
    residents = _as_counts(residents, f"{POPULATION_YEAR} population", ("total",), key="territory")

    frame = counts.join(
        residents.rename({"territory": "codice_comune", "total": "population"}),
        on="codice_comune",
        how="left",
    )
    if code_map is None:
        frame = frame.rename({"codice_comune": "code"})
    else:
        check_columns(code_map, "source_code", "code")
        _check_text(code_map, "code map", "source_code", "code")
        _check_unique(code_map, "code map", "source_code")
        frame = frame.join(
            code_map.select("source_code", "code"),
            left_on="codice_comune",
            right_on="source_code",
            how="inner",
        ).drop("codice_comune")
    summed = frame.group_by("code").agg(_sum_or_unknown(column) for column in (*IRPEF_COUNTS, "population"))

    parts = [
        _rows(
            summed, "taxpayers_per_100", pl.col("numero_contribuenti"), pl.col("population"), 100.0, TAX_YEAR
        ),
        _rows(
            summed,
            "mean_taxable_income",
            pl.col("reddito_imponibile_eur"),
            pl.col("reddito_imponibile_freq"),
            1.0,
            TAX_YEAR,
        ),
        _rows(
            summed,
            "low_income_taxpayers_share",
            pl.col(LOW_INCOME_CLASS),
            pl.col("numero_contribuenti"),
            100.0,
            TAX_YEAR,
        ),
    ]
    return pl.concat(parts).sort("territory", "indicator")


def organisations_per_population(
    counts: pl.DataFrame,
    population: pl.DataFrame,
    *,
    year: int,
    indicator: str = "ets_per_10000",
    multiplier: float = 10_000,
) -> pl.DataFrame:
    """Organisations per `multiplier` residents, one row per territory, for `year`.

    `counts` has `territory` and `count` (several rows of a territory are summed), `population` has
    `territory` and `total`, one row per territory. The counts come from an exhaustive list, so a
    territory of `population` with no row in `counts` has 0 organisations; a territory with no population
    row, or a null total, has an unknown denominator and value. Raises ValueError for a missing column,
    a repeated territory in `population`, or a count or total that is not a number ≥ 0.
    """
    check_columns(counts, "territory", "count")
    check_columns(population, "territory", "total")
    _check_text(counts, "counts", "territory")
    _check_text(population, "population", "territory")
    _check_unique(population, "population", "territory")
    counted = (
        _as_counts(counts.select("territory", "count"), "counts", ("count",), key="territory")
        .group_by("territory")
        .agg(_sum_or_unknown("count"))
        .with_columns(pl.lit(value=True).alias("listed"))
    )
    residents = _as_counts(population.select("territory", "total"), "population", ("total",), key="territory")
    frame = residents.join(counted, on="territory", how="full", coalesce=True)
    numerator = pl.when(pl.col("listed").is_null()).then(0.0).otherwise(pl.col("count"))
    return _rows(
        frame.rename({"territory": "code"}), indicator, numerator, pl.col("total"), multiplier, year
    ).sort("territory")


def _rows(
    frame: pl.DataFrame,
    indicator: str,
    numerator: pl.Expr,
    denominator: pl.Expr,
    multiplier: float,
    year: int,
) -> pl.DataFrame:
    numerator = numerator.cast(pl.Float64)
    denominator = denominator.cast(pl.Float64)
    return frame.select(
        pl.col("code").alias("territory"),
        pl.lit(year).alias("year"),
        pl.lit(indicator).alias("indicator"),
        numerator.alias("numerator"),
        denominator.alias("denominator"),
        pl.lit(float(multiplier), dtype=pl.Float64).alias("multiplier"),
        pl.when(denominator > 0).then(numerator / denominator * multiplier).otherwise(None).alias("value"),
    ).cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]


def _sum_or_unknown(column: str) -> pl.Expr:
    """The sum of `column` over the group, null when any term is (polars' sum would skip it)."""
    return pl.when(pl.col(column).is_null().any()).then(None).otherwise(pl.col(column).sum()).alias(column)


def _as_counts(frame: pl.DataFrame, name: str, columns: tuple[str, ...], *, key: str) -> pl.DataFrame:
    """`columns` as Float64, null kept as unknown; raise naming the first cell that is not a number ≥ 0."""
    for column in columns:
        _check_count(frame, name, column, key=key)
    return frame.with_columns(pl.col(column).cast(pl.Float64, strict=False) for column in columns)


def _check_count(frame: pl.DataFrame, name: str, column: str, *, key: str) -> None:
    parsed = pl.col(column).cast(pl.Float64, strict=False)
    raise_on_first_row(
        frame,
        (pl.col(column).is_not_null() & parsed.is_null()) | (parsed < 0) | parsed.is_nan(),
        lambda row: (
            f"Row {row[ROW_INDEX]} of the {name} frame ({key} {row[key]}) has {column} = {row[column]!r}, "
            "not a number ≥ 0."
        ),
    )


def _check_text(frame: pl.DataFrame, name: str, *columns: str) -> None:
    for column in columns:
        if frame.schema[column] != pl.String:
            raise ValueError(
                f"Column {column} of the {name} frame is {frame.schema[column]}, not text: codes must be read "
                "as text, or leading zeros (and Napoli's sigla NA) are lost."
            )


def _check_unique(frame: pl.DataFrame, name: str, column: str) -> None:
    raise_on_first_row(
        frame,
        pl.col(column).is_duplicated(),
        lambda row: f"The {name} frame repeats {column} {row[column]} (first at row {row[ROW_INDEX]}).",
    )
