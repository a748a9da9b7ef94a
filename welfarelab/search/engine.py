"""The search engine: BM25 over weighted fields (bm25s), with synonyms, typo tolerance and completion.

An index is built once from a list of `Document` (a key and the text of each field) and answers
queries in memory. For each field there is one BM25 index (bm25s, Lucene's formula, k1 1.2, b 0.75);
a query term scores a document as the weighted sum of its BM25 scores in the fields (title and
question count more than the answer), and a document's score is the sum over the query's terms, so
the index ranks like BM25F with per-field length normalisation.

How a query becomes terms:

1. analysis (`welfarelab.search.analysis`): words folded, stemmed, stop words dropped;
2. a word unknown to the index, whose stem is unknown too, is corrected to the nearest known word
   (`welfarelab.search.typos`); the correction is reported, so a page can say "results for …";
3. with `prefix=True` (as-you-type), the last word if not yet followed by a space also stands for the
   known words that start with it (`bilan` → bilancio), scored as the best of them;
4. each word of a term of the synonym file found in the query also stands for the term's concept
   (`odv` for `=odv`, which every article saying "organizzazioni di volontariato" holds too), scored as
   the best of the two, so a synonym never counts twice.

Ties are broken by key, so a result list never depends on the order documents came from the database.
Pure: no Django; the knowledge base's adapter is `welfarelab.search.knowledge_base`.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import bm25s
import numpy as np
import numpy.typing as npt

from welfarelab.search.analysis import Token, stem, tokens
from welfarelab.search.dictionary import is_italian_word
from welfarelab.search.snippets import best_snippet, highlight
from welfarelab.search.synonyms import Thesaurus
from welfarelab.search.typos import Speller

# bm25s sets its own logger to DEBUG when imported, which logs every index build: back to warnings only.
logging.getLogger("bm25s").setLevel(logging.WARNING)

K1 = 1.2
B = 0.75
CORRECTED_WEIGHT = 0.8  # a corrected word counts a little less than a word the person typed
COMPLETIONS = 6  # known words a prefix stands for, the most frequent first
MIN_PREFIX = 2


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    weight: float


@dataclass(frozen=True, slots=True)
class Document:
    """A key and the text of each field: one text, or a list of texts (tags) matched apart."""

    key: str
    fields: Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One term of a query: the index tokens it stands for (stems or a concept), scored as the best."""

    typed: str
    alternatives: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Correction:
    typed: str
    corrected: str


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    terms: tuple[QueryTerm, ...]
    corrections: tuple[Correction, ...] = ()

    @property
    def wanted(self) -> frozenset[str]:
        """Every index token the query looks for (for marking snippets)."""
        return frozenset(token for term in self.terms for token in term.alternatives)

    @property
    def corrected_text(self) -> str:
        """The query with its corrections applied, as a person would read it."""
        fixes = {c.typed: c.corrected for c in self.corrections}
        parts: list[str] = []
        position = 0
        for token in tokens(self.text):
            if token.word in fixes:
                parts.append(self.text[position : token.start] + fixes[token.word])
                position = token.end
        parts.append(self.text[position:])
        return "".join(parts)


