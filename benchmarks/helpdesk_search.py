"""Measure the help-desk search: quality (recall@1, recall@3, MRR), latency and index build time.

    .venv/bin/python benchmarks/helpdesk_search.py                  # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/helpdesk_search.py
    .venv/bin/python benchmarks/helpdesk_search.py --misses         # also list the cases missed at 3

The 49 articles of the help-desk seed are loaded into a fresh database by the help desk's own seeding
service (`welfarelab.helpdesk.seed.knowledge_base_seed`), and every query goes through
`welfarelab.search.knowledge_base.kb_search`, as the pages and the API do. Two case files are measured
apart: the shared one (`shared/eval/helpdesk_queries.yaml`, questions written as people write them) and
ours (`tests/search/extra_queries.yaml`: typos, acronyms, colloquial words, questions the shared file
does not ask). A case is a hit at k when any of its articles is among the first k results.

Latency is per query, through `kb_search` (the stamp check against the database included), over every
case of both files, several rounds; suggestions are the same with the last word cut in half
(`prefix=True`). The index build is the read of the published articles plus the bm25s indexes, with
the median of several builds; the Italian dictionary used to tell typos from words is loaded once per
process (timed apart). On PostgreSQL the named database is dropped and created again: never point it
at real data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")

SHARED_CASES = ROOT / "tests" / "search" / "shared_queries.yaml"  # copy of shared/eval/helpdesk_queries.yaml
EXTRA_CASES = ROOT / "tests" / "search" / "extra_queries.yaml"
ROUNDS = 5
BUILDS = 7
SCALE = 20  # the seed repeated, for the build time of a knowledge base of about 1,000 articles


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _fresh_database() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the cases missed at 3")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from load_open_data import _recreate_postgres_database  # the sibling benchmark

    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.db import connection

    from welfarelab.helpdesk.seed import knowledge_base_seed
    from welfarelab.search import knowledge_base
    from welfarelab.search.dictionary import italian_words
    from welfarelab.search.engine import Document
    from welfarelab.search.evaluation import evaluate, load_cases

    started = time.perf_counter()
    _fresh_database()
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    report = knowledge_base_seed()
    seeded = time.perf_counter() - started
    print(
        f"database: {connection.vendor}; migrate {migrated:.1f} s, "
        f"seed {seeded:.2f} s ({report.articles} articles)"
    )

    started = time.perf_counter()
    italian_words()
    dictionary_load = time.perf_counter() - started

    builds = []
    for _ in range(BUILDS):
        started = time.perf_counter()
        documents, _articles = knowledge_base._published_documents()
        knowledge_base.build_index(documents)
        builds.append(time.perf_counter() - started)
    scaled = [
        Document(key=f"{document.key}-{copy}", fields=document.fields)
        for copy in range(SCALE)
        for document in documents
    ]
    started = time.perf_counter()
    knowledge_base.build_index(scaled)
    scaled_build = time.perf_counter() - started

    def rank(query: str) -> list[str]:
        return [hit.code for hit in knowledge_base.kb_search(query=query, limit=10).hits]

    print(f"articles indexed: {len(documents)}")
    all_queries: list[str] = []
    for name, path in (("shared", SHARED_CASES), ("ours", EXTRA_CASES)):
        if not path.is_file():
            print(f"{name:6s}  (no file at {path})")
            continue
        cases = load_cases(path)
        all_queries.extend(case.query for case in cases)
        result = evaluate(cases, rank)
        print(f"{name:6s}  {result.line()}")
        if args.misses:
            for miss in result.misses_at_3:
                print(f"        missed: {miss.query!r} expects {list(miss.expected)}, got {list(miss.got)}")

    latencies: list[float] = []
    suggestions: list[float] = []
    for _ in range(ROUNDS):
        for query in all_queries:
            started = time.perf_counter()
            knowledge_base.kb_search(query=query, limit=10)
            latencies.append(time.perf_counter() - started)
            cut = query[: max(3, len(query) - len(query.split()[-1]) // 2)]
            started = time.perf_counter()
            knowledge_base.kb_search(query=cut, limit=6, prefix=True)
            suggestions.append(time.perf_counter() - started)

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    print(
        f"query latency ({len(latencies)} searches): median {ms(statistics.median(latencies))}, "
        f"p95 {ms(_percentile(latencies, 0.95))}"
    )
    print(
        f"suggestion latency ({len(suggestions)} prefixes): median {ms(statistics.median(suggestions))}, "
        f"p95 {ms(_percentile(suggestions, 0.95))}"
    )
    print(
        f"index build ({len(documents)} articles, read + index): median {ms(statistics.median(builds))}; "
        f"{len(scaled)} articles (the seed ×{SCALE}, index only): {ms(scaled_build)}; "
        f"Italian dictionary, once per process: {ms(dictionary_load)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
