from __future__ import annotations

from pathlib import Path

import factory
import pytest
from django.utils import translation
from factory.django import DjangoModelFactory

from welfarelab.helpdesk.markup import markdown_to_text
from welfarelab.helpdesk.models import Article
from welfarelab.helpdesk.seed import knowledge_base_seed, seed_read
from welfarelab.search.engine import Document, SearchIndex
from welfarelab.search.knowledge_base import article_document, build_index

SHARED_CASES = (
    Path(__file__).resolve().parent / "shared_queries.yaml"
)  # copy of shared/eval/helpdesk_queries.yaml
EXTRA_CASES = Path(__file__).with_name("extra_queries.yaml")


def seed_documents() -> list[Document]:
    """The 49 seeded articles as the knowledge base indexes them, read from the seed files (no database)."""
    with translation.override("it"):
        themes = {value: str(label) for value, label in Article.Theme.choices}
    return [
        article_document(
            code=article.code,
            title=article.title,
            question=article.question,
            answer_text=markdown_to_text(article.answer_markdown),
            theme_label=themes[article.theme],
            tags=article.tags,
            references=[label for label, _rows in article.references],
        )
        for article in seed_read()
    ]


@pytest.fixture(scope="session")
def seed_index() -> SearchIndex:
    return build_index(seed_documents())


@pytest.fixture
def seeded(db: None) -> None:
    """The 49 articles of the help-desk seed in the database, through the help desk's seeding service."""
    knowledge_base_seed()


class ArticleFactory(DjangoModelFactory[Article]):
    class Meta:
        model = Article

    code = factory.Sequence(lambda n: f"kb-{n + 100:03d}")
    title = factory.Sequence(lambda n: f"Articolo {n}")
    question = "Una domanda?"
    answer_markdown = "Una risposta."
    theme = Article.Theme.OTHER
    is_published = True
