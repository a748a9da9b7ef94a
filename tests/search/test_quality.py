"""Quality gate: recall@3 ≥ 0.9 on the shared case file and on ours, through the database.

Not a timing: the cases go through `kb_search` on the seeded knowledge base, as the pages and the API
do. `benchmarks/helpdesk_search.py` prints the same figures with recall@1, MRR and latency.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.search.conftest import EXTRA_CASES, SHARED_CASES
from welfarelab.search.evaluation import evaluate, load_cases
from welfarelab.search.knowledge_base import kb_search

pytestmark = pytest.mark.django_db

MIN_RECALL_AT_3 = 0.9


def _rank(query: str) -> list[str]:
    return [hit.code for hit in kb_search(query=query, limit=10).hits]


@pytest.mark.parametrize("path", [SHARED_CASES, EXTRA_CASES], ids=["shared", "ours"])
def test_recall_at_3_is_at_least_0_9(seeded, path: Path):
    if not path.is_file():
        pytest.fail(f"The case file {path} is missing.")
    cases = load_cases(path)

    report = evaluate(cases, _rank)

    missed = "\n".join(f"{m.query!r}: expected {m.expected}, got {m.got}" for m in report.misses_at_3)
    assert report.recall_at_3 >= MIN_RECALL_AT_3, f"{report.line()}\n{missed}"


def test_our_cases_are_many_and_cover_questions_the_shared_file_does_not_ask():
    ours = load_cases(EXTRA_CASES)
    shared = load_cases(SHARED_CASES)

    assert len(ours) >= 30
    assert not {case.query for case in ours} & {case.query for case in shared}
    assert {key for case in ours for key in case.expected} - {key for case in shared for key in case.expected}
