"""From declarations to each comune's counts (analytics.supply, no database)."""

from __future__ import annotations

import polars as pl
import pytest

from welfarelab.analytics.supply import (
    AGED_0_2,
    RESIDENTS,
    SupplyRatio,
    comune_amounts,
    declaration_contributions,
    supply_counts,
)

# Two comuni (1, 2) in ambito 10 and one (3) in no ambito; comune 4 in the ambito has no known population.
COMUNI = pl.DataFrame(
    {
        "comune": [1, 2, 3, 4],
        "ambito": [10, 10, None, 10],
        "residents": [1000.0, 3000.0, 500.0, None],
        "aged_0_2": [30.0, 10.0, 5.0, None],
        "aged_65_plus": [200.0, 600.0, 100.0, None],
    }
)


def declarations(*rows: dict) -> pl.DataFrame:
    base = {
        "counts_as": [],
        "places": None,
        "users_aged_65_plus": None,
        "social_workers_permanent_fte": None,
        "spending": None,
        "domains": [],
    }
    return pl.DataFrame(
        [{**base, **row} for row in rows],
        schema={
            "territory": pl.Int64,
            "level": pl.String,
            "counts_as": pl.List(pl.String),
            "places": pl.Float64,
            "users_aged_65_plus": pl.Float64,
            "social_workers_permanent_fte": pl.Float64,
            "spending": pl.Float64,
            "domains": pl.List(pl.String),
        },
    )


def amounts_of(frame: pl.DataFrame, measure: str) -> dict[int, float]:
    return dict(frame.filter(pl.col("measure") == measure).select("comune", "amount").iter_rows())


def test_an_ambitos_social_workers_are_shared_by_residents_and_added_to_a_comunes_own():
    contributions = declaration_contributions(
        declarations(
            {"territory": 10, "level": "ambito", "social_workers_permanent_fte": 8.0},
            {"territory": 1, "level": "comune", "social_workers_permanent_fte": 1.5},
        )
    )
    amounts = comune_amounts(contributions, COMUNI)
    # 8 FTE over 1,000 + 3,000 residents: 2 and 6; comune 4 (no population) gets no share.
    assert amounts_of(amounts, "social_workers_permanent_fte") == {1: 3.5, 2: 6.0}
    assert dict(
        amounts.filter(pl.col("measure") == "social_workers_permanent_fte")
        .select("comune", "shared")
        .iter_rows()
    ) == {1: 2.0, 2: 6.0}


def test_nursery_places_of_an_ambito_are_shared_by_children_aged_0_2():
    contributions = declaration_contributions(
        declarations({"territory": 10, "level": "ambito", "counts_as": ["nursery_places"], "places": 20.0})
    )
    assert amounts_of(comune_amounts(contributions, COMUNI), "nursery_places") == {1: 15.0, 2: 5.0}


def test_only_the_services_that_count_as_nursery_or_home_care_feed_those_measures():
    contributions = declaration_contributions(
        declarations(
            {"territory": 3, "level": "comune", "places": 40.0, "users_aged_65_plus": 9.0},
            {
                "territory": 3,
                "level": "comune",
                "counts_as": ["home_care"],
                "places": 3.0,
                "users_aged_65_plus": 12.0,
            },
        )
    )
    amounts = comune_amounts(contributions, COMUNI)
    assert amounts_of(amounts, "nursery_places") == {}
    assert amounts_of(amounts, "home_care_users_65") == {3: 12.0}


def test_spending_is_split_equally_among_the_declared_domains_and_adds_up():
    contributions = declaration_contributions(
        declarations(
            {
                "territory": 3,
                "level": "comune",
                "spending": 900.0,
                "domains": ["casa_abitare", "poverta_inclusione", "minori_giovani"],
            },
            {"territory": 3, "level": "comune", "spending": 100.0, "domains": ["poverta_inclusione"]},
        )
    )
    amounts = comune_amounts(contributions, COMUNI)
    assert amounts_of(amounts, "spending") == {3: 1000.0}
    assert amounts_of(amounts, "spending:poverta_inclusione") == {3: 400.0}
    assert amounts_of(amounts, "spending:casa_abitare") == {3: 300.0}
    by_domain = amounts.filter(pl.col("measure").str.starts_with("spending:"))["amount"].sum()
    assert by_domain == pytest.approx(1000.0)


def test_unknown_figures_contribute_nothing_and_give_no_amount():
    contributions = declaration_contributions(declarations({"territory": 3, "level": "comune"}))
    assert contributions.height == 0
    assert comune_amounts(contributions, COMUNI).height == 0


def test_counts_put_the_measure_over_its_population_or_the_other_way_round():
    contributions = declaration_contributions(
        declarations(
            {"territory": 1, "level": "comune", "social_workers_permanent_fte": 2.0},
            {"territory": 1, "level": "comune", "counts_as": ["nursery_places"], "places": 9.0},
        )
    )
    ratios = [
        SupplyRatio("per_10000", "social_workers_permanent_fte", RESIDENTS),
        SupplyRatio("residents_per", "social_workers_permanent_fte", RESIDENTS, inverted=True),
        SupplyRatio("nursery", "nursery_places", AGED_0_2),
    ]
    counts = supply_counts(comune_amounts(contributions, COMUNI), COMUNI, ratios)
    assert counts.rows() == [
        ("nursery", 1, 9.0, 30.0),
        ("per_10000", 1, 2.0, 1000.0),
        ("residents_per", 1, 1000.0, 2.0),
    ]
