"""LEPS targets read from their text, and how far a territory is from them.

The LEPS table (welfarelab/services/catalogue/leps.yaml) writes targets as Italian sentences. Only two
shapes carry a number a territory can be measured against:

- "1 assistente sociale ogni 5.000 abitanti" → `PopulationRatioTarget(units=1, inhabitants=5000)`:
  at least `units` per `inhabitants` residents;
- "33% a livello locale" → `CoverageTarget(percent=33)`: places for at least that share of the
  people eligible.

A percentage of territories ("almeno l'85% degli ATS …") is a national target: `ShareOfTerritoriesTarget`,
which no single territory can meet or miss. Anything else ("Servizio attivo in ogni ATS") has no number.

The gap functions say what it takes to reach a target: the social workers (in full-time equivalents)
or places missing. Pure functions on numbers; the LEPS page and the profile format them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# "1 assistente sociale ogni 5.000 abitanti": Italian thousands separators (5.000) and decimal comma.
_PER_INHABITANTS = re.compile(
    r"^\s*(?P<units>\d+(?:,\d+)?)\s+(?P<noun>[^\d]+?)\s+ogni\s+(?P<people>\d{1,3}(?:\.\d{3})+|\d+)\s+abitanti\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(?P<percent>\d+(?:,\d+)?)\s*%")
# What follows a percentage of territories rather than of people: "degli ATS", "dei Comuni", "degli ambiti".
_OF_TERRITORIES = re.compile(r"^\s*(?:degli|dei|delle)\s+(?:ATS|ambiti|comuni|regioni)\b", re.IGNORECASE)
# "(numero comma da verificare)", "(da verificare)", "— giorno da verificare", "(da confermare sulla …)".
_MARKER = r"da\s+(?:verificare|confermare)"
_PARENTHESISED = re.compile(rf"\s*\((?P<inner>[^()]*\b{_MARKER}\b[^()]*)\)")
_DASHED = re.compile(rf"\s*[—–-]\s*(?P<inner>[^()—–]*\b{_MARKER}\b[^()—–]*)")


@dataclass(frozen=True)
class PopulationRatioTarget:
    """At least `units` (e.g. social workers) per `inhabitants` residents."""

    units: float
    inhabitants: float
    noun: str = ""

    @property
    def per_inhabitant(self) -> float:
        return self.units / self.inhabitants


@dataclass(frozen=True)
class CoverageTarget:
    """Places for at least `percent` of the people eligible."""

    percent: float


@dataclass(frozen=True)
class ShareOfTerritoriesTarget:
    """A national target: at least `percent` of the territories (ambiti, comuni) doing something."""

    percent: float


NumericTarget = PopulationRatioTarget | CoverageTarget | ShareOfTerritoriesTarget


@dataclass(frozen=True)
class GapFigures:
    """Where a territory stands against one numeric target.

    `current` is in the target's own terms (inhabitants per unit for a ratio, percent for coverage) and
    None when it cannot be computed; `required` is the amount the target asks for the territory's
    population; `missing` the amount to add (0 when met), None when unknown; `met` None when unknown.
    """

    current: float | None
    target: float
    required: float | None
    missing: float | None
    met: bool | None


def _italian_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def parse_target(text: str) -> NumericTarget | None:
    """The number in a LEPS target sentence, or None when it has none a territory can be measured against."""
    ratio = _PER_INHABITANTS.search(text)
    if ratio:
        return PopulationRatioTarget(
            units=_italian_number(ratio["units"]),
            inhabitants=_italian_number(ratio["people"]),
            noun=ratio["noun"].strip(),
        )
    percent = _PERCENT.search(text)
    if percent:
        value = float(percent["percent"].replace(",", "."))
        if _OF_TERRITORIES.match(text[percent.end() :]):
            return ShareOfTerritoriesTarget(percent=value)
        return CoverageTarget(percent=value)
    return None


def split_to_verify(text: str) -> tuple[str, list[str]]:
    """Separate a text from its "da verificare" marks: (the text without them, what is to verify).

    "L. 234/2021, art. 1, c. 162, lett. a (numero comma da verificare)" gives
    ("L. 234/2021, art. 1, c. 162, lett. a", ["numero comma"]); a bare "(da verificare)" gives an empty
    string in the list (the whole statement is to verify). Texts without marks come back unchanged.
    """
    notes: list[str] = []

    def take(match: re.Match[str]) -> str:
        inner = re.sub(rf"\s*\b{_MARKER}\b\s*", " ", match["inner"]).strip(" ,;:—–-")
        notes.append(inner)
        return ""

    # A dashed aside first: "(approvate … 2017 — giorno da verificare)" keeps its parenthesis.
    cleaned = _DASHED.sub(take, text)
    cleaned = _PARENTHESISED.sub(take, cleaned)
    return cleaned.strip(), notes


def population_ratio_gap(
    *, units: float | None, population: float | None, target: PopulationRatioTarget
) -> GapFigures:
    """Social workers (or other units) against "`units` per `inhabitants`": how many are missing.

    current = population / units (inhabitants per unit; None without units), required =
    population × units / inhabitants, missing = max(0, required − units). Example: 42,000 residents and
    5 social workers against 1 per 5,000 → required 8.4, missing 3.4, current 8,400 per worker.
    """
    target_value = target.inhabitants / target.units
    if population is None or units is None or population <= 0:
        return GapFigures(current=None, target=target_value, required=None, missing=None, met=None)
    required = population * target.per_inhabitant
    missing = max(0.0, required - units)
    current = population / units if units > 0 else None
    return GapFigures(
        current=current, target=target_value, required=required, missing=missing, met=missing <= 1e-9
    )


def coverage_gap(*, places: float | None, eligible: float | None, target: CoverageTarget) -> GapFigures:
    """Places against "`percent`% coverage" of the eligible people: how many whole places are missing.

    current = places / eligible × 100, required = eligible × percent / 100, missing = the whole places
    still needed, ⌈required − places⌉ (0 when met). Example: 500 children aged 0–2 and 124 places against
    33% → required 165, missing 41, current 24.8%.
    """
    if places is None or eligible is None or eligible <= 0:
        return GapFigures(current=None, target=target.percent, required=None, missing=None, met=None)
    required = eligible * target.percent / 100
    missing = float(max(0, math.ceil(round(required - places, 9))))
    return GapFigures(
        current=places / eligible * 100,
        target=target.percent,
        required=required,
        missing=missing,
        met=missing == 0,
    )


def round_up(value: float, decimals: int) -> float:
    """`value` rounded up to `decimals` places, without float noise (3.4000000000000004 → 3.4)."""
    scale = 10**decimals
    return math.ceil(round(value * scale, 6)) / scale
