"""Supply indicators follow the declarations: numerators, denominators and the sums up the hierarchy."""

from __future__ import annotations

import pytest

from tests.services.conftest import YEAR, declare, observation, set_population
from welfarelab.indicators.models import Observation
from welfarelab.services.services import declaration_delete
from welfarelab.services.supply import population_year_for, supply_indicators_refresh

pytestmark = pytest.mark.django_db


def counts(code, territory, period=YEAR):
    found = observation(code, territory, period)
    return None if found is None else (found.numerator, found.denominator, found.origin, found.coverage)


def test_nursery_places_are_counted_over_the_children_aged_0_2_and_summed_up(italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124)
    declare(italy["bairo"], "asilo_nido", places=20)
    declare(italy["aglie"], "servizi_integrativi_prima_infanzia", places=30)  # not a nursery: not counted

    aglie = observation("nursery_places_per_100_0_2", italy["aglie"])
    assert (aglie.numerator, aglie.denominator, aglie.value) == (124, 500, pytest.approx(24.8))
    assert aglie.origin == Observation.Origin.REPORTED
    # The ambito, the provincia and the regione are the sums of Agliè and Bairo; Italy lacks Roma's value.
    for parent in ("ambito", "torino", "piemonte"):
        assert counts("nursery_places_per_100_0_2", italy[parent]) == (144, 600, "aggregated", 1.0)
    assert counts("nursery_places_per_100_0_2", italy["italia"]) == (
        144,
        600,
        "aggregated",
        pytest.approx(2 / 3),
    )


def test_social_workers_count_only_permanent_contracts_per_residents(italy, catalogue):
    declare(
        italy["aglie"],
        "servizio_sociale_professionale",
        staff_fte=7,
        social_workers_permanent_fte=5,
        social_workers_fixed_term_fte=2,
    )

    per_10000 = observation("social_workers_per_10000", italy["aglie"])
    assert (per_10000.numerator, per_10000.denominator) == (5, 42_000)
    assert per_10000.value == pytest.approx(5 / 42_000 * 10_000)
    residents_per = observation("residents_per_social_worker", italy["aglie"])
    assert (residents_per.numerator, residents_per.denominator, residents_per.value) == (42_000, 5, 8400)


def test_an_ambitos_service_is_shared_by_its_comuni_so_the_ambito_counts_it_once(italy, catalogue):
    declare(italy["ambito"], "servizio_sociale_professionale", social_workers_permanent_fte=6)
    declare(italy["aglie"], "segretariato_sociale", social_workers_permanent_fte=1)

    # 6 FTE over 42,000 + 8,000 residents: 5.04 to Agliè, 0.96 to Bairo.
    aglie = observation("social_workers_per_10000", italy["aglie"])
    bairo = observation("social_workers_per_10000", italy["bairo"])
    assert aglie.numerator == pytest.approx(1 + 6 * 42_000 / 50_000)
    assert bairo.numerator == pytest.approx(6 * 8_000 / 50_000)
    assert aglie.value == pytest.approx(bairo.value + 1 / 42_000 * 10_000)
    ambito = observation("social_workers_per_10000", italy["ambito"])
    assert (ambito.numerator, ambito.denominator) == (pytest.approx(7), 50_000)
    assert ambito.origin == Observation.Origin.AGGREGATED


def test_home_care_counts_users_aged_65_and_over_of_the_home_care_services(italy, catalogue):
    declare(italy["aglie"], "assistenza_domiciliare_sociale", users_served=500, users_aged_65_plus=400)
    declare(italy["aglie"], "assistenza_domiciliare_integrata", users_aged_65_plus=80)
    declare(italy["aglie"], "centro_diurno_anziani", users_served=60, users_aged_65_plus=60)  # not home care

    home_care = observation("home_care_users_65_per_100", italy["aglie"])
    assert (home_care.numerator, home_care.denominator, home_care.value) == (480, 8_000, 6.0)
    assert home_care.lower_95 < 6.0 < home_care.upper_95  # a proportion: Wilson limits


