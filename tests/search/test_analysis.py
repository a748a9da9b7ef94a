"""Italian text analysis: folding, stop words, Snowball stems, spans."""

from __future__ import annotations

from welfarelab.search.analysis import content_stems, stem, tokens


def test_case_and_accents_do_not_matter():
    assert content_stems("ATTIVITÀ") == content_stems("attivita") == content_stems("Attività") == ["attiv"]


def test_singular_and_plural_share_a_stem():
    assert stem("organizzazione") == stem("organizzazioni") == "organizz"
    assert stem("bilancio") == stem("bilanci")
    assert stem("sociale") == stem("sociali")


def test_stop_words_are_flagged_and_left_out_of_content():
    # given a question as people type it
    words = tokens("Come ci si iscrive al RUNTS?")

    # then only the subject remains
    assert [(t.word, t.stop) for t in words] == [
        ("come", True),
        ("ci", True),
        ("si", True),
        ("iscrive", False),
        ("al", True),
        ("runts", False),
    ]
    assert content_stems("Come ci si iscrive al RUNTS?") == ["iscriv", "runts"]


def test_non_is_not_a_stop_word_in_this_field():
    assert content_stems("attività non commerciale") == ["attiv", "non", "commercial"]


def test_apostrophes_split_words_and_digits_stay_whole():
    assert [t.word for t in tokens("l'ODV e il 5x1000 (art. 117)")] == [
        "l",
        "odv",
        "e",
        "il",
        "5x1000",
        "art",
        "117",
    ]
    assert stem("5x1000") == "5x1000"


def test_tokens_keep_their_span_in_the_original_text():
    text = "Perché l'Attività?"

    spans = [text[t.start : t.end] for t in tokens(text)]

    assert spans == ["Perché", "l", "Attività"]
