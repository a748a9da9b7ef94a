"""Snippets: the sentence of a text that best answers a query, HTML-escaped, with its matches in <mark>.

A word is marked when its stem is one the query looks for; a term of the synonym file is marked whole
("organizzazioni di volontariato" for a query "odv"). Everything else is escaped, so a snippet is safe
to insert in a page whatever the article says.

Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from html import escape

from welfarelab.search.analysis import tokens
from welfarelab.search.synonyms import Thesaurus

# A sentence ends at . ! ? followed by a space and a capital letter, an opening quote or parenthesis:
# so "art. 14", "D.Lgs. 117/2017" and "n. 106" do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý\"«(])")

MAX_SNIPPET_CHARS = 280
ELLIPSIS = "…"


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped, without empty ones."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def _spans(text: str, *, wanted: Collection[str], thesaurus: Thesaurus) -> list[tuple[int, int]]:
    """Character spans of `text` whose stems or synonym terms are in `wanted`, merged where they overlap."""
    words = [t for t in tokens(text) if not t.stop]
    spans = [(t.start, t.end) for t in words if t.stem in wanted]
    for match in thesaurus.matches([t.stem for t in words]):
        if match.concept in wanted:
            spans.append((words[match.start].start, words[match.end - 1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, *, wanted: Collection[str], thesaurus: Thesaurus) -> str:
    """`text` HTML-escaped, with the words and terms the query looks for in <mark>."""
    parts: list[str] = []
    position = 0
    for start, end in _spans(text, wanted=wanted, thesaurus=thesaurus):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def _window(sentence: str, *, first_match: int, max_chars: int) -> str:
    """At most `max_chars` of a long sentence around its first match, cut at spaces, with ellipses."""
    if len(sentence) <= max_chars:
        return sentence
    start = max(0, first_match - max_chars // 4)
    if start > 0:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < first_match else start
    end = min(len(sentence), start + max_chars)
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > start else end
    return (
        (ELLIPSIS if start > 0 else "")
        + sentence[start:end].strip()
        + (ELLIPSIS if end < len(sentence) else "")
    )


def best_snippet(
    texts: Iterable[str],
    *,
    score: Callable[[set[str]], float],
    wanted: Collection[str],
    thesaurus: Thesaurus,
    max_chars: int = MAX_SNIPPET_CHARS,
) -> str:
    """The best sentence of `texts` as safe HTML with <mark>, or the first sentence if none matches.

    `score` rates the set of stems and concepts a sentence holds (the engine weighs them by the query
    terms they match and by how rare they are); ties go to the earlier sentence.
    """
    best: tuple[float, str] | None = None
    first: str | None = None
    for text in texts:
        for sentence in sentences(text):
            first = first if first is not None else sentence
            words = [t for t in tokens(sentence) if not t.stop]
            held = {t.stem for t in words} | set(thesaurus.concepts([t.stem for t in words]))
            value = score(held)
            if value > 0 and (best is None or value > best[0]):
                best = (value, sentence)
    if best is None:
        if first is None:
            return ""
        return escape(_window(first, first_match=0, max_chars=max_chars))
    sentence = best[1]
    spans = _spans(sentence, wanted=wanted, thesaurus=thesaurus)
    shown = _window(sentence, first_match=spans[0][0] if spans else 0, max_chars=max_chars)
    return highlight(shown, wanted=wanted, thesaurus=thesaurus)