def test_spending_per_inhabitant_in_total_and_by_need_domain(italy, catalogue):
    declare(italy["aglie"], "asilo_nido", spending_eur=84_000)  # one domain: early childhood
    declare(
        italy["aglie"],
        "sostegno_abitare",
        spending_eur=42_000,
        need_domains=("casa_abitare", "poverta_inclusione", "migrazioni_integrazione"),
    )

    assert counts("social_spending_pc", italy["aglie"])[:2] == (126_000, 42_000)
    assert observation("social_spending_pc", italy["aglie"]).value == 3.0
    assert counts("social_spending_pc_prima_infanzia_famiglie", italy["aglie"])[:2] == (84_000, 42_000)
    for domain in ("casa_abitare", "poverta_inclusione", "migrazioni_integrazione"):
        assert counts(f"social_spending_pc_{domain}", italy["aglie"])[:2] == (14_000, 42_000)
    assert observation("social_spending_pc_minori_giovani", italy["aglie"]) is None  # unknown, not 0


def test_changing_and_removing_a_declaration_moves_the_indicators(italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124)
    declaration = declare(italy["aglie"], "asilo_nido", places=165)  # replaces the first
    assert counts("nursery_places_per_100_0_2", italy["aglie"])[:2] == (165, 500)
    assert counts("nursery_places_per_100_0_2", italy["ambito"])[:2] == (165, 500)

    declaration_delete(user=None, declaration=declaration)

    assert observation("nursery_places_per_100_0_2", italy["aglie"]) is None
    assert observation("nursery_places_per_100_0_2", italy["ambito"]) is None


def test_a_refresh_with_nothing_changed_writes_nothing(italy, catalogue):
    declare(
        italy["ambito"], "servizio_sociale_professionale", social_workers_permanent_fte=6, spending_eur=10
    )
    assert supply_indicators_refresh() == 0
    Observation.objects.filter(indicator__code="social_spending_pc", territory=italy["bairo"]).delete()
    assert supply_indicators_refresh() == 1  # only the missing cell is written again
    assert counts("social_spending_pc", italy["bairo"])[:2] == (pytest.approx(10 * 8_000 / 50_000), 8_000)


def test_a_year_without_population_uses_the_latest_year_before_it(italy, catalogue):
    assert population_year_for(2025, [2022, 2023]) == 2023
    assert population_year_for(2020, [2022, 2023]) == 2022
    assert population_year_for(2023, []) is None
    for territory in ("aglie", "italia"):  # the years loaded are read from Italy and the regioni
        set_population(italy[territory], year=2022, people={0: 100, 30: 900})

    declare(italy["aglie"], "asilo_nido", year=2025, places=50)
    declare(italy["aglie"], "asilo_nido", year=2022, places=10)

    later = observation("nursery_places_per_100_0_2", italy["aglie"], 2025)
    assert (later.numerator, later.denominator) == (50, 500)
    assert "1° gennaio 2023" in later.source
    assert counts("nursery_places_per_100_0_2", italy["aglie"], 2022)[:2] == (10, 100)


def test_when_the_ambiti_change_the_shares_of_their_services_follow(italy, catalogue):
    from welfarelab.territories.services import ambiti_import

    declare(italy["ambito"], "servizio_sociale_professionale", social_workers_permanent_fte=6)
    assert observation("social_workers_per_10000", italy["bairo"]) is not None

    ambiti_import(
        content=b"codice_ambito,nome_ambito,codice_regione,codice_comune\nTO-4,Cuorgne,01,001001\n",
        filename="a.csv",
        imported_by=None,
    )

    assert observation("social_workers_per_10000", italy["aglie"]).numerator == pytest.approx(6)
    assert observation("social_workers_per_10000", italy["bairo"]) is None
