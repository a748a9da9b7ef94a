"""The words of the Italian language, to tell a typo from a real word that the index does not hold.

A query word that is a real Italian word ("prodotti") is never "corrected" into a word of the index
that looks like it ("progetti"): it simply finds nothing. Only a word that is neither in the index nor
in the language is taken for a typo. The list is the Italian frequency dictionary that pyspellchecker
ships (about 120,000 words seen at least 50 times in a large corpus of subtitles), folded like our
text; it is read once per process, on the first unknown word (about 0.15 s).

Pure: no Django.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

from welfarelab.core.text import fold


@lru_cache(maxsize=1)
def italian_words() -> frozenset[str]:
    resource = resources.files("spellchecker") / "resources" / "it.json.gz"
    with resource.open("rb") as handle:
        frequencies: dict[str, int] = json.loads(gzip.decompress(handle.read()))
    return frozenset(word if word.isascii() else fold(word) for word in frequencies)


def is_italian_word(word: str) -> bool:
    """Whether a folded word is a word of the Italian language (`prodotti` is, `bilacio` is not)."""
    return word in italian_words()
