"""Indicator pages: the catalogue by need domain, and one indicator with its values for every territory."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from welfarelab.indicators import selectors
from welfarelab.indicators.forms import IndicatorValuesForm
from welfarelab.indicators.models import Indicator
from welfarelab.territories.models import Territory

VALUES_PER_PAGE = 50


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    domains = [d for d in selectors.need_domains_with_indicators() if d.indicators.all()]
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "domains": domains,
            "count": Indicator.objects.filter(is_published=True).count(),
            "breadcrumb": [(_("Indicators"), None)],
        },
    )


@require_GET
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        indicator = selectors.indicator_get(code=code)
    except Indicator.DoesNotExist:
        raise Http404 from None
    periods = selectors.indicator_periods(indicator=indicator)
    form = IndicatorValuesForm(request.GET, periods=periods)
    filters = form.cleaned_data if form.is_valid() else form.defaults()
    period = filters["period"]
    kind = filters["kind"]
    within = filters["within"]
    italy = None
    rows = []
    if period is not None:
        italy = selectors.observation_values(
            indicator=indicator, kind=Territory.Kind.ITALIA, period=period
        ).first()
        values = selectors.observation_values(indicator=indicator, kind=kind, period=period, within=within)
        ranked = (
            F("value").desc(nulls_last=True)
            if filters["order"] == "desc"
            else F("value").asc(nulls_last=True)
        )
        page = Paginator(values.order_by(ranked, "territory__name_folded"), VALUES_PER_PAGE)
        rows_page = page.get_page(request.GET.get("page"))
        rows = selectors.compared_with(list(rows_page), comparator=italy, indicator=indicator)
    else:
        rows_page = None
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "form": form,
            "period": period,
            "kind": kind,
            "within": within,
            "italy": italy,
            "rows": rows,
            "page": rows_page,
            "download_formats": ("csv", "xlsx", "json"),
            "breadcrumb": [(_("Indicators"), reverse("indicators:list")), (indicator.name, None)],
        },
    )
