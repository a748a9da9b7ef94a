"""Load the built-in catalogue (need domains and indicators) from the YAML files beside this module.

Loading is idempotent: entries are matched by code and updated in place, so observations keep their
indicator; indicators the coordinator created in the admin are left alone. A malformed entry stops the
load before anything is written, with the file, the entry and the field in the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from welfarelab.indicators.models import Indicator, NeedDomain

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
NEED_DOMAINS_FILE = CATALOGUE_DIR / "need_domains.yaml"
INDICATORS_FILE = CATALOGUE_DIR / "indicators.yaml"

_DOMAIN_FIELDS = {"code", "name_it", "name_en", "description_it", "description_en", "user_areas"}
_INDICATOR_FIELDS = {f.name for f in Indicator._meta.get_fields() if f.concrete} - {
    "id",
    "created_at",
    "updated_at",
    "is_builtin",
} | {"need_domains"}


class CatalogueError(ValueError):
    pass


def _entries(path: Path, allowed: set[str]) -> list[dict[str, Any]]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise CatalogueError(f"{path.name}: expected a list of entries.")
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, entry {number} ({entry.get('code', 'no code') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict) or "code" not in entry:
            raise CatalogueError(f"{where}: every entry needs a code.")
        unknown = set(entry) - allowed
        if unknown:
            raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    return entries


@transaction.atomic
def catalogue_load(
    *,
    need_domains_file: Path = NEED_DOMAINS_FILE,
    indicators_file: Path = INDICATORS_FILE,
    first_position: int = 1,
) -> tuple[int, int]:
    """Create or update the need domains and built-in indicators; return how many of each.

    Another app's catalogue file (the supply indicators of welfarelab.services) is loaded the same way,
    with a `first_position` after this file's indicators so that pages list it after them.
    """
    domains = _entries(need_domains_file, _DOMAIN_FIELDS)
    for position, entry in enumerate(domains, start=1):
        NeedDomain.objects.update_or_create(
            code=entry["code"],
            defaults={**{k: v for k, v in entry.items() if k != "code"}, "position": position},
        )
    domain_by_code = {d.code: d for d in NeedDomain.objects.all()}
    indicators = _entries(indicators_file, _INDICATOR_FIELDS)
    for position, entry in enumerate(indicators, start=first_position):
        where = f"{indicators_file.name}, indicator {entry['code']}"
        fields = {k: v for k, v in entry.items() if k not in {"code", "need_domains"}}
        domain_codes = entry.get("need_domains", [])
        missing = [code for code in domain_codes if code not in domain_by_code]
        if missing:
            raise CatalogueError(f"{where}: unknown need domain(s) {', '.join(missing)}.")
        indicator = Indicator.objects.filter(code=entry["code"]).first() or Indicator(code=entry["code"])
        for name, value in {**fields, "position": position, "is_builtin": True}.items():
            setattr(indicator, name, value)
        try:
            indicator.full_clean(validate_unique=False)
        except ValidationError as error:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CatalogueError(f"{where}: {details}") from error
        indicator.save()
        indicator.need_domains.set([domain_by_code[code] for code in domain_codes])
    return len(domains), len(indicators)
