"""The engine over weighted fields: ranking properties, synonyms, typos, prefixes (no database)."""

from __future__ import annotations

import pytest

from welfarelab.search.engine import Document, FieldSpec, SearchIndex
from welfarelab.search.synonyms import Thesaurus, parse_synonyms

FIELDS = (FieldSpec("title", 2.0), FieldSpec("answer", 1.0))
THESAURUS = Thesaurus(parse_synonyms("odv, organizzazione di volontariato\ncts, codice del terzo settore")[0])


def _index(*documents: tuple[str, str, str]) -> SearchIndex:
    return SearchIndex(
        [Document(key, {"title": title, "answer": answer}) for key, title, answer in documents],
        fields=FIELDS,
        thesaurus=THESAURUS,
        title_field="title",
        snippet_fields=["answer"],
    )


def _keys(index: SearchIndex, query: str, **options: object) -> list[str]:
    return [hit.key for hit in index.search(query, **options).hits]  # type: ignore[arg-type]


def test_a_match_in_the_title_outranks_the_same_match_in_the_answer():
    index = _index(
        ("a", "Assicurazione", "Chi deve assicurare i volontari e come."),
        ("b", "Volontari", "Chi deve assicurare i volontari e come."),
    )

    assert _keys(index, "volontari") == ["b", "a"]


def test_a_rare_word_weighs_more_than_a_common_one():
    index = _index(
        ("a", "Bilancio", "Il bilancio dell'ente."),
        ("b", "Bilancio sociale", "Il bilancio sociale dell'ente."),
        ("c", "Statuto", "Lo statuto dell'ente."),
    )

    # "ente" is everywhere, "statuto" only in c
    assert _keys(index, "statuto ente")[0] == "c"
    # both words of the query beat one
    assert _keys(index, "bilancio sociale")[0] == "b"


def test_documents_without_any_query_word_are_not_results():
    index = _index(("a", "Bilancio", "Testo."), ("b", "Statuto", "Testo."))

    result = index.search("bilancio")

    assert [hit.key for hit in result.hits] == ["a"]
    assert result.total == 1


def test_ties_are_ordered_by_key_whatever_the_order_of_the_documents():
    forward = _index(("b", "Volontari", "x"), ("a", "Volontari", "x"), ("c", "Volontari", "x"))
    backward = _index(("c", "Volontari", "x"), ("a", "Volontari", "x"), ("b", "Volontari", "x"))

    assert _keys(forward, "volontari") == _keys(backward, "volontari") == ["a", "b", "c"]


def test_an_acronym_finds_its_spelled_out_form_and_back():
    index = _index(
        ("spelled", "Le organizzazioni di volontariato", "Testo."),
        ("acronym", "Le ODV", "Testo."),
        ("other", "Le fondazioni", "Testo."),
    )

    assert set(_keys(index, "odv")) == {"spelled", "acronym"}
    assert set(_keys(index, "organizzazione di volontariato")) == {"spelled", "acronym"}


def test_a_synonym_is_one_term_scored_as_the_best_of_its_forms():
    index = _index(("a", "ODV", "x"), ("b", "organizzazione di volontariato", "x"))

    single = index.parse("odv")
    phrase = index.parse("organizzazione di volontariato")

    # the word and its concept are alternatives of one term, never two terms that add up
    assert [term.alternatives for term in single.terms] == [("odv", "=odv")]
    assert [term.alternatives for term in phrase.terms] == [("organizz", "=odv"), ("volontar", "=odv")]


def test_a_typo_is_corrected_to_a_word_of_the_index_and_reported():
    index = _index(("a", "Bilancio sociale", "x"), ("b", "Statuto", "x"))

    result = index.search("bilacio socale")

    assert [hit.key for hit in result.hits] == ["a"]
    assert [(c.typed, c.corrected) for c in result.query.corrections] == [
        ("bilacio", "bilancio"),
        ("socale", "sociale"),
    ]
    assert result.query.corrected_text == "bilancio sociale"


def test_an_unfinished_last_word_is_completed_only_in_prefix_mode():
    index = _index(("a", "Bilancio", "x"), ("b", "Statuto", "x"))

    assert _keys(index, "bilan", prefix=True) == ["a"]
    assert _keys(index, "bilan") == []  # a whole word "bilan" matches nothing
    assert _keys(index, "bilan ", prefix=True) == []  # a space ends the word


def test_a_query_of_stop_words_only_finds_nothing():
    index = _index(("a", "Come si fa", "Che cosa è"))

    assert _keys(index, "come che cosa") == []


def test_hits_carry_a_highlighted_title_and_an_escaped_snippet():
    index = _index(("a", "Il <bilancio>", "Prima frase. Il bilancio & <script>alert(1)</script>. Fine."))

    hit = index.search("bilancio").hits[0]

    assert hit.title_html == "Il &lt;<mark>bilancio</mark>&gt;"
    assert hit.snippet_html == "Il <mark>bilancio</mark> &amp; &lt;script&gt;alert(1)&lt;/script&gt;."


# ---- on the seeded knowledge base --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("5x1000 come funziona", "ts-031"),
        ("cinque per mille", "ts-031"),
        ("5 per mille", "ts-031"),
        ("bilacio sociale", "ts-018"),
        ("devo fare il bilancio sociale?", "ts-018"),
        ("quanto costa iscriversi al runts", "ts-007"),
        ("registro unico nazionale del terzo settore iscrizione", "ts-007"),
        ("odv e aps differenze", "ts-010"),
        ("organizzazione di volontariato e associazione di promozione sociale differenze", "ts-010"),
    ],
)
def test_the_examples_of_the_issue_come_first(seed_index, query, first):
    assert _keys(seed_index, query)[0] == first


def test_cts_and_its_spelled_out_form_find_the_same_articles(seed_index):
    short = _keys(seed_index, "regime fiscale cts", limit=5)
    long = _keys(seed_index, "regime fiscale codice del terzo settore", limit=5)

    assert short[0] == long[0] == "ts-023"


def test_an_unfinished_last_word_may_complete_a_synonym_term(seed_index):
    result = seed_index.search("cinque per mi", prefix=True, limit=1)

    assert result.hits[0].key == "ts-031"
    assert result.hits[0].title_html.startswith("<mark>5 per mille</mark>")
