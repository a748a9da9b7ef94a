"""IRPEF income indicators and organisations per resident, worked by hand, and on the real bundled file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from welfarelab.analytics.demography import OUTPUT_SCHEMA
from welfarelab.analytics.income import (
    INCOME_CLASSES,
    IRPEF_COUNTS,
    IRPEF_INDICATOR_CODES,
    irpef_code_map,
    irpef_indicators,
    organisations_per_population,
)

DATA = Path(__file__).resolve().parents[2] / "data"

# Classes ≤0, 0–10k, 10–15k, 15–26k, 26–55k, 55–75k, 75–120k, >120k: 80 taxpayers, 20 of them ≤ 10,000 euro.
CLASSES = ("2", "18", "10", "20", "20", "5", "3", "2")


def _irpef(*rows: dict[str, str | None]) -> pl.DataFrame:
    """Text rows as read from the file; unspecified counts are those of a comune of 80 taxpayers."""
    defaults: dict[str, str | None] = {
        "codice_comune": "001001",
        "codice_catastale": "A074",
        "numero_contribuenti": "80",
        "reddito_imponibile_freq": "75",
        "reddito_imponibile_eur": "1500000",
        **dict(zip(INCOME_CLASSES, CLASSES, strict=True)),
    }
    columns = ["codice_comune", "codice_catastale", *IRPEF_COUNTS]
    return pl.DataFrame(
        [{**defaults, **row} for row in rows], schema=dict.fromkeys(columns, pl.String), orient="row"
    )


def _population(totals: dict[str, int | None], year: int = 2022) -> pl.DataFrame:
    return pl.DataFrame(
        {"territory": list(totals), "year": [year] * len(totals), "total": list(totals.values())},
        schema={"territory": pl.String, "year": pl.Int64, "total": pl.Int64},
    )


def _by_indicator(result: pl.DataFrame, territory: str) -> dict[str, tuple[float | None, ...]]:
    rows = result.filter(pl.col("territory") == territory).iter_rows(named=True)
    return {row["indicator"]: (row["numerator"], row["denominator"], row["value"]) for row in rows}


def test_the_three_indicators_match_the_hand_worked_values():
    # The 2021 and 2023 rows are there to show that only the residents at 1 January 2022 count.
    population = pl.concat(
        [_population({"001001": 200}), _population({"001001": 999}, 2021), _population({"001001": 1}, 2023)]
    )

    result = irpef_indicators(_irpef({}), population)

    assert result.schema == pl.Schema(OUTPUT_SCHEMA)
    assert result["year"].to_list() == [2021] * 3
    assert dict(zip(result["indicator"], result["multiplier"], strict=True)) == {
        "low_income_taxpayers_share": 100.0,
        "mean_taxable_income": 1.0,
        "taxpayers_per_100": 100.0,
    }
    assert _by_indicator(result, "001001") == {
        "taxpayers_per_100": (80, 200, 40.0),  # 80 / 200 × 100
        "mean_taxable_income": (1_500_000, 75, 20_000.0),  # euro per taxpayer with taxable income
        "low_income_taxpayers_share": (18, 80, 22.5),  # 0–10,000 euro: 18 / 80 × 100
    }


def test_a_suppressed_class_leaves_unknown_only_what_depends_on_it():
    irpef = _irpef(
        {"codice_comune": "001001", "reddito_complessivo_oltre_120000_euro_freq": None},
        {"codice_comune": "001002", "reddito_complessivo_da_0_a_10000_euro_freq": None},
    )

    result = irpef_indicators(irpef, _population({"001001": 200, "001002": 160}))

    # The top class is not part of any indicator: nothing becomes unknown.
    assert _by_indicator(result, "001001") == {
        "low_income_taxpayers_share": (18, 80, 22.5),
        "taxpayers_per_100": (80, 200, 40.0),
        "mean_taxable_income": (1_500_000, 75, 20_000.0),
    }
    low_class_suppressed = _by_indicator(result, "001002")
    assert low_class_suppressed["low_income_taxpayers_share"] == (None, 80, None)
    assert low_class_suppressed["taxpayers_per_100"] == (80, 160, 50.0)


def test_a_comune_without_population_has_an_unknown_denominator_and_a_zero_denominator_no_value():
    irpef = _irpef({"codice_comune": "001001"}, {"codice_comune": "001002", "reddito_imponibile_freq": "0"})

    result = irpef_indicators(irpef, _population({"001002": 160}))

    assert _by_indicator(result, "001001")["taxpayers_per_100"] == (80, None, None)
    assert _by_indicator(result, "001002")["mean_taxable_income"] == (1_500_000, 0, None)


def test_comuni_mapped_onto_one_code_are_summed_never_averaged():
    irpef = _irpef(
        {"codice_comune": "a", "numero_contribuenti": "100", "reddito_imponibile_freq": "100"},
        {
            "codice_comune": "b",
            "numero_contribuenti": "50",
            "reddito_imponibile_freq": "50",
            "reddito_imponibile_eur": "500000",
            "reddito_complessivo_da_0_a_10000_euro_freq": "8",
        },
        {"codice_comune": "x"},
    )
    code_map = pl.DataFrame({"source_code": ["a", "b"], "code": ["ab", "ab"]})

    result = irpef_indicators(irpef, _population({"a": 300, "b": 200, "x": 50}), code_map=code_map)

    # x is not in the map: left out.
    assert result["territory"].unique().to_list() == ["ab"]
    assert _by_indicator(result, "ab") == {
        "taxpayers_per_100": (150, 500, 30.0),
        # (1,500,000 + 500,000) / 150, not the mean of 15,000 and 10,000.
        "mean_taxable_income": (2_000_000, 150, pytest.approx(13_333.333333)),
        # 18 + 8 over 100 + 50.
        "low_income_taxpayers_share": (26, 150, pytest.approx(17.333333)),
    }


def test_an_unknown_part_makes_the_merged_sum_unknown():
    irpef = _irpef(
        {"codice_comune": "a", "reddito_complessivo_da_0_a_10000_euro_freq": None},
        {"codice_comune": "b"},
    )
    code_map = pl.DataFrame({"source_code": ["a", "b"], "code": ["ab", "ab"]})

    result = irpef_indicators(irpef, _population({"a": 300}), code_map=code_map)

    got = _by_indicator(result, "ab")
    assert got["low_income_taxpayers_share"] == (None, 160, None)
    # b has no population row: the residents of ab are unknown, not 300.
    assert got["taxpayers_per_100"] == (160, None, None)
    assert got["mean_taxable_income"] == (3_000_000, 150, 20_000.0)


def test_napoli_is_read_as_text_and_keeps_its_code_and_sigla(tmp_path):
    path = tmp_path / "irpef.csv"
    columns = ["codice_comune", "codice_catastale", "comune", "sigla_provincia", *IRPEF_COUNTS]
    napoli = ["063049", "F839", "NAPOLI", "NA", "493342", "461060", "10028000000", "", *["1000"] * 7]
    path.write_text(",".join(columns) + "\n" + ",".join(napoli) + "\n")

    irpef = pl.read_csv(path, infer_schema=False)
    code_map, unplaced = irpef_code_map(
        irpef, pl.DataFrame({"codice_comune": ["063049"], "codice_catastale": ["F839"]})
    )
    result = irpef_indicators(irpef, _population({"063049": 921142}), code_map=code_map)

    assert irpef.row(0, named=True)["sigla_provincia"] == "NA"
    assert unplaced == []
    assert result["territory"].unique().to_list() == ["063049"]
    assert _by_indicator(result, "063049")["taxpayers_per_100"] == (
        493342,
        921142,
        pytest.approx(53.557649),
    )
    # The empty "≤ 0 euro" cell is unknown, not 0 — and no indicator needs it.
    assert irpef.row(0, named=True)["reddito_complessivo_minore_o_uguale_a_zero_euro_freq"] is None
    assert _by_indicator(result, "063049")["low_income_taxpayers_share"] == (
        1000,
        493342,
        pytest.approx(0.202699),
    )


def test_the_code_map_matches_by_code_then_by_cadastral_code_and_names_the_rest():
    irpef = _irpef(
        {"codice_comune": "001001", "codice_catastale": "A074"},
        # Montecopiolo before it moved from Pesaro e Urbino to Rimini: same cadastral code, new ISTAT code.
        {"codice_comune": "041033", "codice_catastale": "F478"},
        # Merged in 2023 into a comune that is not in the list.
        {"codice_comune": "005079", "codice_catastale": "F709"},
        {"codice_comune": "000000", "codice_catastale": "0"},
    )
    comuni = pl.DataFrame({"codice_comune": ["001001", "099030"], "codice_catastale": ["A074", "F478"]})

    code_map, unplaced = irpef_code_map(irpef, comuni)

    assert code_map.to_dicts() == [
        {"source_code": "001001", "code": "001001"},
        {"source_code": "041033", "code": "099030"},
    ]
    assert unplaced == ["000000", "005079"]


@pytest.mark.parametrize(
    ("_case", "irpef", "population", "message"),
    [
        (
            "codes read as numbers",
            _irpef({}).with_columns(pl.col("codice_comune").cast(pl.Int64)),
            _population({"001001": 1}),
            "codice_comune of the IRPEF frame is Int64, not text",
        ),
        (
            "a count that is not a number",
            _irpef({"numero_contribuenti": "12a"}),
            _population({"001001": 1}),
            r"Row 0 of the IRPEF frame \(codice_comune 001001\) has numero_contribuenti = '12a'",
        ),
        (
            "a negative count",
            _irpef({"reddito_imponibile_eur": "-5"}),
            _population({"001001": 1}),
            "has reddito_imponibile_eur = '-5', not a number ≥ 0",
        ),
        (
            "a repeated comune",
            _irpef({}, {}),
            _population({"001001": 1}),
            "The IRPEF frame repeats codice_comune 001001",
        ),
        (
            "no residents at 1 January 2022",
            _irpef({}),
            _population({"001001": 1}, 2023),
            "no rows for 2022",
        ),
        (
            "a missing class",
            _irpef({}).drop(INCOME_CLASSES[-1]),
            _population({"001001": 1}),
            "lacks the column\\(s\\) reddito_complessivo_oltre_120000_euro_freq",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(_case, irpef, population, message):
    with pytest.raises(ValueError, match=message):
        irpef_indicators(irpef, population)


def test_organisations_per_population_counts_a_missing_territory_as_zero_and_unknown_population_as_null():
    counts = pl.DataFrame({"territory": ["a", "a", "c", "d"], "count": [2, 1, 2, 1]})
    population = pl.DataFrame(
        {"territory": ["a", "b", "d"], "total": [1500, 2000, None]},
        schema={"territory": pl.String, "total": pl.Int64},
    )

    result = organisations_per_population(counts, population, year=2022)

    assert result.schema == pl.Schema(OUTPUT_SCHEMA)
    assert set(result["year"]) == {2022}
    assert set(result["indicator"]) == {"ets_per_10000"}
    assert set(result["multiplier"]) == {10_000.0}
    assert result.select("territory", "numerator", "denominator", "value").rows() == [
        ("a", 3, 1500, 20.0),  # 3 / 1,500 × 10,000
        ("b", 0, 2000, 0.0),  # in the population, not in the exhaustive list: a real 0
        ("c", 2, None, None),  # no population row
        ("d", 1, None, None),  # population unknown
    ]


def test_organisations_per_population_takes_another_indicator_and_multiplier():
    result = organisations_per_population(
        pl.DataFrame({"territory": ["a"], "count": [4]}),
        pl.DataFrame({"territory": ["a"], "total": [800]}),
        year=2023,
        indicator="odv_per_1000",
        multiplier=1000,
    )

    assert result.row(0, named=True) == {
        "territory": "a",
        "year": 2023,
        "indicator": "odv_per_1000",
        "numerator": 4,
        "denominator": 800,
        "multiplier": 1000.0,
        "value": 5.0,
    }


def test_organisations_per_population_refuses_a_repeated_territory():
    with pytest.raises(ValueError, match="The population frame repeats territory a"):
        organisations_per_population(
            pl.DataFrame({"territory": ["a"], "count": [4]}),
            pl.DataFrame({"territory": ["a", "a"], "total": [800, 900]}),
            year=2023,
        )


def test_the_real_file_reconciles_with_the_2023_list():
    irpef = pl.read_csv(DATA / "mef" / "irpef_comuni_2021.csv", infer_schema=False)
    comuni = pl.read_csv(DATA / "istat" / "comuni_2023.csv", infer_schema=False)
    wide = pl.read_csv(DATA / "istat" / "popolazione_eta_sesso_comuni_2022_2023.csv.gz", infer_schema=False)
    population = wide.group_by(pl.col("codice_comune").alias("territory"), pl.col("anno").alias("year")).agg(
        pl.sum_horizontal(pl.col(f"a{age}").cast(pl.Int64) for age in range(101)).sum().alias("total")
    )

    code_map, unplaced = irpef_code_map(irpef, comuni)
    result = irpef_indicators(irpef, population, code_map=code_map)

    assert irpef.height == 7905
    assert irpef["numero_contribuenti"].cast(pl.Int64).sum() == 41_497_318
    assert irpef.filter(pl.col("codice_comune") == "063049")["sigla_provincia"].to_list() == ["NA"]
    # 5 comuni merged in 2023 into comuni that are not in the list either, and "comune missing or wrong".
    assert unplaced == ["000000", "005079", "005110", "012009", "012018", "012095"]
    assert code_map.height == 7899
    assert result.height == 7899 * len(IRPEF_INDICATOR_CODES)
    assert set(result["territory"]) == set(comuni["codice_comune"])
    taxpayers = result.filter(pl.col("indicator") == "taxpayers_per_100")
    # Less the 2,959 taxpayers of the merged comuni and the 3,302 with no comune.
    assert taxpayers["numerator"].sum() == 41_497_318 - 2_959 - 3_302
    # Misiliscemi, Montecopiolo and Sassofeltrio have no population rows.
    assert taxpayers.filter(pl.col("value").is_null())["territory"].to_list() == [
        "081025",
        "099030",
        "099031",
    ]
    low_income = result.filter(pl.col("indicator") == "low_income_taxpayers_share")
    # The class 0–10,000 euro and the number of taxpayers are never suppressed.
    assert low_income["numerator"].null_count() == 0
    assert low_income["denominator"].null_count() == 0
    assert result.filter(pl.col("indicator") == "mean_taxable_income")["value"].null_count() == 0
