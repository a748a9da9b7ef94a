"""Italian text analysis: words with their place in the text, folded, stemmed, stop words flagged.

The same analysis runs on the documents and on the queries, so what matters is that it is consistent,
not that each stem is a perfect lemma:

1. words are runs of letters and digits (`l'attività` is `l`, `attività`; `5x1000` stays one word);
2. each word is folded with `welfarelab.core.text.fold` (case and accents: `Attività` → `attivita`),
   so that a person who types without accents finds the accented text;
3. the folded word is stemmed with the Snowball Italian stemmer (PyStemmer, C): `organizzazioni` and
   `organizzazione` both give `organizz`;
4. Italian stop words (`stopwords_it.txt`) are flagged, not removed, so that phrases of the synonym file and snippets still
   see them.

Pure: no Django. A `Token` keeps the span of its word in the original text, for snippets.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

from welfarelab.core.text import fold

_WORD = re.compile(r"[^\W_]+")

STOP_WORDS_FILE = Path(__file__).with_name("stopwords_it.txt")


def _read_stop_words(path: Path) -> frozenset[str]:
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)


# Snowball's Italian stop list, folded, with the words around a question; `non` is kept (see the file).
STOP_WORDS: frozenset[str] = _read_stop_words(STOP_WORDS_FILE)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: folded, stemmed, whether it is a stop word, and where it stands."""

    word: str  # folded: lower case, no accents
    stem: str
    stop: bool
    start: int  # span of the word in the original text
    end: int


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer's stemmers keep state between calls: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("italian")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball Italian stem of a folded word; words with digits are kept whole (`5x1000`, `117`)."""
    if any(ch.isdigit() for ch in word):
        return word
    return str(_stemmer().stemWord(word))


def is_stop(word: str) -> bool:
    return word in STOP_WORDS


def tokens(text: str) -> list[Token]:
    """The words of `text`, in order, with their spans in `text`.

    >>> [(t.word, t.stem, t.stop) for t in tokens("Le ODV e l'Attività")]
    [('le', 'le', True), ('odv', 'odv', False), ('e', 'e', True), ('l', 'l', True), ('attivita', 'attiv', False)]
    """
    found: list[Token] = []
    for match in _WORD.finditer(text):
        # Folding one word may give several (a ligature, a superscript digit): they share its span.
        for word in fold(match.group()).split():
            found.append(Token(word, stem(word), is_stop(word), match.start(), match.end()))
    return found


def content_stems(text: str) -> list[str]:
    """The stems of the words of `text` that are not stop words, in order."""
    return [t.stem for t in tokens(text) if not t.stop]
