"""The home page and the server-error page of the interface shell. Views stay thin: reads are selectors."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from welfarelab.core.context_processors import site
from welfarelab.organisations.selectors import organisation_list
from welfarelab.territories.forms import TerritorySearchForm
from welfarelab.territories.selectors import population_totals, territory_counts, territory_italy

# The year of the population figure on the home page (ISTAT residents on 1 January).
HOME_POPULATION_YEAR = 2023


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts = territory_counts()
    italy = territory_italy()
    italy_population = population_totals(territory=italy).get(HOME_POPULATION_YEAR) if italy else None
    context = {
        "search_form": TerritorySearchForm(),
        "figures": {
            "comuni": counts["comune"],
            "ambiti": counts["ambito"],
            # What a visitor can see in the directory, not the hidden entries.
            "organisations": organisation_list(user=AnonymousUser()).count(),
            "italy_population": italy_population,
            "population_year": HOME_POPULATION_YEAR,
        },
    }
    return render(request, "core/home.html", context)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page inside the shell, without context processors, the session or the database.

    Django's default handler renders 500.html with an empty context, which would lose the lab's name;
    the request context is avoided too because whatever failed (the database, the session) may fail again.
    """
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({**site(request), "minimal_shell": True}))
