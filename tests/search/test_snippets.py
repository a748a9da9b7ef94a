"""Snippets: the best sentence, escaped, with the matches in <mark>."""

from __future__ import annotations

from welfarelab.search.snippets import best_snippet, highlight, sentences
from welfarelab.search.synonyms import Thesaurus, parse_synonyms

THESAURUS = Thesaurus(parse_synonyms("odv, organizzazione di volontariato")[0])


def test_sentences_do_not_end_at_abbreviations():
    text = "Lo dice il D.Lgs. 117/2017, art. 14. Dal 2025 cambia. Vedi il DM n. 106 del 2020."

    assert sentences(text) == [
        "Lo dice il D.Lgs. 117/2017, art. 14.",
        "Dal 2025 cambia.",
        "Vedi il DM n. 106 del 2020.",
    ]


def test_highlight_escapes_everything_and_marks_only_the_matches():
    text = 'Il <b>bilancio</b> & "script" delle ODV'

    html = highlight(text, wanted={"bilanc", "=odv"}, thesaurus=THESAURUS)

    assert (
        html == "Il &lt;b&gt;<mark>bilancio</mark>&lt;/b&gt; &amp; &quot;script&quot; delle <mark>ODV</mark>"
    )


def test_a_synonym_term_is_marked_whole_stop_words_included():
    html = highlight("Le organizzazioni di volontariato e altri", wanted={"=odv"}, thesaurus=THESAURUS)

    assert html == "Le <mark>organizzazioni di volontariato</mark> e altri"


def test_the_best_sentence_is_the_one_with_the_most_matched_weight():
    texts = ["Prima frase sul bilancio. Seconda frase sul bilancio sociale. Terza frase."]

    def score(held: set[str]) -> float:
        return sum(1.0 for stem in ("bilanc", "social") if stem in held)

    html = best_snippet(texts, score=score, wanted={"bilanc", "social"}, thesaurus=THESAURUS)

    assert html == "Seconda frase sul <mark>bilancio</mark> <mark>sociale</mark>."


def test_without_a_match_the_snippet_is_the_first_sentence_escaped():
    html = best_snippet(["A <i>b</i>. C."], score=lambda held: 0.0, wanted=set(), thesaurus=THESAURUS)

    assert html == "A &lt;i&gt;b&lt;/i&gt;."


def test_a_long_sentence_is_cut_around_its_first_match():
    sentence = " ".join(["parola"] * 80) + " bilancio " + " ".join(["altro"] * 80) + "."

    html = best_snippet(
        [sentence],
        score=lambda held: 1.0 if "bilanc" in held else 0.0,
        wanted={"bilanc"},
        thesaurus=THESAURUS,
    )

    assert html.startswith("…parola") and html.endswith("…")
    assert "<mark>bilancio</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 282
