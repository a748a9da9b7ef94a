"""Template helpers of the calls: a call's status at a moment, and an organisation's matching calls.

{% load calls %}
{% call_status call now as status %}  {{ status.label }} {% if status.closing_soon %}…{% endif %}
{% organisation_call_matches organisation %}   (the section of an organisation's page)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from welfarelab.accounts.permissions import can_change
from welfarelab.calls.matching import matching_calls
from welfarelab.calls.models import Call

register = template.Library()

SECTION_LIMIT = 5


@dataclass(frozen=True)
class StatusView:
    code: str
    label: str
    closing_soon: bool

    @property
    def css(self) -> str:
        if self.closing_soon:
            return "bg-warning text-dark"
        return {"open": "bg-success", "upcoming": "bg-primary"}.get(self.code, "bg-secondary")


@register.simple_tag
def call_status(call: Call, now: dt.datetime | None = None) -> StatusView:
    now = now or timezone.now()
    code = call.status_at(now)
    return StatusView(code=code, label=str(Call.Status(code).label), closing_soon=call.closing_soon_at(now))


@register.inclusion_tag("calls/_organisation_matches.html", takes_context=True)
def organisation_call_matches(context: template.Context, organisation: Any) -> dict[str, Any]:
    """The best open calls for `organisation`, with a link to all of them and to its themes."""
    request = context.get("request")
    user = getattr(request, "user", None)
    matches = matching_calls(organisation=organisation)
    return {
        "organisation": organisation,
        "matches": matches[:SECTION_LIMIT],
        "total": len(matches),
        "may_change": user is not None and can_change(user, organisation),
        "now": timezone.now(),
    }


@register.filter
def call_field_label(name: str) -> str:
    """The label of a field named in a history row (`source_data.stato` → "… : stato")."""
    base, _dot, key = name.partition(".")
    try:
        label = str(getattr(Call._meta.get_field(base), "verbose_name", base))
    except Exception:  # a field that no longer exists, or the flag's own name
        label = base.replace("_", " ")
    return f"{label}: {key}" if key else label


@register.filter
def history_value(value: Any) -> str:
    """A value of a history row as short text: lists joined, nothing as a dash."""
    if value in (None, "", [], {}):
        return "–"
    if isinstance(value, list):
        return ", ".join(
            " ".join(str(part) for part in item) if isinstance(item, list) else str(item) for item in value
        )
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)
