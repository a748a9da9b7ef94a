"""The territory pages: search, as-you-type suggestions and the profile of one territory.

Interface text is asserted on the English pages (`/en/…`): the msgids are English, and the Italian
catalogue translates them on the default pages. Numbers are asserted in both formats.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tests.factories import TerritoryFactory, add_population, make_italy_slice
from welfarelab.territories.models import PopulationByAge, Territory

pytestmark = pytest.mark.django_db

SEARCH = "/territori/cerca/"
SUGGEST = "/territori/suggerimenti/"
EN_SEARCH = "/en/territori/cerca/"
EN_SUGGEST = "/en/territori/suggerimenti/"


def _result_names(html: str) -> list[str]:
    return re.findall(r'class="wl-result-name" href="[^"]+">([^<]+)</a>', html)


def _suggested(html: str) -> list[str]:
    return re.findall(r'<span class="wl-suggestion-name">([^<]+)</span>', html)


def test_urls_are_the_public_italian_ones():
    assert reverse("territories:search") == SEARCH
    assert reverse("territories:suggest") == SUGGEST
    assert reverse("territories:detail", args=["comune", "058091"]) == "/territori/comune/058091/"


# ---- search -------------------------------------------------------------------------------------------


def test_search_without_a_query_shows_the_form_and_no_results(client):
    response = client.get(EN_SEARCH)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/en/territori/cerca/"' in html
    assert 'name="kind"' in html
    assert _result_names(html) == []
    assert "Type a name or a code above" in html


def test_search_ignores_accents_and_case(client):
    make_italy_slice()
    TerritoryFactory(code="040012", name="Forlì")

    assert _result_names(client.get(SEARCH, {"q": "aglie"}).content.decode()) == ["Agliè"]
    assert _result_names(client.get(SEARCH, {"q": "AGLIÈ"}).content.decode()) == ["Agliè"]
    assert _result_names(client.get(SEARCH, {"q": "forli"}).content.decode()) == ["Forlì"]


def test_search_result_shows_kind_provincia_and_regione(client):
    make_italy_slice()

    html = client.get(EN_SEARCH, {"q": "aglie"}).content.decode()

    assert 'href="/en/territori/comune/001001/">Agliè</a>' in html
    assert "Municipality" in html
    assert '<span class="wl-result-place">Torino, Piemonte</span>' in html
    assert "1 territory for “aglie”" in html


def test_search_by_kind_keeps_only_that_kind(client):
    make_italy_slice()

    both = client.get(SEARCH, {"q": "roma"}).content.decode()
    provinces = client.get(SEARCH, {"q": "roma", "kind": "provincia"}).content.decode()

    assert _result_names(both) == ["Roma", "Roma"]
    assert _result_names(provinces) == ["Roma"]
    assert 'href="/territori/provincia/058/">Roma</a>' in provinces


def test_search_with_an_unknown_kind_shows_the_error_and_no_results(client):
    make_italy_slice()

    html = client.get(EN_SEARCH, {"q": "roma", "kind": "galassia"}).content.decode()

    assert _result_names(html) == []
    assert 'role="alert"' in html
    assert "galassia" in html


def test_search_is_paginated_by_twenty(client):
    for n in range(25):
        TerritoryFactory(name=f"Borgo {n:02d}")

    first = client.get(EN_SEARCH, {"q": "borgo"}).content.decode()
    second = client.get(EN_SEARCH, {"q": "borgo", "page": 2}).content.decode()

    assert _result_names(first) == [f"Borgo {n:02d}" for n in range(20)]
    assert _result_names(second) == [f"Borgo {n:02d}" for n in range(20, 25)]
    assert 'href="?q=borgo&amp;page=2"' in first
    assert "25 territories for “borgo”" in first


def test_search_that_matches_nothing_says_so(client):
    make_italy_slice()

    html = client.get(EN_SEARCH, {"q": "atlantide"}).content.decode()

    assert "0 territories for “atlantide”" in html
    assert "No territory has that name or code." in html


# ---- suggestions --------------------------------------------------------------------------------------


def test_suggestions_list_matching_territories_as_links(client):
    make_italy_slice()

    response = client.get(EN_SUGGEST, {"q": "aglie", "box": "header"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert _suggested(html) == ["Agliè"]
    assert 'href="/en/territori/comune/001001/"' in html
    assert "Municipality · Torino, Piemonte" in html
    # The status line goes out of band into the live region of the box that asked.
    assert (
        '<p id="header-status" hx-swap-oob="innerHTML">1 suggestion: use the down arrow to reach it.</p>'
        in html
    )
    assert "HX-Request" in response["Vary"]


def test_suggestions_wait_for_two_characters(client):
    make_italy_slice()

    html = client.get(SUGGEST, {"q": "a", "box": "home"}).content.decode()

    assert _suggested(html) == []
    assert '<p id="home-status" hx-swap-oob="innerHTML"></p>' in html


def test_suggestions_say_when_nothing_matches(client):
    make_italy_slice()

    html = client.get(EN_SUGGEST, {"q": "zzz", "box": "home"}).content.decode()

    assert _suggested(html) == []
    assert "No territory matches “zzz”." in html
    assert '<p id="home-status" hx-swap-oob="innerHTML">No territory matches.</p>' in html


def test_suggestions_stop_at_eight_and_link_to_all_results(client):
    for n in range(10):
        TerritoryFactory(name=f"Borgo {n}")

    html = client.get(EN_SUGGEST, {"q": "borgo", "box": "page"}).content.decode()

    assert _suggested(html) == [f"Borgo {n}" for n in range(8)]
    assert 'href="/en/territori/cerca/?q=borgo"' in html


def test_suggestions_refuse_a_box_id_that_is_not_a_slug(client):
    make_italy_slice()

    html = client.get(SUGGEST, {"q": "aglie", "box": '"><script>'}).content.decode()

    assert _suggested(html) == []
    assert "<script>" not in html
    assert '<p id="search-status" hx-swap-oob="innerHTML"></p>' in html


# ---- territory page -----------------------------------------------------------------------------------


def _aglie_with_attributes() -> Territory:
    aglie = make_italy_slice()["aglie"]
    Territory.objects.filter(pk=aglie.pk).update(
        area_km2=13.15,
        altimetric_zone=Territory.AltimetricZone.INLAND_HILL,
        is_coastal=False,
        degurba=Territory.Degurba.TOWNS,
        inner_area_class="C",
        travel_minutes_to_hub=24.4,
        cadastral_code="A074",
        code_2026="001001",
        crosswalk_2026=Territory.Crosswalk2026.SAME,
    )
    return aglie


def test_comune_page_links_its_parents_in_the_breadcrumb_and_the_facts(client):
    _aglie_with_attributes()

    response = client.get("/territori/comune/001001/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Agliè</h1>" in html
    crumbs = re.findall(r'<li class="breadcrumb-item"><a href="([^"]+)">', html)
    assert crumbs == [
        "/",
        "/territori/cerca/",
        "/territori/italia/IT/",
        "/territori/regione/01/",
        "/territori/provincia/001/",
    ]
    assert '<li class="breadcrumb-item active" aria-current="page">Agliè</li>' in html
    assert '<dd><a href="/territori/regione/01/">Piemonte</a></dd>' in html
    assert '<dd><a href="/territori/provincia/001/">Torino</a></dd>' in html


def test_comune_page_describes_its_attributes(client):
    _aglie_with_attributes()

    html = client.get("/en/territori/comune/001001/").content.decode()

    assert "<dt>Altimetric zone</dt><dd>Inland hill</dd>" in html
    assert "<dt>Touches the sea</dt><dd>no</dd>" in html
    assert "<dt>On a minor island</dt><dd>not available</dd>" in html
    assert "<dd>Towns and suburbs (intermediate density)</dd>" in html
    assert '<dd>C – Belt<br><span class="small">24 minutes to the nearest hub</span></dd>' in html
    assert "<dt>Cadastral code</dt><dd>A074</dd>" in html
    assert '<dd>001001<br><span class="small">Same code in 2026</span></dd>' in html
    assert "<dt>Area</dt><dd>13.15 km²</dd>" in html


def test_comune_page_shows_residents_by_year_and_their_change(client):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2022, per_age=(10, 11))
    add_population(aglie, year=2023, per_age=(12, 11))

    italian = client.get("/territori/comune/001001/").content.decode()
    english = client.get("/en/territori/comune/001001/").content.decode()

    # 101 ages × 21 in 2022, × 23 in 2023: +202, +9.52 %.
    assert '<tr><th scope="row">2022</th><td class="text-end">2.121</td></tr>' in italian
    assert '<tr><th scope="row">2023</th><td class="text-end">2.323</td></tr>' in italian
    assert "+202 (+9,52 %)" in italian
    assert '<tr><th scope="row">2023</th><td class="text-end">2,323</td></tr>' in english
    assert "+202 (+9.52 %)" in english
    assert "residents on 1 January 2023" in english
    assert "change from 2022 to 2023" in english


def test_comune_page_passes_the_pyramid_as_json_for_the_chart(client):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2023, per_age=(12, 11))

    html = client.get("/territori/comune/001001/").content.decode()

    found = re.search(r'<script id="pyramid-data" type="application/json">(.*?)</script>', html)
    data = json.loads(found.group(1))
    assert data["ages"] == list(range(101))
    assert data["males"] == [12] * 101
    assert data["females"] == [11] * 101
    assert data["maxAge"] == 100
    assert data["separators"] == ",."
    assert '<figure class="wl-chart" aria-labelledby="pyramid-caption">' in html
    assert '<script src="/static/vendor/plotly/plotly.min.js" defer></script>' in html
    assert '<script src="/static/welfarelab/js/pyramid.js" defer></script>' in html


def test_comune_page_has_the_tables_beside_the_chart(client):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2023, per_age=(12, 11))

    html = client.get("/territori/comune/001001/").content.decode()

    def row(label: str, *cells: str) -> str:
        return f'<tr><th scope="row">{label}</th>' + "".join(f'<td class="text-end">{c}</td>' for c in cells)

    # 5-year groups for the chart's table, then 100 and over.
    assert row("0-4", "60", "55", "115") + "</tr>" in html
    assert row("95-99", "60", "55", "115") + "</tr>" in html
    assert row("100+", "12", "11", "23") + "</tr>" in html
    # Age bands with their share of all residents: 0-2 is 3 ages of 101 (2.97 %, rounded).
    assert row("0-2", "36", "33", "69", "3,0 %") + "</tr>" in html
    assert row("85+", "192", "176", "368", "15,8 %") + "</tr>" in html


def test_comune_without_population_says_not_available_never_zero(client):
    make_italy_slice()

    english = client.get("/en/territori/comune/001001/").content.decode()
    italian = client.get("/territori/comune/001001/").content.decode()

    assert "Population not available." in english
    assert "unknown, not zero" in english
    assert "residents on 1 January" not in english
    assert "pyramid-data" not in italian
    assert "plotly.min.js" not in italian
    assert '<td class="text-end">0</td>' not in italian


def test_provincia_page_lists_its_comuni_with_their_residents(client):
    slice_ = make_italy_slice()
    add_population(slice_["torino"], year=2023, per_age=(1, 1))
    add_population(slice_["aglie"], year=2023, per_age=(1, 1))
    TerritoryFactory(code="001002", name="Airasca", regione=slice_["piemonte"], provincia=slice_["torino"])

    html = client.get("/en/territori/provincia/001/").content.decode()

    members = re.findall(r'<th scope="row"><a href="(/en/territori/comune/\d+/)">([^<]+)</a></th>', html)
    assert members == [("/en/territori/comune/001001/", "Agliè"), ("/en/territori/comune/001002/", "Airasca")]
    assert '<td>001001</td>\n            <td class="text-end">202</td>' in html
    assert (
        '<td>001002</td>\n            <td class="text-end"><span class="text-muted">not available</span></td>'
        in html
    )
    assert '<span class="wl-count">2</span>' in html


def test_ambito_page_lists_its_comuni_and_links_its_regione(client):
    slice_ = make_italy_slice()
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="TO01", name="Ambito di Cuorgnè", regione=slice_["piemonte"]
    )
    Territory.objects.filter(pk=slice_["aglie"].pk).update(ambito=ambito)

    ambito_html = client.get("/en/territori/ambito/TO01/").content.decode()
    aglie_html = client.get("/en/territori/comune/001001/").content.decode()

    members = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>', ambito_html)
    assert members == [("/en/territori/comune/001001/", "Agliè")]
    assert '<dd><a href="/en/territori/regione/01/">Piemonte</a></dd>' in ambito_html
    assert (
        '<dt>Social district (ATS)</dt><dd><a href="/en/territori/ambito/TO01/">Ambito di Cuorgnè</a></dd>'
        in (aglie_html)
    )
    assert (
        '<a href="/en/territori/ambito/TO01/">Ambito di Cuorgnè</a><span class="separator">/</span>'
        in aglie_html
    )


def test_italy_page_lists_the_regions_by_code(client):
    make_italy_slice()

    html = client.get("/en/territori/italia/IT/").content.decode()

    members = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)
    assert members == ["Piemonte", "Lazio"]
    assert re.search(r"<h2 id=\"members-heading\" tabindex=\"-1\">\s*Regions", html)


def _torino_with_55_more_comuni() -> None:
    slice_ = make_italy_slice()
    for n in range(55):
        TerritoryFactory(
            code=f"001{n + 100:03d}",
            name=f"Borgo {n:02d}",
            regione=slice_["piemonte"],
            provincia=slice_["torino"],
        )


def test_members_page_two_as_an_htmx_fragment(client):
    _torino_with_55_more_comuni()

    response = client.get(
        "/territori/provincia/001/", {"page": 2}, headers={"HX-Request": "true", "HX-Target": "members"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="members"')
    assert "<html" not in html
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)
    assert names == [f"Borgo {n:02d}" for n in range(49, 55)]  # page 1: Agliè and Borgo 00-48
    assert "HX-Target" in response["Vary"]


def test_members_pagination_works_without_javascript(client):
    _torino_with_55_more_comuni()

    html = client.get("/territori/provincia/001/", {"page": 2}).content.decode()

    assert "<html" in html
    assert 'href="?page=1#members" hx-get="?page=1" hx-target="#members"' in html


@pytest.mark.parametrize(
    "path", ["/en/territori/comune/999999/", "/en/territori/galassia/001001/", "/en/territori/comune/"]
)
def test_unknown_territory_gets_the_404_page_in_the_shell(client, path):
    make_italy_slice()

    response = client.get(path)

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert '<main id="main-content" tabindex="-1">' in html
    assert '<header class="it-header-wrapper">' in html
    assert '<footer class="it-footer" id="footer">' in html


def test_territory_page_in_english_has_english_lang(client):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2023, per_age=(12, 11))

    html = client.get("/en/territori/comune/001001/").content.decode()

    assert '<html lang="en">' in html
    assert '"separators": ".,"' in html


def test_a_year_without_rows_is_left_out_not_shown_as_zero(client):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2023, per_age=(12, 11))

    html = client.get("/en/territori/comune/001001/").content.decode()

    assert PopulationByAge.objects.filter(territory=aglie, year=2022).count() == 0
    assert '<th scope="row">2022</th>' not in html
    assert "change from" not in html
