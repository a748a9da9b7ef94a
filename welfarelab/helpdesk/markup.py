"""The text of the knowledge base: Markdown made safe to show, and the seed's review marks taken out.

- `markdown_to_html` renders an answer with Python-Markdown and cleans the result with nh3 (Ammonia): only
  the tags of a written answer survive (paragraphs, emphasis, lists, links, tables, quotes, code); scripts
  and styles go with their content, attributes other than a link's `href` and `title` go, and a link
  keeps its address only when it is http, https or mailto (`javascript:` is dropped). Headings move two
  levels down (`#` → `<h3>`), under the page's own `<h1>` and `<h2>`.
- `strip_review_marks` takes the seed's "da verificare" notes out of a text ("the figure is not confirmed
  on a primary source") and returns, beside the clean text, each sentence that held one — with the note
  shown as `[da confermare]` — for the operators' review queue. The reader sees the clean text and an
  "under review" notice, never the note itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "b",
        "i",
        "sup",
        "sub",
        "abbr",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "code",
        "pre",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def _heading_down(match: re.Match[str]) -> str:
    return f"<{match[1]}h{min(int(match[2]) + 2, 6)}"


def markdown_to_html(text: str) -> str:
    """`text` (Markdown) as HTML that is safe to put in a page as it is."""
    rendered = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return nh3.clean(
        _HEADING.sub(_heading_down, rendered),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def markdown_to_text(text: str) -> str:
    """`text` (Markdown) as plain text, words separated by single spaces (for search and summaries)."""
    return " ".join(html.unescape(strip_tags(markdown_to_html(text))).split())


# --- the seed's review marks ---------------------------------------------------------------------------

REVIEW_MARK = re.compile(r"\bda\s+verificare\b", re.IGNORECASE)
REVIEW_PLACEHOLDER = "[da confermare]"

# The end of a sentence: a full stop (or ! ?) before a capital letter, or at the end. "art. 5", "n. 84" and
# "D.Lgs. 117" are not ends: a number or a letter glued to the dot follows.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[«\"(]?[A-ZÀ-Ý]|\s*$)")
_DASHES = "—–"


@dataclass(frozen=True)
class CleanText:
    text: str
    marked_sentences: tuple[str, ...]  # as written, each mark shown as REVIEW_PLACEHOLDER


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start of the sentence holding `position`, and the end of its words (before its full stop)."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() <= position:
            start = match.end()
        else:
            return start, match.start()
    return start, len(text.rstrip())


def _clause_start(text: str, position: int, floor: int) -> tuple[int, str]:
    """Where the clause of the mark at `position` starts: an opening bracket, a comma or a dash."""
    depth = 0
    for index in range(position - 1, floor - 1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return index, "("
            depth -= 1
        elif depth == 0 and char in ",;":
            return index, ","
        elif depth == 0 and char in _DASHES:
            return index, "—"
    return floor, "sentence"


def _clause_end(text: str, position: int, ceiling: int) -> tuple[int, str]:
    depth = 0
    for index in range(position, ceiling):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return index, ")"
            depth -= 1
        elif depth == 0 and char in ",;":
            return index, ","
    return ceiling, "sentence"


def _with_leading_space(text: str, index: int) -> int:
    while index > 0 and text[index - 1] in " \t":
        index -= 1
    return index


def _remove_first_mark(text: str, mark: re.Match[str]) -> str:
    sentence_start, sentence_end = _sentence_bounds(text, mark.start())
    start, opened = _clause_start(text, mark.start(), sentence_start)
    end, closed = _clause_end(text, mark.end(), sentence_end)
    if opened == "(" and closed == ")":  # "(da verificare)", "(coefficienti da verificare)": the whole note
        return text[: _with_leading_space(text, start)] + text[end + 1 :]
    if opened in (",", "—"):  # "…, data da verificare)", "… — numeri da verificare.": the clause
        return text[: _with_leading_space(text, start)] + text[end:]
    if opened == "(" and closed == ",":  # "(X da verificare, Y)": keep Y
        return text[: start + 1] + text[end + 1 :].lstrip()
    if opened == "sentence" and closed == "sentence":  # "Le percentuali … sono da verificare.": the sentence
        after = sentence_end + 1 if sentence_end < len(text) else sentence_end
        return (text[:sentence_start] + text[after:].lstrip(" \t")).strip(" \t")
    return text[: mark.start()] + text[mark.end() :]


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"[ \t]+([.,;:)])", r"\1", text)
    text = re.sub(r"\([ \t]+", "(", text)
    text = re.sub(r"[ \t]*\(\)", "", text)
    return text.strip()


def strip_review_marks(text: str) -> CleanText:
    """`text` without its "da verificare" notes, and the sentences that held them (see the module)."""
    sentences: list[str] = []
    for mark in REVIEW_MARK.finditer(text):
        start, end = _sentence_bounds(text, mark.start())
        end = end + 1 if end < len(text) else end  # with its full stop
        quoted = " ".join(REVIEW_MARK.sub(REVIEW_PLACEHOLDER, text[start:end]).split())
        if quoted not in sentences:
            sentences.append(quoted)
    while (first := REVIEW_MARK.search(text)) is not None:
        text = _remove_first_mark(text, first)
    return CleanText(text=_tidy(text), marked_sentences=tuple(sentences))
