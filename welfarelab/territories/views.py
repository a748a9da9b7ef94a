"""Territory pages: search (a full results page and as-you-type suggestions) and one territory's profile.

Views stay thin: reads go through `selectors`, and htmx requests get a fragment of the same template
(django-template-partials), so the page works the same without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from welfarelab.indicators.selectors import territory_indicator_rows
from welfarelab.territories import selectors
from welfarelab.territories.forms import SUGGEST_MIN_LENGTH, SuggestForm, TerritorySearchForm
from welfarelab.territories.models import Territory

RESULTS_PER_PAGE = 20
MEMBERS_PER_PAGE = 50
SUGGESTIONS = 8

# The htmx target that gets a fragment of the territory page instead of the whole page.
MEMBERS_TARGET = "members"


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx's middleware decorates it (for type checkers)."""

    htmx: HtmxDetails


def _fragment_or_page(
    request: HtmxHttpRequest, template: str, target: str, context: dict[str, Any]
) -> HttpResponse:
    """The `target` partial for an htmx request aimed at it, the whole page otherwise."""
    name = f"{template}#{target}" if request.htmx and request.htmx.target == target else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])  # caches must not mix pages and fragments
    return response


@require_GET
def search(request: HtmxHttpRequest) -> HttpResponse:
    form = TerritorySearchForm(request.GET)
    query = ""
    results = Territory.objects.none()
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        results = selectors.territory_search(query=query, kind=form.cleaned_data["kind"] or None)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "query": query,
        "page": page,
        "breadcrumb": [(_("Territories"), None)],
    }
    return render(request, "territories/territory_search.html", context)


@require_GET
def suggest(request: HtmxHttpRequest) -> HttpResponse:
    """Up to SUGGESTIONS matches for the search box as the person types (an htmx fragment)."""
    form = SuggestForm(request.GET)
    query, box, territories = "", "search", []
    if form.is_valid():
        query, box = form.cleaned_data["q"], form.cleaned_data["box"]
        if len(query) >= SUGGEST_MIN_LENGTH:
            territories = list(selectors.territory_search(query=query)[: SUGGESTIONS + 1])
    context = {
        "query": query,
        "box": box,
        "territories": territories[:SUGGESTIONS],
        "more": len(territories) > SUGGESTIONS,
        "too_short": len(query) < SUGGEST_MIN_LENGTH,
    }
    response = render(request, "territories/_suggestions.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def detail(request: HtmxHttpRequest, kind: str, code: str) -> HttpResponse:
    territory = selectors.territory_get(kind=kind, code=code)
    population = selectors.population_profile(territory=territory)
    members = Paginator(selectors.territory_members(territory=territory), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    member_population = (
        selectors.population_totals_of(territories=members.object_list, year=population.year)
        if population.year is not None
        else {}
    )
    parents = selectors.territory_parents(territory=territory)
    context = {
        "territory": territory,
        "parents": parents,
        "population": population,
        "members": members,
        "member_rows": [(m, member_population.get(m.pk)) for m in members.object_list],
        "pyramid_chart": _pyramid_chart(population=population),
        "indicator_domains": territory_indicator_rows(territory=territory),
        "breadcrumb": [
            (_("Territories"), reverse("territories:search")),
            *((p.name, reverse("territories:detail", args=[p.kind, p.code])) for p in parents),
            (territory.name, None),
        ],
    }
    return _fragment_or_page(request, "territories/territory_detail.html", MEMBERS_TARGET, context)


def _pyramid_chart(*, population: selectors.PopulationProfile) -> dict[str, Any] | None:
    """What static/welfarelab/js/pyramid.js needs to draw the pyramid (passed with json_script)."""
    if not population.pyramid:
        return None
    return {
        "ages": [age for age, _m, _f in population.pyramid],
        "males": [males for _a, males, _f in population.pyramid],
        "females": [females for _a, _m, females in population.pyramid],
        "maxAge": population.pyramid[-1][0],
        "labels": {
            "males": _("Males"),
            "females": _("Females"),
            "age": _("Age"),
            "people": _("Residents"),
        },
        # Plotly's number format: decimal then thousands separator, as the page language writes them.
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
    }
