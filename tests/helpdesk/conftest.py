"""The knowledge base seeded from the bundled FAQ, and the people of the help desk."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import UserFactory
from welfarelab.helpdesk.seed import SeedReport, knowledge_base_seed

SEED_ARTICLES = 49
RAW_MARK = "da verificare"


@pytest.fixture
def english():
    """Compare pages with their English msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


@pytest.fixture
def seeded(db) -> SeedReport:
    return knowledge_base_seed()


@pytest.fixture
def operator(db):
    return UserFactory(is_desk_operator=True, first_name="Giulia", last_name="Bianchi")


@pytest.fixture
def coordinator(db):
    return UserFactory(is_lab_coordinator=True)


@pytest.fixture
def member(db):
    """Somebody signed in who is neither an operator nor a coordinator."""
    return UserFactory()
