"""Small helpers for Bootstrap Italia pages: sprite icons, query strings and numbers."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html

register = template.Library()

SPRITES = "vendor/bootstrap-italia/svg/sprites.svg"


@register.simple_tag
def icon(name: str, classes: str = "") -> str:
    """A Bootstrap Italia sprite icon, hidden from screen readers: the control around it carries the label."""
    return format_html(
        '<svg class="icon {}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static(SPRITES),
        name,
    )


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with `changes` applied, e.g. `?q=roma&page=2` for a pagination link.

    A value of None (or "") drops the parameter, so filters can be reset without keeping stale pages.
    """
    request: HttpRequest | None = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def percent(value: float | None, decimals: int = 1) -> str:
    """A share as a localised percentage: `12,5 %` in Italian, `12.5 %` in English."""
    if value is None:
        return "–"
    # number_format cuts decimals off; round first so that 2.97 shows as 3.0.
    return f"{number_format(round(value, decimals), decimal_pos=decimals)} %"


@register.filter
def signed(value: float | int | None, decimals: int = 0) -> str:
    """A localised number with an explicit `+` or `−` sign (a change, not a level)."""
    if value is None:
        return "–"
    rounded = round(abs(value), decimals)
    sign = "" if rounded == 0 else ("+" if value > 0 else "−")
    return f"{sign}{number_format(rounded, decimal_pos=decimals, force_grouping=True)}"


@register.simple_tag
def elided_pages(page: Page) -> list[int | str]:
    """Page numbers around the current one, with `Paginator.ELLIPSIS` where numbers are skipped."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


@register.simple_tag(takes_context=True)
def path_in_default_language(context: template.Context) -> str:
    """The current path (and query) as the default language spells it: `/en/territori/…` → `/territori/…`.

    It is the `next` of the language switch. Django's `set_language` runs under the default language when
    `prefix_default_language=False`, so it can only translate a `next` without the `/en/` prefix; given
    `/en/…` it would keep the visitor on the English page after choosing Italian.
    """
    request: HttpRequest | None = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
