from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    """`mapping[key]`, or "" — for the labels of comparisons in the print template."""
    return mapping.get(key, "")
