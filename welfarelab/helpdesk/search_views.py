"""Search of the knowledge base: the results page and the as-you-type suggestions (an htmx fragment).

    /sportello/cerca/?q=quanto costa iscriversi al runts          helpdesk:search
    /sportello/suggerimenti/?q=bilan&box=kb                       helpdesk:suggest

Views stay thin: the search is `welfarelab.search.knowledge_base.kb_search` (published articles only,
ranked the same on SQLite and PostgreSQL). The search box (`helpdesk/_kb_search_box.html`) follows the
territory search box: without JavaScript it submits to the results page; with it, htmx asks for
suggestions as the person types, `static/welfarelab/js/search-suggest.js` moves focus through them
with the keyboard, and a live region says how many there are.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from welfarelab.search.knowledge_base import MAX_LIMIT, MAX_QUERY_LENGTH, kb_search

RESULTS_PER_PAGE = 10
SUGGESTIONS = 6
# Below three characters a prefix stands for too many words: suggestions would only be noise.
SUGGEST_MIN_LENGTH = 3


class KbSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Your question"), max_length=MAX_QUERY_LENGTH, required=False)


class KbSuggestForm(forms.Form):
    """The query of the suggestion fragment, and which search box asked (its ids prefix the live region)."""

    # Not stripped: a trailing space tells that the last word is finished (no completion).
    q = forms.CharField(max_length=MAX_QUERY_LENGTH, required=False, strip=False)
    box = forms.CharField(max_length=20, required=False, validators=[RegexValidator(r"^[a-z][a-z0-9-]*$")])

    def clean_box(self) -> str:
        return self.cleaned_data["box"] or "kb"


def _clean(query: str) -> str:
    return query.replace("\x00", "")


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = KbSearchForm(request.GET)
    query = ""
    result = None
    if form.is_valid():
        query = " ".join(_clean(form.cleaned_data["q"]).split())
        if query:
            result = kb_search(query=query, limit=MAX_LIMIT)
    page = Paginator(list(result.hits) if result else [], RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "query": query,
        "result": result,
        "page": page,
        "breadcrumb": [(_("ETS help desk"), reverse("helpdesk:home")), (_("Search"), None)],
    }
    return render(request, "helpdesk/search.html", context)


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """Up to SUGGESTIONS articles for the search box as the person types (an htmx fragment)."""
    form = KbSuggestForm(request.GET)
    query, box, hits, more = "", "kb", [], False
    if form.is_valid():
        typed, box = _clean(form.cleaned_data["q"]).lstrip(), form.cleaned_data["box"]
        query = typed.strip()
        if len(query) >= SUGGEST_MIN_LENGTH:
            result = kb_search(query=query, limit=SUGGESTIONS, prefix=not typed.endswith(" "))
            hits, more = list(result.hits), result.total > SUGGESTIONS
    context = {
        "query": query,
        "box": box,
        "hits": hits,
        "more": more,
        "too_short": len(query) < SUGGEST_MIN_LENGTH,
    }
    response = render(request, "helpdesk/_kb_suggestions.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
