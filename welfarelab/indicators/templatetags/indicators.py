"""Numbers of indicators on pages: formatted with their decimals and unit, and linked to their definition.

The house rule is that every number shown has its definition one click away: `{% indicator_value obs %}`
renders the value as a link to the indicator's page.
"""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from welfarelab.indicators.models import Indicator, Observation

register = template.Library()

COMPARISON_LABELS = {
    "better": gettext_lazy("Significantly better"),
    "worse": gettext_lazy("Significantly worse"),
    "similar": gettext_lazy("Similar"),
    "higher": gettext_lazy("Significantly higher"),
    "lower": gettext_lazy("Significantly lower"),
    "not_comparable": gettext_lazy("Not compared"),
}


@register.filter
def indicator_number(value: float | None, indicator: Indicator) -> str:
    """`value` with the indicator's decimals, localised; an en dash when unknown.

    A template reaching through a missing comparator (`line.regione.value` of a regione's own profile)
    gets the empty string, not None: unknown too.
    """
    if value is None or value == "":
        return "–"
    decimals = indicator.decimals
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


@register.simple_tag
def indicator_value(observation: Observation | None, indicator: Indicator, *, unit: bool = True) -> str:
    """The observation's value and unit as a link to the indicator's page (its definition and source)."""
    number = indicator_number(observation.value if observation else None, indicator)
    text = f"{number}\u00a0{indicator.unit}" if unit and indicator.unit and number != "–" else number
    return format_html(
        '<a href="{}" class="wl-value" title="{}">{}</a>',
        indicator.get_absolute_url(),
        _("%(name)s: definition, source and every territory") % {"name": indicator.name},
        text,
    )


@register.simple_tag
def indicator_interval(observation: Observation | None, indicator: Indicator) -> str:
    if observation is None or observation.lower_95 is None or observation.upper_95 is None:
        return "–"
    return f"{indicator_number(observation.lower_95, indicator)}–{indicator_number(observation.upper_95, indicator)}"


@register.inclusion_tag("indicators/_comparison.html")
def comparison_badge(comparison: str) -> dict[str, str]:
    label = COMPARISON_LABELS.get(comparison, COMPARISON_LABELS["not_comparable"])
    return {"comparison": comparison, "label": str(label)}
