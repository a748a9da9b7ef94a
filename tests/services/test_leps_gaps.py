"""territory_leps_gaps: where a territory stands against every LEPS, in words, in a few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.services.conftest import declare
from welfarelab.services.selectors import leps_latest_year, territory_leps_gaps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def gaps_by(territory, year=2023):
    gaps = territory_leps_gaps(territory, year)
    return {(gap.leps_id, gap.level): gap for gap in gaps}


def test_three_point_four_social_workers_missing_for_one_per_five_thousand(italy, catalogue):
    declare(italy["aglie"], "servizio_sociale_professionale", social_workers_permanent_fte=5)

    lep = gaps_by(italy["aglie"])[("LEPS_SSP_RAPPORTO_AS", "LEP")]

    assert lep.missing == pytest.approx(3.4)
    assert (lep.required, lep.shortfall) == (pytest.approx(8.4), pytest.approx(3.4 / 8.4))
    assert lep.missing_label == "3.4 social workers missing for 1 per 5,000 inhabitants"
    assert lep.current == 8400
    assert lep.current_label == "1 per 8,400 inhabitants"
    assert (lep.target, lep.target_label) == (5000, "1 per 5,000 inhabitants")
    assert (lep.status, lep.status_label) == ("met" if lep.missing == 0 else "not_met", "Not met")
    assert lep.indicator_code == "social_workers_per_10000"
    assert lep.level_label == "Essential level (LEP)"
    # The level is the ambito's: a comune's figure is for comparison.
    assert any("social district" in note for note in lep.notes)
    service_target = gaps_by(italy["aglie"])[("LEPS_SSP_RAPPORTO_AS", "obiettivo_servizio")]
    assert (
        service_target.missing_label == "5.5 social workers missing for 1 per 4,000 inhabitants"
    )  # 10.5 − 5


def test_forty_one_nursery_places_missing_for_thirty_three_percent(italy, catalogue):
    declare(italy["aglie"], "asilo_nido", places=124)

    lep = gaps_by(italy["aglie"])[("LEP_NIDI_33", "LEP")]

    assert lep.missing == 41
    assert lep.missing_label == "41 nursery places missing for 33% coverage"
    assert lep.current_label == "24.8%"
    assert (lep.status, lep.deadline) == ("not_met", "2027")
    intermediate = gaps_by(italy["aglie"])[("LEP_NIDI_33", "obiettivo_servizio")]
    assert intermediate.missing_label == "21 nursery places missing for 28.88% coverage"  # 144.4 → 145 − 124


def test_an_ambito_is_measured_on_the_sum_of_its_comuni(italy, catalogue):
    declare(italy["ambito"], "servizio_sociale_professionale", social_workers_permanent_fte=6)
    declare(italy["aglie"], "segretariato_sociale", social_workers_permanent_fte=4)

    lep = gaps_by(italy["ambito"])[("LEPS_SSP_RAPPORTO_AS", "LEP")]

    # 50,000 residents need 10 social workers: the ambito has them.
    assert (lep.status, lep.missing, lep.current) == ("met", 0, pytest.approx(5000))
    assert lep.missing_label == ""
    assert lep.notes == ()


def test_without_declarations_numeric_targets_have_no_data(italy, catalogue):
    lep = gaps_by(italy["roma"])[("LEP_NIDI_33", "LEP")]
    assert (lep.status, lep.current, lep.missing, lep.status_label) == ("no_data", None, None, "No data")


def test_leps_without_a_number_say_whether_their_services_are_declared(italy, catalogue):
    declare(italy["ambito"], "pronto_intervento_sociale")  # the ambito's service covers its comuni
    declare(italy["aglie"], "assistenza_domiciliare_sociale")
    declare(italy["aglie"], "segretariato_sociale")

    aglie = gaps_by(italy["aglie"])
    assert aglie[("LEPS_PIS", "LEP")].status == "declared"
    assert aglie[("LEPS_PIS", "LEP")].declared_services == ("Social emergency response",)
    # Home care LEPS asks for social home care and the integrated kind: one of two is there.
    sad = aglie[("LEPS_SAD_ANZIANI_NA", "LEP")]
    assert (sad.status, sad.status_label) == ("partly_declared", "Partly declared")
    assert sad.missing_services == ("Home care integrated with health services (social component)",)
    assert aglie[("LEPS_SUPERVISIONE", "LEP")].status == "not_declared"
    assert aglie[("LEP_ISEE", "LEP")].status == "no_data"  # no service of the catalogue answers it

    ambito = gaps_by(italy["ambito"])
    assert ambito[("LEPS_PIS", "LEP")].status == "declared"
    assert ambito[("LEPS_SAD_ANZIANI_NA", "LEP")].status == "partly_declared"
    assert "0 of 2 comuni have it" in ambito[("LEPS_SAD_ANZIANI_NA", "LEP")].notes[0]
    art22 = ambito[("LIVELLI_ART22_L328", "LEP")]
    assert art22.status == "partly_declared"
    assert art22.missing_services[0] == "Professional social work"


def test_a_territory_with_nothing_declared_has_no_data_rather_than_nothing_declared(italy, catalogue):
    declare(italy["aglie"], "pronto_intervento_sociale", year=2022)
    pis = gaps_by(italy["roma"])[("LEPS_PIS", "LEP")]
    assert (pis.status, pis.notes[-1]) == ("no_data", "No service declared for 2023.")
    assert leps_latest_year(italy["aglie"]) == 2022
    assert leps_latest_year(italy["bairo"]) is None


def test_every_leps_of_the_table_has_a_row_with_references_and_to_verify_notes(italy, catalogue):
    gaps = territory_leps_gaps(italy["piemonte"], 2023)
    assert len(gaps) == 15 + 2  # two numeric LEPS have two targets each
    pis = next(gap for gap in gaps if gap.leps_id == "LEPS_PIS")
    assert pis.to_verify == (
        "Copertura continuativa 24 ore su 24, 365 giorni (sulla scheda tecnica 3.7.1)",
        "Numero del comma della L. 234/2021",
    )
    assert pis.sources and pis.references[0].text == "L. 234/2021, art. 1, c. 170, lett. a"


@pytest.mark.parametrize("key", ["aglie", "ambito", "torino", "piemonte", "italia"])
def test_the_gaps_of_any_territory_take_at_most_four_queries(italy, catalogue, key):
    declare(italy["ambito"], "servizio_sociale_professionale", social_workers_permanent_fte=6)
    declare(italy["aglie"], "asilo_nido", places=124)
    with CaptureQueriesContext(connection) as queries:
        gaps = territory_leps_gaps(italy[key], 2023)
    assert len(gaps) == 17
    assert len(queries) <= 4, [q["sql"] for q in queries]
