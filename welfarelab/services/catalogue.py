"""Load the catalogue of services (`catalogue/services.yaml`) and the supply indicators.

Loading is idempotent: macro-areas and services are matched by code and updated in place, so
declarations keep their service; a service no longer in the file is kept, out of the catalogue
(`is_active` False), because past declarations point to it. A malformed file stops the load before
anything is written, with the entry and the field in the message. The supply indicators
(`welfarelab/indicators/catalogue/supply_indicators.yaml`) go through the indicators' own loader, so
they are built-in indicators like the others.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from welfarelab.indicators.catalogue import CATALOGUE_DIR as INDICATORS_CATALOGUE_DIR
from welfarelab.indicators.catalogue import CatalogueError, catalogue_load
from welfarelab.indicators.models import NeedDomain
from welfarelab.services.models import CONTEXT_DOMAINS, ServiceMacroArea, SocialService
from welfarelab.territories.loaders import LoadResult, dataset_load_record, dataset_loaded

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
SERVICES_FILE = CATALOGUE_DIR / "services.yaml"
LEPS_FILE = CATALOGUE_DIR / "leps.yaml"
SUPPLY_INDICATORS_FILE = INDICATORS_CATALOGUE_DIR / "supply_indicators.yaml"
# Supply indicators are listed after the indicators of indicators.yaml within each need domain.
SUPPLY_INDICATORS_FIRST_POSITION = 200
CATALOGUE_DATASET = "services_catalogue"

_MACRO_AREA_FIELDS = {"code", "name_it", "name_en", "confirmed"}
_SERVICE_FIELDS = {
    "code",
    "nomenclatore_code",
    "nomenclatore_code_verified",
    "macro_area",
    "name_it",
    "name_en",
    "description_it",
    "description_en",
    "need_domains",
    "user_areas",
    "counts_as",
}


@dataclass(frozen=True)
class UserArea:
    code: str
    name_it: str
    name_en: str


@dataclass(frozen=True)
class LepsRequirement:
    """One thing a LEPS asks for: met when any of `services` (catalogue codes) is declared."""

    services: tuple[str, ...]


@dataclass(frozen=True)
class ServicesFile:
    macro_areas: list[dict[str, Any]]
    user_areas: dict[str, UserArea]
    services: list[dict[str, Any]]
    leps_requirements: dict[str, tuple[LepsRequirement, ...]]


def _check_entries(entries: object, *, section: str, allowed: set[str], path: Path) -> list[dict[str, Any]]:
    if not isinstance(entries, list):
        raise CatalogueError(f"{path.name}: section {section} must be a list of entries.")
    for number, entry in enumerate(entries, start=1):
        code = entry.get("code", "no code") if isinstance(entry, dict) else "?"
        where = f"{path.name}, {section} entry {number} ({code})"
        if not isinstance(entry, dict) or "code" not in entry:
            raise CatalogueError(f"{where}: every entry needs a code.")
        unknown = set(entry) - allowed
        if unknown:
            raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    return entries


def services_file_read(path: Path = SERVICES_FILE) -> ServicesFile:
    """Parse and check the catalogue file (no database): sections, fields, cross-references."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: expected the sections macro_areas, user_areas, services.")
    macro_areas = _check_entries(
        data.get("macro_areas"), section="macro_areas", allowed=_MACRO_AREA_FIELDS, path=path
    )
    user_areas = {
        entry["code"]: UserArea(entry["code"], entry["name_it"], entry.get("name_en", ""))
        for entry in _check_entries(
            data.get("user_areas"), section="user_areas", allowed={"code", "name_it", "name_en"}, path=path
        )
    }
    services = _check_entries(data.get("services"), section="services", allowed=_SERVICE_FIELDS, path=path)
    area_codes = {entry["code"] for entry in macro_areas}
    counts = {choice.value for choice in SocialService.Counts}
    seen: set[str] = set()
    for entry in services:
        where = f"{path.name}, service {entry['code']}"
        if entry["code"] in seen:
            raise CatalogueError(f"{where}: the code appears twice.")
        seen.add(entry["code"])
        if entry.get("macro_area") not in area_codes:
            raise CatalogueError(f"{where}: unknown macro_area {entry.get('macro_area')!r}.")
        if not entry.get("need_domains"):
            raise CatalogueError(f"{where}: give at least one need domain.")
        context = set(entry["need_domains"]) & CONTEXT_DOMAINS
        if context:
            raise CatalogueError(
                f"{where}: {', '.join(sorted(context))} is the context, not a need a service answers."
            )
        unknown_areas = [code for code in entry.get("user_areas", []) if code not in user_areas]
        if not entry.get("user_areas") or unknown_areas:
            raise CatalogueError(f"{where}: user_areas must name areas of the user_areas section.")
        unknown_counts = set(entry.get("counts_as", [])) - counts
        if unknown_counts:
            raise CatalogueError(f"{where}: unknown counts_as {', '.join(sorted(unknown_counts))}.")
    requirements: dict[str, tuple[LepsRequirement, ...]] = {}
    for leps_id, items in (data.get("leps_requirements") or {}).items():
        parsed = []
        for item in items:
            missing = [code for code in item.get("services", []) if code not in seen]
            if not item.get("services") or missing:
                raise CatalogueError(
                    f"{path.name}, leps_requirements {leps_id}: unknown service(s) {', '.join(missing) or '(none)'}."
                )
            parsed.append(LepsRequirement(services=tuple(item["services"])))
        requirements[str(leps_id)] = tuple(parsed)
    return ServicesFile(macro_areas, user_areas, services, requirements)


