"""The community profile of a territory: page, PDF and data export."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from welfarelab.benchmarking import exports
from welfarelab.benchmarking.charts import comparison_labels, spine_figure, spine_svg_rows
from welfarelab.benchmarking.profiles import TerritoryProfile, territory_profile
from welfarelab.benchmarking.summary import profile_summary
from welfarelab.practices.selectors import published_practices
from welfarelab.services.selectors import LepsGap
from welfarelab.territories import selectors as territory_selectors

EXPORT_FORMATS = ("csv", "xlsx")


def _period(request: HttpRequest) -> int | None:
    raw = request.GET.get("periodo", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1861 <= int(raw) <= 2100:
        raise Http404(_("The period must be a year such as 2023."))
    return int(raw)


def _profile(request: HttpRequest, kind: str, code: str) -> TerritoryProfile:
    territory = territory_selectors.territory_get(kind=kind, code=code)
    return territory_profile(territory, period=_period(request), practices_for=published_practices)


def _context(profile: TerritoryProfile) -> dict[str, Any]:
    territory = profile.territory
    parents = territory_selectors.territory_parents(territory=territory)
    return {
        "territory": territory,
        "profile": profile,
        "summary": profile_summary(profile),
        "sections": [(section, spine_figure(section)) for section in profile.sections],
        "print_sections": [(section, spine_svg_rows(section)) for section in profile.sections],
        "comparison_labels": comparison_labels(),
        "indicator_names": {line.indicator.code: line.indicator.localized("name") for line in profile.lines},
        "leps_gaps": leps_gaps_of(profile),
        "breadcrumb": [
            (_("Territories"), reverse("territories:search")),
            *((p.name, reverse("territories:detail", args=[p.kind, p.code])) for p in parents),
            (territory.name, reverse("territories:detail", args=[territory.kind, territory.code])),
            (_("Community profile"), None),
        ],
    }


def leps_gaps_of(profile: TerritoryProfile) -> list[LepsGap]:
    """The territory's distance from each LEPS in the profile's year (services.selectors)."""
    return profile.leps_gaps


def profile(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    return render(request, "benchmarking/profile.html", _context(_profile(request, kind, code)))


def profile_pdf(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """The profile as a PDF for a council meeting: title page, contents, charts, tables, sources."""
    from welfarelab.benchmarking.pdf import profile_pdf_bytes

    profile = _profile(request, kind, code)
    html = render_to_string("benchmarking/profile_print.html", _context(profile), request=request)
    response = HttpResponse(
        profile_pdf_bytes(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf"
    )
    filename = f"profilo-{profile.territory.kind}-{profile.territory.code}-{profile.period or 'ultimo'}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def profile_export(request: HttpRequest, kind: str, code: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Formats: CSV or XLSX."))
    profile = _profile(request, kind, code)
    return exports.profile_download(profile, fmt=fmt)
