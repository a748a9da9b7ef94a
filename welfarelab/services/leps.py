"""The LEPS table as data: `catalogue/leps.yaml` (a copy of the lab's domain notes) read into dataclasses.

Every text is split from its "da verificare" marks (analytics.leps.split_to_verify): pages show the text
with a "to verify" notice and list what is to verify, never the raw marks. Numeric targets are parsed
from their sentences (analytics.leps.parse_target); `NUMERIC_BINDINGS` says which supply indicator
measures each of them. The file is read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from welfarelab.analytics.leps import (
    CoverageTarget,
    NumericTarget,
    PopulationRatioTarget,
    parse_target,
    split_to_verify,
)
from welfarelab.services.catalogue import LEPS_FILE

LEVEL_LEP = "LEP"
LEVEL_SERVICE_TARGET = "obiettivo_servizio"


@dataclass(frozen=True)
class NumericBinding:
    """The supply indicator whose numerator and denominator measure a LEPS's numeric targets.

    Both indicators have the amount (social workers, places) as numerator and the population of
    reference as denominator.
    """

    indicator: str
    target_type: type[PopulationRatioTarget] | type[CoverageTarget]


NUMERIC_BINDINGS: dict[str, NumericBinding] = {
    "LEPS_SSP_RAPPORTO_AS": NumericBinding("social_workers_per_10000", PopulationRatioTarget),
    "LEP_NIDI_33": NumericBinding("nursery_places_per_100_0_2", CoverageTarget),
}


@dataclass(frozen=True)
class LepsReference:
    """A legal reference; `to_verify` when the notes mark part of it as not confirmed."""

    text: str
    to_verify: bool


@dataclass(frozen=True)
class LepsTarget:
    level: str  # LEVEL_LEP or LEVEL_SERVICE_TARGET
    text: str  # as the table words it (Italian), without to-verify marks
    deadline: str
    numeric: NumericTarget | None

    @property
    def level_label(self) -> str:
        return level_label(self.level)


@dataclass(frozen=True)
class Leps:
    id: str
    name_it: str
    name_en: str
    kind: str  # sistema, erogazione, processo, lep_istruzione
    user_areas: tuple[str, ...]
    references: tuple[LepsReference, ...]
    targets: tuple[LepsTarget, ...]
    measured_by: str  # the indicator the table names (Italian)
    measured_at: str  # the territorial level it is measured at (Italian: "ATS", "Comune o bacino…")
    components: tuple[str, ...]
    to_verify: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def name(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it

    @property
    def kind_label(self) -> str:
        labels = {
            "sistema": _("Structural standard"),
            "erogazione": _("Service delivery"),
            "processo": _("Care pathway"),
            "lep_istruzione": _("Essential level of education"),
        }
        return labels.get(self.kind, self.kind)

    @property
    def numeric_targets(self) -> tuple[LepsTarget, ...]:
        """The targets a territory can be measured against (a bound indicator, a number of the right shape)."""
        binding = NUMERIC_BINDINGS.get(self.id)
        if binding is None:
            return ()
        return tuple(t for t in self.targets if isinstance(t.numeric, binding.target_type))

    @property
    def level(self) -> str:
        """LEP when any of its targets is an essential level (or it has none), else service target."""
        if not self.targets or any(t.level == LEVEL_LEP for t in self.targets):
            return LEVEL_LEP
        return LEVEL_SERVICE_TARGET


def level_label(level: str) -> str:
    if level == LEVEL_SERVICE_TARGET:
        return _("Service target")
    return _("Essential level (LEP)")


def _clean(text: object) -> tuple[str, list[str]]:
    return split_to_verify(str(text))


def _leps(entry: dict[str, Any]) -> Leps:
    to_verify: list[str] = []
    references = []
    for reference in entry.get("riferimenti_normativi") or []:
        text, notes = _clean(reference)
        references.append(LepsReference(text=text, to_verify=bool(notes)))
        to_verify.extend(f"{text}: {note}" if note else text for note in notes)
    targets = []
    for target in entry.get("target") or []:
        text, notes = _clean(target["valore"])
        to_verify.extend(f"{text}: {note}" if note else text for note in notes)
        targets.append(
            LepsTarget(
                level=LEVEL_SERVICE_TARGET if target.get("natura") == LEVEL_SERVICE_TARGET else LEVEL_LEP,
                text=text,
                deadline=str(target.get("scadenza", "")),
                numeric=parse_target(text),
            )
        )
    for item in entry.get("da_verificare") or []:
        text, notes = _clean(item)
        to_verify.append(f"{text} ({'; '.join(n for n in notes if n)})" if any(notes) else text)
    indicator = entry.get("indicatore") or {}
    measured_by, notes = _clean(indicator.get("nome", ""))
    to_verify.extend(f"{measured_by}: {note}" if note else measured_by for note in notes)
    return Leps(
        id=entry["id"],
        name_it=entry["nome"],
        name_en=entry.get("nome_en", ""),
        kind=entry.get("tipo", ""),
        user_areas=tuple(entry.get("aree_utenza") or []),
        references=tuple(references),
        targets=tuple(targets),
        measured_by=measured_by,
        measured_at=_clean(indicator.get("livello_territoriale", ""))[0],
        components=tuple(_clean(c)[0] for c in entry.get("componenti") or []),
        to_verify=tuple(dict.fromkeys(to_verify)),
        sources=tuple(entry.get("fonti") or []),
    )


def leps_file_read(path: Path = LEPS_FILE) -> list[Leps]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [_leps(entry) for entry in data["leps"]]


@lru_cache(maxsize=1)
def leps_catalogue() -> tuple[Leps, ...]:
    """Every LEPS of the bundled table, in its order."""
    return tuple(leps_file_read(LEPS_FILE))


def leps_get(leps_id: str) -> Leps | None:
    return next((leps for leps in leps_catalogue() if leps.id == leps_id), None)
