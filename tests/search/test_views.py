"""The help-desk search page and its as-you-type suggestions, through HTTP.

Interface text is asserted on the English pages (`/en/…`): the msgids are English, and the Italian
catalogue translates them on the default pages.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.search.conftest import ArticleFactory

pytestmark = pytest.mark.django_db

SEARCH = "/sportello/cerca/"
SUGGEST = "/sportello/suggerimenti/"
EN_SEARCH = "/en/sportello/cerca/"
EN_SUGGEST = "/en/sportello/suggerimenti/"


def _result_codes(html: str) -> list[str]:
    return re.findall(r'class="wl-result-name" href="/(?:en/)?sportello/articoli/([^/]+)/"', html)


def _suggested(html: str) -> list[str]:
    return re.findall(r'<a href="/(?:en/)?sportello/articoli/([^/]+)/">', html)


def test_urls_are_the_public_italian_ones():
    assert reverse("helpdesk:search") == SEARCH
    assert reverse("helpdesk:suggest") == SUGGEST


# ---- the results page -----------------------------------------------------------------------------------


def test_without_a_query_the_page_shows_the_box_with_suggestions_and_no_results(client):
    html = client.get(EN_SEARCH).content.decode()

    assert _result_codes(html) == []
    assert "Type a question above" in html
    # the box of the territory search pattern: htmx suggestions, keyboard script hooks, live region
    assert 'id="kb-q" name="q" type="search"' in html
    assert f'hx-get="{EN_SUGGEST}"' in html
    assert 'data-suggest="kb"' in html
    assert 'aria-controls="kb-suggestions"' in html
    assert '<p id="kb-status" class="visually-hidden" role="status"></p>' in html
    assert '<div id="kb-suggestions" class="wl-suggestions" data-suggestions-for="kb"></div>' in html
    assert "<script>" not in html  # no inline script: the CSP allows files from 'self' only


def test_results_are_ranked_with_title_theme_and_highlighted_snippet(client, seeded):
    html = client.get(EN_SEARCH, {"q": "devo fare il bilancio sociale?"}).content.decode()

    codes = _result_codes(html)
    assert codes[0] == "ts-018"
    assert (
        '<a class="wl-result-name" href="/en/sportello/articoli/ts-018/"><mark>Bilancio sociale</mark></a>'
        in html
    )
    assert "articles for “devo fare il bilancio sociale?”" in html
    assert '<p class="wl-kb-snippet mb-0">' in html


def test_a_corrected_typo_is_said_on_the_page(client, seeded):
    html = client.get(EN_SEARCH, {"q": "bilacio sociale"}).content.decode()

    assert _result_codes(html)[0] == "ts-018"
    assert "Results for “<strong>bilancio sociale</strong>”: we corrected what looked like a typo." in html


def test_the_query_and_the_articles_are_escaped(client):
    ArticleFactory.create(
        code="kb-001", title="<b>Polizza</b>", answer_markdown="La polizza <script>x()</script>."
    )

    html = client.get(EN_SEARCH, {"q": "polizza <script>alert(1)</script>"}).content.decode()

    assert _result_codes(html) == ["kb-001"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;<mark>Polizza</mark>&lt;/b&gt;" in html


def test_nothing_found_says_so(client, seeded):
    html = client.get(EN_SEARCH, {"q": "zzzz"}).content.decode()

    assert _result_codes(html) == []
    assert "No article answers that question yet." in html


def test_the_italian_page_is_in_italian(client, seeded):
    html = client.get(SEARCH, {"q": "odv e aps differenze"}).content.decode()

    assert _result_codes(html)[0] == "ts-010"
    assert '<html lang="it">' in html


def test_results_are_paginated(client, seeded):
    first = client.get(EN_SEARCH, {"q": "volontari enti"}).content.decode()
    second = client.get(EN_SEARCH, {"q": "volontari enti", "page": 2}).content.decode()

    assert len(_result_codes(first)) == 10
    assert _result_codes(second)
    assert not set(_result_codes(first)) & set(_result_codes(second))


# ---- suggestions ----------------------------------------------------------------------------------------


def test_suggestions_complete_the_word_being_typed(client, seeded):
    response = client.get(EN_SUGGEST, {"q": "bilancio soc", "box": "kb"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert _suggested(html)[0] == "ts-018"
    assert '<span class="wl-suggestion-name"><mark>Bilancio sociale</mark></span>' in html
    # the status goes out of band into the live region of the box that asked
    assert re.search(
        r'<p id="kb-status" hx-swap-oob="innerHTML">\d articles: use the down arrow to reach them.</p>', html
    )
    assert "HX-Request" in response["Vary"]


def test_suggestions_stop_at_six_and_link_to_all_results(client, seeded):
    html = client.get(EN_SUGGEST, {"q": "volontari", "box": "kb"}).content.decode()

    assert len(_suggested(html)) == 6
    assert f'<a href="{EN_SEARCH}?q=volontari">All results for “volontari”</a>' in html


def test_suggestions_wait_for_three_characters(client, seeded):
    html = client.get(EN_SUGGEST, {"q": "bi", "box": "kb"}).content.decode()

    assert _suggested(html) == []
    assert '<p id="kb-status" hx-swap-oob="innerHTML"></p>' in html


def test_suggestions_say_when_nothing_matches(client, seeded):
    html = client.get(EN_SUGGEST, {"q": "zzzz", "box": "kb"}).content.decode()

    assert _suggested(html) == []
    assert '<p id="kb-status" hx-swap-oob="innerHTML">No article matches.</p>' in html
    assert "No article matches “zzzz”." in html


def test_suggestions_refuse_a_box_id_that_is_not_a_slug(client, seeded):
    html = client.get(EN_SUGGEST, {"q": "bilancio", "box": '"><script>'}).content.decode()

    assert _suggested(html) == []
    assert '<p id="kb-status" hx-swap-oob="innerHTML"></p>' in html
    assert "<script>" not in html


def test_suggestions_never_show_unpublished_articles(client):
    ArticleFactory.create(code="kb-001", title="Polizza volontari", is_published=False)

    assert _suggested(client.get(EN_SUGGEST, {"q": "polizza", "box": "kb"}).content.decode()) == []
