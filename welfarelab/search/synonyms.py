"""Synonyms and acronyms of the field, read from plain-text files that operators can edit.

The format (see `synonyms_it.txt`): one group of equivalent terms per line, separated by commas;
`#` starts a comment; blank lines are ignored. A term may be several words:

    odv, organizzazione di volontariato, organizzazioni di volontariato
    5x1000, 5 per mille, cinque per mille

Every term is analysed like any text (folded, stop words left out, stemmed), so one spelling covers
singular and plural, accents and case: `organizzazione di volontariato` also matches "Organizzazioni
del volontariato". Each group becomes a *concept*, a token that cannot be a word (`=odv`): wherever any
term of the group appears, in an article or in a query, the concept is added beside the words. So the
equivalence works both ways, and an article that says "organizzazioni di volontariato" is found by
"odv" exactly as an article that says "ODV" is found by "organizzazione di volontariato".

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from welfarelab.search.analysis import content_stems, tokens

CONCEPT_PREFIX = "="

SHIPPED_SYNONYMS = Path(__file__).with_name("synonyms_it.txt")


@dataclass(frozen=True, slots=True)
class SynonymGroup:
    concept: str  # the token added wherever a term of the group appears, e.g. "=odv"
    terms: tuple[str, ...]  # as written in the file
    phrases: tuple[tuple[str, ...], ...]  # each term as its sequence of content stems


@dataclass(frozen=True, slots=True)
class ConceptMatch:
    """A term of a group found at positions [start, end) of a sequence of content stems."""

    start: int
    end: int
    concept: str


def group_error(*, source: str, line: int, reason: str) -> str:
    return f"{source}, line {line}: {reason} The line is ignored."


def parse_synonyms(text: str, *, source: str = "synonyms") -> tuple[list[SynonymGroup], list[str]]:
    """The groups of a synonym file, and an error message for each line that was left out."""
    groups: list[SynonymGroup] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        terms = tuple(term.strip() for term in line.split(",") if term.strip())
        phrases: list[tuple[str, ...]] = []
        for term in terms:
            phrase = tuple(content_stems(term))
            if not phrase:
                errors.append(
                    group_error(source=source, line=number, reason=f"“{term}” has only stop words.")
                )
                break
            if phrase not in phrases:
                phrases.append(phrase)
        else:
            if len(phrases) < 2:
                errors.append(
                    group_error(
                        source=source,
                        line=number,
                        reason="A group needs at least two terms that differ once analysed.",
                    )
                )
                continue
            concept = CONCEPT_PREFIX + "_".join(phrases[0])
            groups.append(SynonymGroup(concept=concept, terms=terms, phrases=tuple(phrases)))
    return groups, errors


class Thesaurus:
    """Finds the terms of the synonym groups in a sequence of content stems."""

    def __init__(self, groups: Iterable[SynonymGroup]) -> None:
        self.groups = tuple(groups)
        # first stem → (phrase, concept), longest phrases first
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for group in self.groups:
            for phrase in group.phrases:
                self._by_first.setdefault(phrase[0], []).append((phrase, group.concept))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self.words: frozenset[str] = frozenset(
            t.word for group in self.groups for term in group.terms for t in tokens(term) if not t.stop
        )
        self.stems: frozenset[str] = frozenset(
            stem for group in self.groups for phrase in group.phrases for stem in phrase
        )

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> tuple[Thesaurus, list[str]]:
        """The groups of every file that exists, in order, and the errors of their lines."""
        groups: list[SynonymGroup] = []
        errors: list[str] = []
        for path in paths:
            if not path.is_file():
                continue
            found, wrong = parse_synonyms(path.read_text(encoding="utf-8"), source=path.name)
            groups.extend(found)
            errors.extend(wrong)
        return cls(groups), errors

    def matches(self, stems: Sequence[str]) -> list[ConceptMatch]:
        """Every term found in `stems`, at every position (overlaps included), each concept once per place."""
        found: list[ConceptMatch] = []
        for start, first in enumerate(stems):
            seen: set[str] = set()
            for phrase, concept in self._by_first.get(first, ()):
                end = start + len(phrase)
                if concept not in seen and tuple(stems[start:end]) == phrase:
                    seen.add(concept)
                    found.append(ConceptMatch(start, end, concept))
        return found

    def concepts(self, stems: Sequence[str]) -> list[str]:
        return [match.concept for match in self.matches(stems)]