def _text(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else " · ".join(value)


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    score: float
    title_html: str
    snippet_html: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: ParsedQuery
    hits: tuple[Hit, ...] = field(default=())
    total: int = 0  # how many documents match, beyond `limit`


class SearchIndex:
    """BM25 over the weighted fields of `documents`; see the module's docstring."""

    def __init__(
        self,
        documents: Sequence[Document],
        *,
        fields: Sequence[FieldSpec],
        thesaurus: Thesaurus,
        title_field: str,
        snippet_fields: Sequence[str],
        is_word: Callable[[str], bool] | None = is_italian_word,
    ) -> None:
        self.documents = tuple(documents)
        self.fields = tuple(fields)
        self.thesaurus = thesaurus
        self.title_field = title_field
        self.snippet_fields = tuple(snippet_fields)
        self._retrievers: list[tuple[bm25s.BM25, float]] = []
        document_frequency: Counter[str] = Counter()
        word_frequency: Counter[str] = Counter()
        analysed = [self._analyse(document) for document in self.documents]
        for spec in self.fields:
            corpus = [by_field[spec.name][0] for by_field in analysed]
            if any(corpus):
                retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)  # bm25s divides by 0 for empty fields
                    retriever.index(corpus, show_progress=False)
                self._retrievers.append((retriever, spec.weight))
        for by_field in analysed:
            document_frequency.update({token for held, _words in by_field.values() for token in held})
            word_frequency.update({word for _held, words in by_field.values() for word in words})
        for word in thesaurus.words:
            word_frequency.setdefault(word, 0)
        self._document_frequency = document_frequency
        self.speller = Speller(word_frequency, is_word=is_word)
        self._score_cache: dict[str, npt.NDArray[np.float64]] = {}

    def _analyse(self, document: Document) -> dict[str, tuple[list[str], set[str]]]:
        """Field → (index tokens: stems and concepts, folded words) of one document.

        A field given as a list of texts (tags, references) is analysed part by part, so that no synonym
        term is found across two parts.
        """
        result: dict[str, tuple[list[str], set[str]]] = {}
        for spec in self.fields:
            value = document.fields.get(spec.name, "")
            held: list[str] = []
            words: set[str] = set()
            for part in [value] if isinstance(value, str) else value:
                content = [t for t in tokens(part) if not t.stop]
                stems = [t.stem for t in content]
                held.extend(stems + self.thesaurus.concepts(stems))
                words.update(t.word for t in content)
            result[spec.name] = (held, words)
        return result

    def idf(self, token: str) -> float:
        """Inverse document frequency of an index token over all fields (0 for an unknown token)."""
        df = self._document_frequency.get(token, 0)
        if df == 0:
            return 0.0
        n = len(self.documents)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    # ---- queries ------------------------------------------------------------------------------------

    def _known(self, token: Token) -> bool:
        return token.stem in self._document_frequency or token.word in self.speller

    def parse(self, text: str, *, prefix: bool = False) -> ParsedQuery:
        """The terms of a query; with `prefix`, the last word may be unfinished (as-you-type)."""
        found = tokens(text)
        open_last = prefix and bool(found) and found[-1].end == len(text)
        terms: list[QueryTerm] = []
        corrections: list[Correction] = []
        primary: list[str] = []  # one stem per content word, for finding synonym terms
        completed_last: list[str] = []  # what an unfinished last word may become
        for position, token in enumerate(found):
            if open_last and position == len(found) - 1 and len(token.word) >= MIN_PREFIX:
                completed = [stem(word) for word in self.speller.complete(token.word, limit=COMPLETIONS)]
                alternatives = list(dict.fromkeys(([token.stem] if not token.stop else []) + completed))
                alternatives = [a for a in alternatives if a in self._document_frequency]
                if alternatives:
                    terms.append(QueryTerm(token.word, tuple(alternatives), 1.0))
                    primary.append(token.stem if token.stem in alternatives else alternatives[0])
                    completed_last = alternatives
                    continue
            if token.stop:
                continue
            if self._known(token):
                terms.append(QueryTerm(token.word, (token.stem,), 1.0))
                primary.append(token.stem)
                continue
            corrected = self.speller.correct(token.word)
            if corrected is None:
                terms.append(QueryTerm(token.word, (token.stem,), 1.0))
                primary.append(token.stem)
                continue
            corrections.append(Correction(token.word, corrected))
            terms.append(QueryTerm(token.word, (stem(corrected),), CORRECTED_WEIGHT))
            primary.append(stem(corrected))
        # A word that belongs to a term of the synonym file also stands for the term's concept, scored as
        # the best of the two: "odv" finds "organizzazioni di volontariato", and in the query
        # "organizzazione di volontariato" the concept outweighs "volontariato" alone (which stems like
        # "volontario"). No concept is counted apart, so a synonym never counts twice.
        matches = self.thesaurus.matches(primary)
        last = len(primary) - 1
        for alternative in completed_last:  # "cinque per mi" may be "cinque per mille" already
            extended = self.thesaurus.matches([*primary[:last], alternative])
            matches.extend(match for match in extended if match.end == last + 1)
        for match in matches:
            for position in range(match.start, match.end):
                term = terms[position]
                if match.concept not in term.alternatives:
                    terms[position] = QueryTerm(term.typed, (*term.alternatives, match.concept), term.weight)
        unique = list({term.alternatives: term for term in terms}.values())
        return ParsedQuery(text=text, terms=tuple(unique), corrections=tuple(corrections))

    def _token_scores(self, token: str) -> npt.NDArray[np.float64]:
        cached = self._score_cache.get(token)
        if cached is not None:
            return cached
        total = np.zeros(len(self.documents), dtype=np.float64)
        for retriever, weight in self._retrievers:
            token_id = retriever.vocab_dict.get(token)
            if token_id is not None:
                total += weight * retriever.get_scores_from_ids([token_id]).astype(np.float64)
        if len(self._score_cache) < 50_000:
            self._score_cache[token] = total
        return total

    def scores(self, query: ParsedQuery) -> npt.NDArray[np.float64]:
        """The score of every document for `query` (0 where no term matches)."""
        total = np.zeros(len(self.documents), dtype=np.float64)
        for term in query.terms:
            best = np.zeros(len(self.documents), dtype=np.float64)
            for token in term.alternatives:
                best = np.maximum(best, self._token_scores(token))
            total += term.weight * best
        return total

    def search(self, text: str, *, limit: int = 10, prefix: bool = False) -> SearchResult:
        """The best `limit` documents for `text`, with a highlighted title and snippet."""
        query = self.parse(text, prefix=prefix)
        if not query.terms or not self.documents:
            return SearchResult(query=query)
        scores = self.scores(query)
        ranked = sorted(
            (i for i in range(len(self.documents)) if scores[i] > 0),
            key=lambda i: (-round(float(scores[i]), 6), self.documents[i].key),
        )
        wanted = query.wanted
        term_idf = [
            (frozenset(term.alternatives), term.weight * self._term_idf(term)) for term in query.terms
        ]

        def sentence_score(held: set[str]) -> float:
            return sum(value for alternatives, value in term_idf if alternatives & held)

        hits = []
        for i in ranked[:limit]:
            document = self.documents[i]
            hits.append(
                Hit(
                    key=document.key,
                    score=round(float(scores[i]), 4),
                    title_html=highlight(
                        _text(document.fields.get(self.title_field, "")),
                        wanted=wanted,
                        thesaurus=self.thesaurus,
                    ),
                    snippet_html=best_snippet(
                        (_text(document.fields.get(name, "")) for name in self.snippet_fields),
                        score=sentence_score,
                        wanted=wanted,
                        thesaurus=self.thesaurus,
                    ),
                )
            )
        return SearchResult(query=query, hits=tuple(hits), total=len(ranked))

    def _term_idf(self, term: QueryTerm) -> float:
        return max((self.idf(token) for token in term.alternatives), default=0.0)
