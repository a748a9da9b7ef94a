"""kb_search over the database: published articles only, an index rebuilt when the articles change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.search.conftest import ArticleFactory
from welfarelab.helpdesk.models import Article, Tag
from welfarelab.search.knowledge_base import kb_search

pytestmark = pytest.mark.django_db


def _codes(query: str, **options: object) -> list[str]:
    return [hit.code for hit in kb_search(query=query, **options).hits]  # type: ignore[arg-type]


def test_a_blank_query_finds_nothing(seeded):
    result = kb_search(query="   ")

    assert result.hits == ()
    assert result.total == 0


def test_hits_carry_what_pages_and_api_show(seeded):
    hit = kb_search(query="5x1000 come funziona", limit=1).hits[0]

    assert hit.code == "ts-031"
    assert hit.url == "/sportello/articoli/ts-031/"
    assert hit.theme == Article.objects.get(code="ts-031").theme
    assert hit.score > 0
    assert "<mark>" in hit.title_html
    assert hit.snippet.startswith("Gli ETS iscritti al RUNTS possono accreditarsi")


def test_unpublished_articles_are_never_found():
    ArticleFactory.create(code="kb-001", title="Polizza volontari", is_published=True)
    ArticleFactory.create(code="kb-002", title="Polizza volontari bozza", is_published=False)

    assert _codes("polizza") == ["kb-001"]


def test_the_index_follows_an_article_edited_after_a_search():
    # given an index built by a first search
    article = ArticleFactory.create(code="kb-001", title="Statuto", answer_markdown="Cosa scrivere.")
    assert _codes("assemblea") == []

    # when the article is edited (as the admin or a service saves it)
    article.answer_markdown = "Cosa scrivere sull'assemblea dei soci."
    article.save()

    # then the next search sees the change
    assert _codes("assemblea") == ["kb-001"]


def test_the_index_follows_articles_added_unpublished_and_deleted():
    first = ArticleFactory.create(code="kb-001", title="Polizza volontari")
    assert _codes("polizza") == ["kb-001"]

    second = ArticleFactory.create(code="kb-002", title="Polizza infortuni")
    assert _codes("polizza") == ["kb-001", "kb-002"]

    Article.objects.filter(pk=first.pk).update(is_published=False)  # no save(), no updated_at
    assert _codes("polizza") == ["kb-002"]

    second.delete()
    assert _codes("polizza") == []


def test_the_index_follows_tags_added_to_an_article():
    article = ArticleFactory.create(code="kb-001", title="Registro")
    assert _codes("vidimazione") == []

    article.tags.add(Tag.objects.create(name="vidimazione", slug="vidimazione"))

    assert _codes("vidimazione") == ["kb-001"]


def test_the_operators_synonym_file_applies_without_a_restart(settings, tmp_path: Path):
    # given an article that says "sportello" and an operators' file that does not know "help desk" yet
    local = tmp_path / "sinonimi_locali.txt"
    local.write_text("# nothing yet\n", encoding="utf-8")
    settings.WELFARELAB_SEARCH_SYNONYMS_FILE = str(local)
    ArticleFactory.create(code="kb-001", title="Orari dello sportello")
    assert _codes("help desk") == []

    # when an operator adds a group
    local.write_text("sportello, help desk\n", encoding="utf-8")

    # then the next search uses it
    assert _codes("help desk") == ["kb-001"]


def test_limit_caps_the_hits_not_the_total(seeded):
    result = kb_search(query="volontari", limit=2)

    assert len(result.hits) == 2
    assert result.total > 2


def test_a_corrected_query_is_reported(seeded):
    result = kb_search(query="bilacio sociale")

    assert result.hits[0].code == "ts-018"
    assert result.corrected_query == "bilancio sociale"
    assert kb_search(query="bilancio sociale").corrected_query is None
