"""The `ui` template tags: icons, query strings and localised numbers."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from welfarelab.core.templatetags.ui import percent, signed


def _render(source: str, **context: object) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_icon_is_a_hidden_sprite_reference():
    html = _render('{% icon "it-search" "icon-white" %}')

    assert html == (
        '<svg class="icon icon-white" aria-hidden="true" focusable="false">'
        '<use href="/static/vendor/bootstrap-italia/svg/sprites.svg#it-search"></use></svg>'
    )


def test_query_with_replaces_one_parameter_and_keeps_the_others():
    request = RequestFactory().get("/territori/cerca/", {"q": "forlì", "kind": "comune", "page": "3"})

    assert _render("{% query_with page=4 %}", request=request) == "?q=forl%C3%AC&amp;kind=comune&amp;page=4"
    assert _render('{% query_with kind="" %}', request=request) == "?q=forl%C3%AC&amp;page=3"


def test_query_with_without_a_request_starts_a_new_query():
    assert _render("{% query_with page=2 %}") == "?page=2"


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        ("it", 1234, 0, "+1.234"),
        ("en", 1234, 0, "+1,234"),
        ("it", -922, 0, "−922"),
        ("it", -0.0335, 2, "−0,03"),
        ("it", 9.5238, 2, "+9,52"),
        ("it", -0.004, 2, "0,00"),  # rounds to zero: no sign
        ("it", 0, 0, "0"),
        ("it", None, 0, "–"),
    ],
)
def test_signed_shows_the_direction_of_a_change(language, value, decimals, expected):
    with translation.override(language):
        assert signed(value, decimals) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [("it", 2.97, "3,0 %"), ("en", 2.97, "3.0 %"), ("it", 15.84, "15,8 %"), ("it", None, "–")],
)
def test_percent_rounds_instead_of_cutting_decimals(language, value, expected):
    with translation.override(language):
        assert percent(value) == expected
