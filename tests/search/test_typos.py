"""Typo tolerance: only unknown non-words are corrected, within length-aware limits."""

from __future__ import annotations

import pytest

from welfarelab.search.dictionary import is_italian_word
from welfarelab.search.typos import Speller, max_edits

VOCABULARY = {
    "bilancio": 9,
    "sociale": 12,
    "sociali": 3,
    "volontari": 7,
    "assicurazione": 2,
    "odv": 8,
    "aps": 8,
}


@pytest.mark.parametrize(
    ("word", "edits"),
    [("odv", 0), ("cts", 0), ("5x1000", 0), ("sede", 1), ("bonus", 1), ("bilacio", 2), ("assicurazoine", 2)],
)
def test_edits_allowed_grow_with_the_length_of_the_word(word, edits):
    assert max_edits(word) == edits


def test_a_misspelt_word_becomes_the_nearest_known_word():
    speller = Speller(VOCABULARY)

    assert speller.correct("bilacio") == "bilancio"  # a letter missing
    assert speller.correct("assicurazoine") == "assicurazione"  # two letters swapped: one edit
    assert speller.correct("socale") == "sociale"  # the commoner of "sociale" and "sociali"


def test_known_words_short_words_and_far_words_are_left_alone():
    speller = Speller(VOCABULARY)

    assert speller.correct("bilancio") is None
    assert speller.correct("odx") is None  # three letters: an acronym, never corrected
    assert speller.correct("statuto") is None  # nothing near enough


def test_a_real_italian_word_is_not_bent_into_another():
    speller = Speller({"progetti": 5}, is_word=is_italian_word)

    assert is_italian_word("prodotti")
    assert not is_italian_word("bilacio")
    assert speller.correct("prodotti") is None
    assert (
        Speller({"progetti": 5}).correct("prodotti") == "progetti"
    )  # what would happen without the dictionary


def test_completion_gives_the_commonest_words_with_the_prefix_first():
    speller = Speller(VOCABULARY)

    assert speller.complete("soc", limit=5) == ["sociale", "sociali"]
    assert speller.complete("vol", limit=5) == ["volontari"]
    assert speller.complete("xyz", limit=5) == []
