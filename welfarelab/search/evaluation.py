"""Measuring search quality: recall@1, recall@3 and mean reciprocal rank over a file of cases.

A case is a query written the way people write it and the keys of the documents that answer it
(`{q: "differenza tra odv e aps", ids: [ts-010]}`). A case is a hit at k when any of its keys is among
the first k results; its reciprocal rank is 1 / the rank of the first of its keys (0 if none is in the
results). Used by `benchmarks/helpdesk_search.py` and by the quality gate in `tests/search/`.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True, slots=True)
class EvalCase:
    query: str
    expected: frozenset[str]


@dataclass(frozen=True, slots=True)
class Miss:
    query: str
    expected: tuple[str, ...]
    got: tuple[str, ...]  # the first three results


@dataclass(frozen=True, slots=True)
class EvalReport:
    cases: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses_at_3: tuple[Miss, ...]

    def line(self) -> str:
        return (
            f"cases {self.cases:3d}  recall@1 {self.recall_at_1:.3f}  "
            f"recall@3 {self.recall_at_3:.3f}  MRR {self.mrr:.3f}"
        )


def load_cases(path: Path) -> list[EvalCase]:
    """The cases of a YAML file: a list of `{q: text, ids: [key, …]}`."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    cases = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not item.get("q") or not item.get("ids"):
            raise ValueError(f"{path.name}: case {number} needs a query `q` and a list of `ids`.")
        cases.append(EvalCase(query=str(item["q"]), expected=frozenset(str(key) for key in item["ids"])))
    return cases


def evaluate(cases: Sequence[EvalCase], rank: Callable[[str], Sequence[str]]) -> EvalReport:
    """Runs every case through `rank` (query → keys, best first) and measures the answers."""
    at_1 = at_3 = 0
    reciprocal = 0.0
    misses: list[Miss] = []
    for case in cases:
        keys = list(rank(case.query))
        first = next((i for i, key in enumerate(keys) if key in case.expected), None)
        if first is not None:
            reciprocal += 1 / (first + 1)
            at_1 += first == 0
            at_3 += first < 3
        if first is None or first >= 3:
            misses.append(Miss(case.query, tuple(sorted(case.expected)), tuple(keys[:3])))
    n = len(cases) or 1
    return EvalReport(
        cases=len(cases),
        recall_at_1=at_1 / n,
        recall_at_3=at_3 / n,
        mrr=reciprocal / n,
        misses_at_3=tuple(misses),
    )
