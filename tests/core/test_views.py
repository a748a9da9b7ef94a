"""The interface shell (header, footer, language, errors) and the home page.

Interface text is asserted on the English pages (`/en/…`): the msgids are English, and the Italian
catalogue translates them on the default pages.
"""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, add_population, make_italy_slice
from welfarelab.core.views import server_error
from welfarelab.territories.models import Territory

pytestmark = pytest.mark.django_db


def _figures(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<p class="wl-figure-value">([^<]+)</p>\s*<p class="wl-figure-label">([^<]+)</p>', html
    )


# ---- home ---------------------------------------------------------------------------------------------


def test_home_is_the_root_url():
    assert reverse("core:home") == "/"


def test_home_reads_its_figures_from_the_database(client):
    slice_ = make_italy_slice()
    add_population(slice_["italia"], year=2023, per_age=(300_000, 290_000))
    add_population(slice_["italia"], year=2022, per_age=(1, 1))
    Territory.objects.create(kind=Territory.Kind.AMBITO, code="TO01", name="Ambito 1", name_folded="ambito 1")
    OrganisationFactory.create_batch(3)
    OrganisationFactory(is_public=False)  # not in the public directory, so not counted

    italian = client.get("/").content.decode()
    english = client.get("/en/").content.decode()

    # 101 ages × 590,000 residents.
    assert [value for value, _label in _figures(italian)] == ["2", "1", "3", "59.590.000"]
    assert _figures(english) == [
        ("2", "comuni (ISTAT list 2023)"),
        ("1", "social districts (ATS)"),
        ("3", "organisations in the directory"),
        ("59,590,000", "residents in Italy on 1 January 2023"),
    ]


