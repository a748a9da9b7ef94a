"""Results do not depend on the database: kb_search on it ranks and scores exactly as the index built
straight from the seed files, with no database at all.

CI runs this file on SQLite and on PostgreSQL; since both equal the database-free ranking, they equal
each other.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.search.conftest import EXTRA_CASES, SHARED_CASES
from welfarelab.search.evaluation import load_cases
from welfarelab.search.knowledge_base import kb_search

pytestmark = pytest.mark.django_db


def test_every_case_ranks_and_scores_the_same_with_and_without_the_database(seeded, seed_index):
    queries = [case.query for path in (SHARED_CASES, EXTRA_CASES) for case in load_cases(path)]
    assert connection.vendor in {"sqlite", "postgresql"}

    for query in queries:
        through_database = [
            (hit.code, hit.score, str(hit.snippet)) for hit in kb_search(query=query, limit=10).hits
        ]
        without = [(hit.key, hit.score, hit.snippet_html) for hit in seed_index.search(query, limit=10).hits]
        assert through_database == without, query


@pytest.mark.parametrize(
    ("query", "first_three"),
    [
        ("quanto costa iscriversi al runts", ["ts-007", "ts-009", "ts-008"]),
        ("odv e aps differenze", ["ts-010", "ts-026", "ts-039"]),
    ],
)
def test_known_rankings_hold_on_this_database(seeded, query, first_three):
    assert [hit.code for hit in kb_search(query=query, limit=3).hits] == first_three
