"""A call as comparable, JSON-ready values, and the difference between two of them (the history's rows).

Editors' changes and imports compare snapshots: a change that changes nothing writes nothing (no save,
no `CallChange`), so importing the same file twice leaves the second run without a trace but its log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from welfarelab.calls.models import Call

SCALAR_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "issuer",
    "issuer_type",
    "issuer_tax_code",
    "url",
    "eligibility_notes",
    "total_budget",
    "min_grant",
    "max_grant",
    "estimated_awards",
    "cofinancing_percent",
    "procedure",
    "opens_at",
    "closes_at",
    "closed_early",
    "source_status",
    "source_data",
)
RELATION_FIELDS: tuple[str, ...] = ("themes", "eligible_applicants", "territories")
TRACKED_FIELDS: tuple[str, ...] = (*SCALAR_FIELDS, *RELATION_FIELDS, "attachments")


def comparable(value: object) -> Any:
    """The JSON value a field is compared and recorded as: amounts as "1500.00", instants in UTC ISO 8601."""
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def territory_label(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def call_snapshot(call: Call) -> dict[str, Any]:
    """Every tracked field of a saved call (relations as sorted slugs or `kind:code`)."""
    snapshot = {name: comparable(getattr(call, name)) for name in SCALAR_FIELDS}
    snapshot["themes"] = sorted(t.slug for t in call.themes.all())
    snapshot["eligible_applicants"] = sorted(a.slug for a in call.eligible_applicants.all())
    snapshot["territories"] = sorted(territory_label(t.kind, t.code) for t in call.territories.all())
    snapshot["attachments"] = [[a.title, a.href] for a in call.attachments.all()]
    return snapshot


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """field → [before, after] for the fields whose value differs (for `source_data`, key by key)."""
    changes: dict[str, list[Any]] = {}
    for name, new in after.items():
        old = before.get(name)
        if old == new:
            continue
        if name == "source_data" and isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes[f"source_data.{key}"] = [old.get(key), new.get(key)]
        else:
            changes[name] = [old, new]
    return changes
