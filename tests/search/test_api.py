"""GET /search of the knowledge-base search router (mounted at /api/v1/kb/search).

The router is driven through ninja's test client, which runs the same validation and serialisation as
the mounted API.
"""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from tests.search.conftest import ArticleFactory
from welfarelab.api.v1.kb_search import router

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> TestClient:
    return TestClient(router)


def test_search_answers_ranked_articles_with_score_snippet_and_url(api, seeded):
    response = api.get("/search", query_params={"q": "5x1000 come funziona", "limit": 3})

    assert response.status_code == 200
    hits = response.json()
    assert len(hits) == 1  # only one article speaks of the 5 per mille
    assert list(hits[0]) == ["code", "title", "theme", "score", "snippet", "url"]
    assert hits[0]["code"] == "ts-031"
    assert hits[0]["url"] == "/sportello/articoli/ts-031/"
    assert hits[0]["score"] > 0
    assert hits[0]["snippet"].startswith("Gli ETS iscritti al RUNTS possono accreditarsi")


def test_scores_go_down_and_limit_caps_the_list(api, seeded):
    hits = api.get("/search", query_params={"q": "volontari", "limit": 4}).json()

    assert len(hits) == 4
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_snippets_are_escaped_with_only_mark_as_markup(api):
    ArticleFactory.create(
        code="kb-001", title="Polizza", answer_markdown="La polizza & <img src=x onerror=alert(1)>."
    )

    hit = api.get("/search", query_params={"q": "polizza"}).json()[0]

    assert (
        hit["snippet"] == "La <mark>polizza</mark> &amp; ."
    )  # Markdown's sanitiser already dropped the <img>


def test_nothing_found_is_an_empty_list(api, seeded):
    response = api.get("/search", query_params={"q": "zzzz"})

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "x" * 201}, {"q": "odv", "limit": 0}, {"q": "odv", "limit": 51}],
)
def test_bad_parameters_are_422(api, params):
    response = api.get("/search", query_params=params)

    assert response.status_code == 422
