import polars as pl
import pytest

from welfarelab.analytics.population import population_sum_up, population_wide_to_long


def _wide(rows):
    columns = ["codice_comune", "anno", "sesso", *[f"a{age}" for age in range(101)]]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _row(code, year, sex, first_ages):
    counts = [*first_ages, *["0"] * (101 - len(first_ages))]
    return [code, str(year), sex, *counts]


def test_wide_rows_become_one_long_row_per_age_with_both_sexes():
    wide = _wide([_row("001001", 2023, "M", ["7", "10"]), _row("001001", 2023, "F", ["1", "7"])])

    long = population_wide_to_long(wide)

    assert long.height == 101
    assert long.head(2).to_dicts() == [
        {"code": "001001", "year": 2023, "age": 0, "males": 7, "females": 1},
        {"code": "001001", "year": 2023, "age": 1, "males": 10, "females": 7},
    ]
    assert long["age"].to_list() == list(range(101))


@pytest.mark.parametrize(
    ("_case", "rows", "message"),
    [
        (
            "a count is not a number",
            [_row("001001", 2023, "M", ["7", "x"]), _row("001001", 2023, "F", ["1"])],
            "column a1 is 'x'",
        ),
        (
            "a count is negative",
            [_row("001001", 2023, "M", ["-1"]), _row("001001", 2023, "F", ["1"])],
            "column a0 is '-1'",
        ),
        ("a sex is unknown", [_row("001001", 2023, "X", ["1"])], "sex 'X'"),
        (
            "a comune, year and sex repeat",
            [_row("001001", 2023, "M", ["1"]), _row("001001", 2023, "M", ["2"])],
            "repeats comune 001001, year 2023, sex M",
        ),
    ],
)
def test_wide_to_long_names_the_bad_cell(_case, rows, message):
    with pytest.raises(ValueError, match=message):
        population_wide_to_long(_wide(rows))


def test_sum_up_adds_numerators_of_members_and_fills_every_age():
    population = pl.DataFrame(
        {
            "code": ["a", "a", "b"],
            "year": [2023, 2023, 2023],
            "age": [0, 1, 0],
            "males": [1, 2, 10],
            "females": [3, 4, 30],
        },
        schema={"code": pl.String, "year": pl.Int16, "age": pl.Int16, "males": pl.Int64, "females": pl.Int64},
    )
    membership = pl.DataFrame({"code": ["a", "b", "a"], "parent": [100, 100, 200]})

    summed = population_sum_up(population, membership)

    assert summed.height == 2 * 101
    first_two = summed.filter(pl.col("parent") == 100).head(3).to_dicts()
    assert first_two == [
        {"parent": 100, "year": 2023, "age": 0, "males": 11, "females": 33},
        {"parent": 100, "year": 2023, "age": 1, "males": 2, "females": 4},
        {"parent": 100, "year": 2023, "age": 2, "males": 0, "females": 0},
    ]
    assert summed.filter(pl.col("parent") == 200)["males"].sum() == 3


def test_a_comune_with_one_sex_only_is_refused_not_filled_with_zeros():
    with pytest.raises(ValueError, match="only one sex for comune 001001, year 2023"):
        population_wide_to_long(_wide([_row("001001", 2023, "M", ["7"])]))
