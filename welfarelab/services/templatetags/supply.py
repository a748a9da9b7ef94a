"""`{{ value|figure }}`: a declared figure in the page's language, "–" when unknown (0 stays 0)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 2
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
