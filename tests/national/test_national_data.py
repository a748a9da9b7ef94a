"""What the issue promises on the real data of all Italy (7,899 comuni, 1.6 million population rows)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import DataQualityIssue, Territory
from welfarelab.territories.selectors import population_totals, territory_get, territory_search

pytestmark = [pytest.mark.national, pytest.mark.usefixtures("national")]


def test_all_territories_of_italy_are_loaded():
    counts = {
        kind: Territory.objects.filter(kind=kind).count()
        for kind in ("italia", "regione", "provincia", "comune")
    }

    assert counts == {"italia": 1, "regione": 20, "provincia": 107, "comune": 7899}


def test_population_of_italy_and_roma_match_istat():
    italy = Territory.objects.get(kind="italia")

    assert population_totals(territory=italy) == {2022: 59_019_317, 2023: 58_840_177}
    assert population_totals(territory=territory_get(kind="comune", code="058091")) == {
        2022: 2_749_031,
        2023: 2_748_109,
    }


def test_regioni_add_up_to_italy():
    italy = population_totals(territory=Territory.objects.get(kind="italia"))[2023]
    regioni = sum(population_totals(territory=r)[2023] for r in Territory.objects.filter(kind="regione"))

    assert regioni == italy


@pytest.mark.parametrize(("query", "expected"), [("aglie", "Agliè"), ("forli", "Forlì"), ("FORLÌ", "Forlì")])
def test_search_ignores_accents_and_case(query, expected):
    assert territory_search(query=query, kind="comune").first().name == expected


def test_attributes_come_with_the_comuni():
    aglie = territory_get(kind="comune", code="001001")
    alghero = territory_get(kind="comune", code="090003")

    assert (aglie.altimetric_zone, aglie.degurba, aglie.inner_area_class, aglie.area_km2) == (
        3,
        2,
        "C",
        13.1462,
    )
    assert (alghero.code_2026, alghero.crosswalk_2026) == ("112001", "cambio_codice")
    assert Territory.objects.filter(kind="comune", inner_area_class="").count() == 1  # Misiliscemi


def test_the_data_report_shows_every_reconciled_code(capsys):
    call_command("data_report")

    output = capsys.readouterr().out
    assert re.search(r"comune +7,899", output)
    assert re.search(r"residents 2023 +58,840,177", output)
    for code in ("005079", "005110", "012009", "012018", "012095", "081025", "099030", "099031"):
        assert code in output
    assert DataQualityIssue.objects.filter(dataset="istat_popolazione").count() == 8


def test_the_directory_starts_with_the_real_third_sector_and_public_bodies():
    # 50,301 in the ETS category of the 5x1000 list, one of which is the Comune di Conselice.
    assert Organisation.objects.filter(kind="ets").count() == 50_300
    conselice = Organisation.objects.get(tax_code="00203130398")
    assert (conselice.kind, conselice.five_per_mille_choices) == ("comune", 152)
    assert DataQualityIssue.objects.filter(category="public_body_in_list", code="00203130398").exists()
    assert Organisation.objects.filter(kind="comune").count() == 7_899
    assert Organisation.objects.filter(kind="ets", territory__isnull=True).count() == 1


def test_api_counts_the_comuni_and_gives_roma(client):
    listing = client.get("/api/v1/territories", {"kind": "comune"})
    roma = client.get("/api/v1/territories/comune/058091")

    assert listing.status_code == 200
    assert listing.json()["count"] == 7899
    assert roma.status_code == 200
    assert roma.json()["name"] == "Roma"
    assert roma.json()["population_total"]["2023"] == 2_748_109


def test_search_page_finds_aglie(client):
    response = client.get("/territori/cerca/", {"q": "aglie"})

    assert response.status_code == 200
    assert "Agliè" in response.content.decode()
