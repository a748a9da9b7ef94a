"""The synonym file: parsing, multi-word terms, matching both ways."""

from __future__ import annotations

from pathlib import Path

from welfarelab.search.analysis import content_stems
from welfarelab.search.synonyms import SHIPPED_SYNONYMS, Thesaurus, parse_synonyms


def _concepts(thesaurus: Thesaurus, text: str) -> list[str]:
    return thesaurus.concepts(content_stems(text))


def test_the_shipped_file_has_no_bad_line():
    groups, errors = parse_synonyms(SHIPPED_SYNONYMS.read_text(encoding="utf-8"), source="synonyms_it.txt")

    assert errors == []
    assert len(groups) > 50


def test_a_multi_word_term_matches_whatever_its_number_accents_and_stop_words():
    groups, _errors = parse_synonyms("odv, organizzazione di volontariato")
    thesaurus = Thesaurus(groups)

    assert _concepts(thesaurus, "le ODV") == ["=odv"]
    assert _concepts(thesaurus, "Organizzazioni del Volontariato") == ["=odv"]
    assert _concepts(thesaurus, "organizzazione di volontariato") == ["=odv"]
    assert _concepts(thesaurus, "volontariato") == []


def test_shipped_acronyms_match_their_spelled_out_form_both_ways():
    thesaurus, errors = Thesaurus.from_files([SHIPPED_SYNONYMS])

    assert errors == []
    for short, long in [
        ("5x1000", "cinque per mille"),
        ("CTS", "codice del terzo settore"),
        ("ODV", "organizzazioni di volontariato"),
        ("APS", "associazione di promozione sociale"),
        ("RUNTS", "registro unico nazionale del terzo settore"),
        ("IVA", "imposta sul valore aggiunto"),
    ]:
        assert set(_concepts(thesaurus, short)) & set(_concepts(thesaurus, long)), (short, long)


def test_bad_lines_are_reported_and_skipped_not_fatal():
    text = "# a comment\n\nodv, organizzazione di volontariato\nsolo\ndi, del\n"

    groups, errors = parse_synonyms(text, source="local.txt")

    assert [group.concept for group in groups] == ["=odv"]
    assert errors == [
        "local.txt, line 4: A group needs at least two terms that differ once analysed. The line is ignored.",
        "local.txt, line 5: “di” has only stop words. The line is ignored.",
    ]


def test_operators_file_adds_groups_after_the_shipped_ones(tmp_path: Path):
    local = tmp_path / "local.txt"
    local.write_text("sportello, help desk\n", encoding="utf-8")

    thesaurus, errors = Thesaurus.from_files([SHIPPED_SYNONYMS, local, tmp_path / "missing.txt"])

    assert errors == []
    assert _concepts(thesaurus, "help desk") == ["=sportell"]
