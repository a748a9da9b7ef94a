"""LEPS targets read from their sentences, the to-verify marks, and the gap arithmetic (no database)."""

from __future__ import annotations

import pytest

from welfarelab.analytics.leps import (
    CoverageTarget,
    PopulationRatioTarget,
    ShareOfTerritoriesTarget,
    coverage_gap,
    parse_target,
    population_ratio_gap,
    round_up,
    split_to_verify,
)
from welfarelab.services.leps import LEVEL_LEP, LEVEL_SERVICE_TARGET, leps_catalogue, leps_get


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 assistente sociale ogni 5.000 abitanti", PopulationRatioTarget(1, 5000, "assistente sociale")),
        ("1 assistente sociale ogni 4.000 abitanti", PopulationRatioTarget(1, 4000, "assistente sociale")),
        ("2 educatori ogni 10000 abitanti", PopulationRatioTarget(2, 10_000, "educatori")),
        ("33% a livello locale, inclusivo del privato", CoverageTarget(33)),
        ("28,88% nel 2022 (obiettivo intermedio)", CoverageTarget(28.88)),
        (
            "PNRR Inv. 1.1: almeno l'85% degli ATS attivi in almeno una delle quattro linee",
            ShareOfTerritoriesTarget(85),
        ),
        ("Servizio attivo in ogni ATS", None),
        ("Tutte le componenti presenti in ogni ATS (nessuno standard numerico)", None),
    ],
)
def test_a_target_sentence_gives_its_number_or_none(text, expected):
    assert parse_target(text) == expected


def test_the_social_worker_target_is_one_in_five_thousand():
    target = parse_target("1 assistente sociale ogni 5.000 abitanti")
    assert isinstance(target, PopulationRatioTarget)
    assert target.per_inhabitant == 1 / 5000


@pytest.mark.parametrize(
    ("text", "cleaned", "notes"),
    [
        (
            "L. 234/2021, art. 1, c. 162, lett. a (numero comma da verificare)",
            "L. 234/2021, art. 1, c. 162, lett. a",
            ["numero comma"],
        ),
        (
            "DPCM 5 dicembre 2013, n. 159, art. 2 (da verificare)",
            "DPCM 5 dicembre 2013, n. 159, art. 2",
            [""],
        ),
        (
            "Linee di indirizzo (approvate in Conferenza Unificata nel dicembre 2017 — giorno da verificare)",
            "Linee di indirizzo (approvate in Conferenza Unificata nel dicembre 2017)",
            ["giorno"],
        ),
        (
            "Copertura continuativa 24 ore su 24, 365 giorni (da confermare sulla scheda tecnica 3.7.1)",
            "Copertura continuativa 24 ore su 24, 365 giorni",
            ["sulla scheda tecnica 3.7.1"],
        ),
        ("L. 178/2020, art. 1, c. 797-802", "L. 178/2020, art. 1, c. 797-802", []),
    ],
)
def test_to_verify_marks_are_taken_out_of_a_text(text, cleaned, notes):
    assert split_to_verify(text) == (cleaned, notes)


def test_the_bundled_table_has_the_two_numeric_leps_and_no_raw_marks():
    table = leps_catalogue()
    social_work = leps_get("LEPS_SSP_RAPPORTO_AS")
    nurseries = leps_get("LEP_NIDI_33")
    assert [(t.level, t.numeric) for t in social_work.numeric_targets] == [
        (LEVEL_LEP, PopulationRatioTarget(1, 5000, "assistente sociale")),
        (LEVEL_SERVICE_TARGET, PopulationRatioTarget(1, 4000, "assistente sociale")),
    ]
    assert [(t.level, t.numeric, t.deadline) for t in nurseries.numeric_targets] == [
        (LEVEL_LEP, CoverageTarget(33), "2027"),
        (LEVEL_SERVICE_TARGET, CoverageTarget(28.88), "2022"),
    ]
    # PIPPI's 85% is of the ambiti of Italy: no territory is measured against it.
    assert leps_get("LEPS_PIPPI").numeric_targets == ()
    assert {leps.id for leps in table if leps.numeric_targets} == {"LEPS_SSP_RAPPORTO_AS", "LEP_NIDI_33"}
    shown = [
        text
        for leps in table
        for text in (
            leps.name_it,
            leps.measured_by,
            *(r.text for r in leps.references),
            *(t.text for t in leps.targets),
            *leps.to_verify,
        )
    ]
    assert not [text for text in shown if "verific" in text or "confermar" in text]


def test_references_marked_in_the_table_are_flagged_to_verify():
    sad = leps_get("LEPS_SAD_ANZIANI_NA")
    assert [(r.text, r.to_verify) for r in sad.references] == [
        ("L. 234/2021, art. 1, c. 162, lett. a", True),
        ("Piano nazionale per la non autosufficienza 2022-2024 (DPCM 3 ottobre 2022)", False),
    ]
    assert sad.to_verify == (
        "L. 234/2021, art. 1, c. 162, lett. a: numero comma",
        "Nessun target numerico nazionale individuato",
    )


def test_social_workers_missing_for_one_per_five_thousand():
    # 42,000 residents need 8.4 social workers; with 5 there are 8,400 residents each.
    gap = population_ratio_gap(units=5, population=42_000, target=PopulationRatioTarget(1, 5000))
    assert gap.required == pytest.approx(8.4)
    assert gap.missing == pytest.approx(3.4)
    assert gap.current == 8400
    assert gap.target == 5000
    assert gap.met is False
    assert round_up(gap.missing, 1) == 3.4


def test_nursery_places_missing_for_thirty_three_percent():
    # 500 children: 33% is 165 places; with 124 there are 41 missing.
    gap = coverage_gap(places=124, eligible=500, target=CoverageTarget(33))
    assert gap.required == pytest.approx(165)
    assert gap.missing == 41
    assert gap.current == pytest.approx(24.8)
    assert gap.met is False


def test_a_fraction_of_a_place_missing_is_a_whole_place():
    assert coverage_gap(places=164, eligible=499, target=CoverageTarget(33)).missing == 1  # 164.67 needed
    assert coverage_gap(places=165, eligible=500, target=CoverageTarget(33)).met is True


def test_a_reached_target_misses_nothing():
    gap = population_ratio_gap(units=10, population=42_000, target=PopulationRatioTarget(1, 5000))
    assert (gap.missing, gap.met, gap.current) == (0, True, 4200)


def test_no_social_worker_at_all_misses_all_of_them_and_has_no_ratio():
    gap = population_ratio_gap(units=0, population=10_000, target=PopulationRatioTarget(1, 5000))
    assert (gap.current, gap.missing, gap.met) == (None, 2, False)


@pytest.mark.parametrize(("units", "population"), [(None, 42_000), (5, None), (5, 0)])
def test_unknown_figures_give_no_gap(units, population):
    gap = population_ratio_gap(units=units, population=population, target=PopulationRatioTarget(1, 5000))
    assert (gap.current, gap.missing, gap.met) == (None, None, None)


def test_rounding_up_ignores_float_noise():
    assert round_up(8.4 - 5, 1) == 3.4  # 3.4000000000000004
    assert round_up(3.31, 1) == 3.4
