"""Demographic indicators worked by hand on a tiny population."""

from __future__ import annotations

import polars as pl
import pytest

from welfarelab.analytics.demography import INDICATOR_CODES, demographic_indicators


def _population(year: int, counts: dict[int, tuple[int, int]], territory: str = "001001") -> pl.DataFrame:
    """Every age 0..100, zero except `counts` (age → (males, females))."""
    return pl.DataFrame(
        {
            "territory": [territory] * 101,
            "year": [year] * 101,
            "age": list(range(101)),
            "males": [counts.get(age, (0, 0))[0] for age in range(101)],
            "females": [counts.get(age, (0, 0))[1] for age in range(101)],
        }
    )


# 2023: 10 children aged 1, 20 aged 10, 50 aged 40, 15 aged 70, 5 aged 100+  → 100 residents.
POP_2023 = _population(2023, {1: (4, 6), 10: (10, 10), 40: (25, 25), 70: (5, 10), 100: (1, 4)})
# 2022: 80 residents.
POP_2022 = _population(2022, {10: (20, 20), 40: (20, 20)})


def _indicators() -> dict[tuple[int, str], dict[str, float | None]]:
    result = demographic_indicators(pl.concat([POP_2022, POP_2023]), change_from=2022, change_to=2023)
    return {(row["year"], row["indicator"]): row for row in result.iter_rows(named=True)}


def test_counts_shares_and_indices_match_the_hand_worked_values():
    got = _indicators()

    def triple(code: str) -> tuple[float | None, float | None, float | None]:
        row = got[(2023, code)]
        return row["numerator"], row["denominator"], row["value"]

    assert triple("pop_total") == (100, None, 100)
    assert triple("children_0_2") == (10, None, 10)
    assert triple("share_0_2") == (10, 100, 10.0)
    assert triple("share_0_14") == (30, 100, 30.0)
    assert triple("share_15_64") == (50, 100, 50.0)
    assert triple("share_65_plus") == (20, 100, 20.0)
    assert triple("share_75_plus") == (5, 100, 5.0)
    assert triple("share_85_plus") == (5, 100, 5.0)
    assert triple("old_age_index") == (20, 30, pytest.approx(66.666667))
    assert triple("dependency_ratio") == (50, 50, 100.0)
    assert triple("elderly_dependency_ratio") == (20, 50, 40.0)
    assert triple("youth_dependency_ratio") == (30, 50, 60.0)
    # (10×1.5 + 20×10.5 + 50×40.5 + 15×70.5 + 5×100.5) / 100 = 38.1
    assert triple("mean_age") == (3810, 100, pytest.approx(38.1))
    # (100 − 80) / 80 × 100
    assert triple("pop_change_pct") == (20, 80, 25.0)


def test_every_indicator_is_there_once_per_year_and_change_only_for_the_later_year():
    got = _indicators()

    assert {code for (year, code) in got if year == 2023} == set(INDICATOR_CODES)
    assert {code for (year, code) in got if year == 2022} == set(INDICATOR_CODES) - {"pop_change_pct"}


def test_a_zero_denominator_gives_an_unknown_value_not_an_error():
    no_children = _population(2023, {40: (1, 1), 70: (1, 0)})

    result = demographic_indicators(no_children, change_from=2022, change_to=2023)

    old_age = result.filter(pl.col("indicator") == "old_age_index").row(0, named=True)
    assert (old_age["numerator"], old_age["denominator"], old_age["value"]) == (1, 0, None)
    assert result.filter(pl.col("indicator") == "pop_change_pct").is_empty()


def test_summing_numerators_of_two_territories_gives_the_indicator_of_their_union():
    a = _population(2023, {10: (3, 2), 70: (4, 4)}, territory="a")
    b = _population(2023, {5: (10, 10), 80: (1, 0)}, territory="b")
    union = pl.concat([a, b]).with_columns(territory=pl.lit("ab"))

    parts = demographic_indicators(pl.concat([a, b]), change_from=2022, change_to=2023)
    whole = demographic_indicators(union, change_from=2022, change_to=2023)

    summed = parts.filter(pl.col("indicator") == "old_age_index").select(
        pl.col("numerator", "denominator").sum()
    )
    whole_row = whole.filter(pl.col("indicator") == "old_age_index").row(0, named=True)
    assert summed.row(0) == (whole_row["numerator"], whole_row["denominator"]) == (9, 25)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lacks the columns females, males"):
        demographic_indicators(
            pl.DataFrame({"territory": ["x"], "year": [2023], "age": [0]}), change_from=2022, change_to=2023
        )
