"""Typo tolerance and completion over the vocabulary of an index.

A query word that is not in the vocabulary (neither the word nor its stem) is replaced by the nearest
word of the vocabulary by Damerau–Levenshtein distance (a swap of two letters counts as one edit),
within a number of edits that grows with the length of the word, as search engines usually do:

| letters | edits allowed |
| ------- | ------------- |
| 1–3     | 0 (acronyms: `odv`, `aps`, `cts` are never "corrected") |
| 4–5     | 1 |
| 6+      | 2 |

Words with digits are never corrected (`5x1000`, `117`), nor real words of the language that the
vocabulary happens not to hold (`prodotti` is not bent into `progetti`: see `dictionary`). Among candidates at the same distance, one
that starts with the same letter wins (people rarely mistype the first letter), then the one found
in more documents. Words already in the vocabulary are never changed.

Pure: no Django. Distances are computed by rapidfuzz (C++), over a few thousand words in well under a
millisecond.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein


def max_edits(word: str) -> int:
    """How many edits a correction of `word` may make."""
    if any(ch.isdigit() for ch in word) or len(word) <= 3:
        return 0
    if len(word) <= 5:
        return 1
    return 2


class Speller:
    """Corrects and completes folded words against a vocabulary with document frequencies."""

    def __init__(
        self, frequencies: Mapping[str, int], *, is_word: Callable[[str], bool] | None = None
    ) -> None:
        self._frequencies = dict(frequencies)
        self._is_word = is_word
        self._sorted = sorted(self._frequencies)

    def __contains__(self, word: object) -> bool:
        return word in self._frequencies

    def __len__(self) -> int:
        return len(self._sorted)

    def correct(self, word: str) -> str | None:
        """The nearest vocabulary word to an unknown `word`, or None if none is near enough."""
        limit = max_edits(word)
        if limit == 0 or word in self._frequencies:
            return None
        if self._is_word is not None and self._is_word(word):
            return None
        candidates = process.extract(
            word, self._sorted, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None
        )
        if not candidates:
            return None
        best = min(
            candidates,
            key=lambda found: (found[1], found[0][:1] != word[:1], -self._frequencies[found[0]], found[0]),
        )
        return str(best[0])

    def complete(self, prefix: str, *, limit: int) -> list[str]:
        """Up to `limit` vocabulary words that start with `prefix`, the most frequent first."""
        if not prefix:
            return []
        start = bisect.bisect_left(self._sorted, prefix)
        found: list[str] = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=lambda word: (-self._frequencies[word], len(word), word))
        return found[:limit]