def test_home_without_data_says_so_instead_of_zeros(client):
    response = client.get("/en/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The open data are not loaded yet" in html
    assert _figures(html) == []


def test_home_with_comuni_but_no_ambiti_nor_population_shows_dashes(client):
    make_italy_slice()

    html = client.get("/en/").content.decode()

    assert _figures(html) == [
        ("2", "comuni (ISTAT list 2023)"),
        ("–", "social districts (ATS): not imported yet"),
        ("0", "organisations in the directory"),
        ("–", "residents in Italy 2023: not available"),
    ]


def test_home_tells_which_missions_are_available_and_which_are_coming(client):
    html = client.get("/en/").content.decode()

    missions = re.findall(
        r'<p class="wl-status wl-status-(\w+)">.*?</p>\s*<h3 class="card-title h5">([^<]+)</h3>', html, re.S
    )
    assert missions == [
        ("partial", "Needs assessment and community profile"),
        ("partial", "Benchmarking and mutual learning"),
        ("coming", "Shared strategic plan (Piano di Zona)"),
        ("coming", "Training and tutorship"),
        ("partial", "Help desk for Third Sector Entities (sportello ETS)"),
        ("partial", "Community and alerts"),
    ]
    # Only the missions that exist link somewhere, and only to real pages.
    assert re.findall(r'<a class="read-more" href="([^"]+)">', html) == [
        "/en/territori/cerca/",
        "/en/buone-pratiche/",
        "/en/sportello/",
        "/en/avvisi/",
    ]


def test_home_has_a_territory_search_box_with_suggestions(client):
    html = client.get("/").content.decode()

    assert '<input id="home-q" name="q" type="search"' in html
    assert 'hx-get="/territori/suggerimenti/"' in html
    assert 'hx-target="#home-suggestions"' in html
    assert '<p id="home-status" class="visually-hidden" role="status"></p>' in html


# ---- the shell ----------------------------------------------------------------------------------------


def test_shell_has_skip_link_landmarks_and_the_main_navigation(client):
    html = client.get("/en/").content.decode()

    assert '<a class="visually-hidden-focusable" href="#main-content">Skip to main content</a>' in html
    assert '<header class="it-header-wrapper">' in html
    assert '<nav class="navbar navbar-expand-lg has-megamenu" aria-label="Main navigation">' in html
    assert '<main id="main-content" tabindex="-1">' in html
    assert '<footer class="it-footer" id="footer">' in html
    nav = re.findall(r'<a class="nav-link( active)?" href="([^"]+)"', html)
    assert nav == [
        (" active", "/en/"),
        ("", "/en/territori/cerca/"),
        ("", "/en/indicatori/"),
        ("", "/en/organizzazioni/"),
        ("", "/en/servizi/"),
        ("", "/en/buone-pratiche/"),
        ("", "/en/sportello/"),
        ("", "/en/bandi/"),
    ]
    assert 'aria-current="page"><span>Home</span>' in html


def test_shell_marks_the_current_section_in_the_navigation(client):
    make_italy_slice()

    html = client.get("/en/territori/comune/001001/").content.decode()

    assert '<a class="nav-link active" href="/en/territori/cerca/"><span>Territories</span></a>' in html


def test_language_switch_is_a_post_form_to_set_language(client):
    html = client.get("/territori/cerca/?q=roma").content.decode()

    form = re.search(r'<form class="wl-lang-switch" action="([^"]+)" method="post"(.*?)</form>', html, re.S)
    assert form.group(1) == "/i18n/setlang/"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<input type="hidden" name="next" value="/territori/cerca/?q=roma">' in form.group(2)
    assert 'name="language" value="en" lang="en"' in form.group(2)
    assert 'aria-current="true"' in form.group(2)  # Italian, the current language, is not a button


def test_switching_to_english_redirects_to_the_english_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/territori/cerca/"})

    assert response.status_code == 302
    assert response["Location"] == "/en/territori/cerca/"
    assert '<html lang="en">' in client.get(response["Location"]).content.decode()


def test_switching_back_to_italian_from_an_english_page(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/territori/cerca/"})
    html = client.get("/en/territori/cerca/?q=roma").content.decode()
    next_url = re.search(r'<input type="hidden" name="next" value="([^"]+)">', html).group(1)

    response = client.post("/i18n/setlang/", {"language": "it", "next": next_url})

    assert next_url == "/territori/cerca/?q=roma"
    assert response["Location"] == "/territori/cerca/?q=roma"
    assert '<html lang="it">' in client.get(response["Location"]).content.decode()


def test_pages_are_italian_by_default(client):
    assert '<html lang="it">' in client.get("/").content.decode()


def test_anonymous_visitor_gets_a_login_link(client):
    html = client.get("/en/territori/cerca/").content.decode()

    assert 'href="/en/account/accedi/?next=/en/territori/cerca/"' in html
    assert "Log out" not in html


def test_signed_in_user_gets_a_logout_post_form(client):
    client.force_login(UserFactory(first_name="Maria"))

    html = client.get("/en/").content.decode()

    logout = r'<form action="/en/account/esci/" method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewa'
    assert re.search(logout, html)
    assert ">Log out</button>" in html
    assert "/en/account/accedi/" not in html


def test_footer_has_attribution_api_docs_and_no_statement_link_when_unset(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = ""

    html = client.get("/en/").content.decode()

    attribution = (
        "Sources: ISTAT, processed by Openpolis and onData (also the map boundaries, 2023); "
        "Agenzia delle Entrate; DPCoe-NUVAP (CC BY 4.0); "
        "MEF – Dipartimento delle Finanze (IRPEF by comune)."
    )
    assert attribution in html
    assert '<a href="/api/v1/docs">API documentation</a>' in html
    assert "Accessibility statement" not in html


def test_footer_links_the_accessibility_statement_when_set(client, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = "https://form.agid.gov.it/view/abc"

    html = client.get("/en/").content.decode()

    assert html.count('<a href="https://form.agid.gov.it/view/abc">Accessibility statement</a>') == 2


def test_header_shows_the_lab_and_owner_names(client, settings):
    settings.WELFARELAB_LAB_NAME = "Laboratorio del Welfare di Prova"
    settings.WELFARELAB_OWNER_NAME = "Comune di Prova"

    html = client.get("/").content.decode()

    assert '<div class="it-brand-title">Laboratorio del Welfare di Prova</div>' in html
    assert '<span class="navbar-brand wl-owner">Comune di Prova</span>' in html


@pytest.mark.parametrize("path", ["/", "/territori/cerca/?q=aglie", "/territori/comune/001001/", "/nessuna/"])
def test_no_page_carries_inline_javascript(client, path):
    aglie = make_italy_slice()["aglie"]
    add_population(aglie, year=2023)

    html = client.get(path).content.decode()

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
        assert 'src="/static/' not in attributes or body == ""
    # No event-handler attributes either (onclick=…), which a 'self'-only CSP would block.
    assert not re.search(r"\son[a-z]+=", html)


def test_every_asset_comes_from_our_own_static_files(client):
    html = client.get("/").content.decode()

    sources = re.findall(r'(?:src|href)="(https?:)?//', html)
    assert sources == []


# ---- errors -------------------------------------------------------------------------------------------


def test_unknown_page_gets_the_404_page_in_the_shell(client):
    response = client.get("/en/nessuna-pagina/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert '<input id="notfound-q" name="q" type="search"' in html
    assert '<a href="/en/">Go to the home page</a>' in html


def test_server_error_page_keeps_the_shell_without_session_or_language_form(settings):
    settings.WELFARELAB_LAB_NAME = "Laboratorio del Welfare di Prova"
    request = RequestFactory().get("/territori/cerca/")

    response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert '<div class="it-brand-title">Laboratorio del Welfare di Prova</div>' in html
    assert 'id="main-content"' in html
    assert "wl-lang-switch" not in html
    assert "csrfmiddlewaretoken" not in html


def test_server_error_handler_is_ours():
    from welfarelab import urls

    assert urls.handler500 == "welfarelab.core.views.server_error"
