"""The home page and the server-error page of the interface shell. Views stay thin: reads are selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from welfarelab.core.context_processors import site
from welfarelab.organisations.selectors import organisation_list
from welfarelab.territories.forms import TerritorySearchForm
from welfarelab.territories.selectors import population_totals, territory_counts, territory_italy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The year of the population figure on the home page (ISTAT residents on 1 January).
HOME_POPULATION_YEAR = 2023


@dataclass(frozen=True)
class Mission:
    title: StrOrPromise
    text: StrOrPromise
    available: bool
    url_name: str = ""
    link_label: StrOrPromise = ""


# The six missions of the lab (the seed document), as the home page presents them.
MISSIONS: tuple[Mission, ...] = (
    Mission(
        title=_("Needs assessment and community profile"),
        text=_(
            "The community profile of every comune, ambito, provincia and regione: indicators by need domain against Italy, the region and similar territories, service supply and the gaps against the essential levels of social services (LEPS), the priorities, as a page, a PDF and open data."
        ),
        available=True,
        url_name="territories:search",
        link_label=_("Find a territory and its profile"),
    ),
    Mission(
        title=_("Benchmarking and mutual learning"),
        text=_(
            "Compare each ambito with similar territories and learn from those that do better: peer groups, funnel plots, trends and good practices."
        ),
        available=True,
        url_name="practices:list",
        link_label=_("Browse the good practices"),
    ),
    Mission(
        title=_("Shared strategic plan (Piano di Zona)"),
        text=_(
            "Write the Piano di Zona together: objectives drawn from the gaps, actions, indicators to follow them and the mix of funds."
        ),
        available=False,
    ),
    Mission(
        title=_("Training and tutorship"),
        text=_(
            "Courses and tutoring for the staff of the comuni, of the Ufficio di Piano and of the Third Sector, given by the lab's partners."
        ),
        available=False,
    ),
    Mission(
        title=_("Help desk for Third Sector Entities (sportello ETS)"),
        text=_(
            "A knowledge base on the legal, administrative and fiscal rules of the Third Sector, searchable the way people ask, with links to the laws on Normattiva, and questions answered by the desk's operators."
        ),
        available=True,
        url_name="helpdesk:home",
        link_label=_("Open the help desk"),
    ),
    Mission(
        title=_("Community and alerts"),
        text=_(
            "News and funding calls matched to each organisation, with alerts by email, Telegram, RSS and calendar."
        ),
        available=True,
        url_name="alerts:index",
        link_label=_("Subscribe to the alerts"),
    ),
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts = territory_counts()
    italy = territory_italy()
    italy_population = population_totals(territory=italy).get(HOME_POPULATION_YEAR) if italy else None
    context = {
        "search_form": TerritorySearchForm(),
        "missions": MISSIONS,
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