@lru_cache(maxsize=1)
def services_file() -> ServicesFile:
    """The bundled catalogue file, parsed once per process (user areas and LEPS requirements live here)."""
    return services_file_read(SERVICES_FILE)


@transaction.atomic
def services_catalogue_load(*, services_path: Path = SERVICES_FILE) -> int:
    """Create or update the macro-areas, services and supply indicators; return how many services."""
    parsed = services_file_read(services_path)
    catalogue_load(
        indicators_file=SUPPLY_INDICATORS_FILE, first_position=SUPPLY_INDICATORS_FIRST_POSITION
    )  # also (re)loads the need domains the services point to
    areas = {}
    for position, entry in enumerate(parsed.macro_areas, start=1):
        areas[entry["code"]], _created = ServiceMacroArea.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name_it": entry["name_it"],
                "name_en": entry.get("name_en", ""),
                "confirmed": bool(entry.get("confirmed", False)),
                "position": position,
            },
        )
    domains = {domain.code: domain for domain in NeedDomain.objects.all()}
    for position, entry in enumerate(parsed.services, start=1):
        missing = [code for code in entry["need_domains"] if code not in domains]
        if missing:
            raise CatalogueError(
                f"{services_path.name}, service {entry['code']}: unknown need domain(s) {', '.join(missing)}."
            )
        service, _created = SocialService.objects.update_or_create(
            code=entry["code"],
            defaults={
                "nomenclatore_code": entry.get("nomenclatore_code", ""),
                "nomenclatore_code_verified": bool(entry.get("nomenclatore_code_verified", False)),
                "macro_area": areas[entry["macro_area"]],
                "name_it": entry["name_it"],
                "name_en": entry.get("name_en", ""),
                "description_it": entry.get("description_it", ""),
                "description_en": entry.get("description_en", ""),
                "user_areas": list(entry["user_areas"]),
                "counts_as": list(entry.get("counts_as", [])),
                "position": position,
                "is_active": True,
            },
        )
        service.need_domains.set([domains[code] for code in entry["need_domains"]])
    SocialService.objects.exclude(code__in=[entry["code"] for entry in parsed.services]).update(
        is_active=False
    )
    return len(parsed.services)


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def services_catalogue_step(*, force: bool = False) -> LoadResult:
    """The step of `load-open-data`: load the catalogue when its files changed, then recompute the supply
    indicators of every declared year (their denominators may have been reloaded too)."""
    from welfarelab.services.supply import supply_indicators_refresh  # supply imports this module

    started = time.perf_counter()
    files = [
        f"{path.relative_to(settings.BASE_DIR)} sha256:{_fingerprint(path)}"
        for path in (SERVICES_FILE, SUPPLY_INDICATORS_FILE, LEPS_FILE)
    ]
    done = dataset_loaded(CATALOGUE_DATASET)
    if not force and done is not None and done.source_files == "\n".join(files):
        return LoadResult(dataset=CATALOGUE_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    services = services_catalogue_load()
    supply_indicators_refresh()
    return dataset_load_record(CATALOGUE_DATASET, rows=services, started=started, files=files)
