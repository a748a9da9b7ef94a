"""Pages under /servizi/: the catalogue, the LEPS and a territory's gaps, the declarations and their import.

Views stay thin: reads go through `selectors`, writes through `services` and `importing`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from welfarelab.accounts.models import User
from welfarelab.core.importing import ImportRejected, RowError
from welfarelab.indicators.importers import last_period
from welfarelab.indicators.models import Indicator
from welfarelab.indicators.permissions import (
    NOT_ALLOWED,
    can_import_observations,
    is_coordinator,
    writable_territory_ids,
)
from welfarelab.indicators.templates_xlsx import territories_within
from welfarelab.reports.tabular import XLSX_CONTENT_TYPE
from welfarelab.services import selectors
from welfarelab.services.catalogue import services_file
from welfarelab.services.forms import (
    DeclarationForm,
    SupplyTemplateForm,
    SupplyUploadForm,
    declaration_initial,
)
from welfarelab.services.importing import declarations_import
from welfarelab.services.leps import leps_catalogue
from welfarelab.services.models import DECLARING_KINDS, FIRST_YEAR, SocialService, SupplyImport
from welfarelab.services.services import can_declare, declaration_delete, declaration_save
from welfarelab.services.supply import supply_ratios
from welfarelab.services.templates_xlsx import supply_template_xlsx
from welfarelab.territories.models import Territory
from welfarelab.territories.selectors import territory_get

ERRORS_SHOWN = 500
ACCEPTED_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_year() -> int:
    return timezone.localdate().year - 1


@require_GET
def services_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/services_index.html",
        {
            "can_load": can_import_observations(request.user),
            "supply_indicators": Indicator.objects.filter(
                code__in=[r.code for r in supply_ratios(domain_codes=())]
            ).order_by("position"),
            "breadcrumb": [(_("Services"), None)],
        },
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    names = {leps.id: leps.name for leps in leps_catalogue()}
    leps_by_service: dict[str, list[str]] = {}
    for leps_id, requirements in services_file().leps_requirements.items():
        for requirement in requirements:
            for code in requirement.services:
                leps_by_service.setdefault(code, []).append(names.get(leps_id, leps_id))
    areas = [
        (
            area,
            [
                (
                    service,
                    selectors.user_area_names(service.user_areas),
                    leps_by_service.get(service.code, []),
                )
                for service in area.services.all()
            ],
        )
        for area in selectors.macro_areas_with_services()
    ]
    return render(
        request,
        "services/catalogue.html",
        {
            "areas": areas,
            "count": sum(len(services) for _area, services in areas),
            "breadcrumb": [(_("Services"), reverse("services:index")), (_("Catalogue"), None)],
        },
    )


@require_GET
def leps_index(request: HttpRequest) -> HttpResponse:
    requirements = services_file().leps_requirements
    names = {s.code: s.name for s in SocialService.objects.all()}
    rows = []
    for leps in leps_catalogue():
        numeric = {t: selectors.target_words(t.numeric) for t in leps.numeric_targets}  # type: ignore[arg-type]
        rows.append(
            {
                "leps": leps,
                "targets": [(target, numeric.get(target, "")) for target in leps.targets],
                "services": [
                    [names.get(code, code) for code in r.services] for r in requirements.get(leps.id, ())
                ],
            }
        )
    return render(
        request,
        "services/leps_index.html",
        {
            "rows": rows,
            "breadcrumb": [(_("Services"), reverse("services:index")), (_("Essential levels (LEPS)"), None)],
        },
    )


@require_GET
def leps_territory(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    territory = territory_get(kind=kind, code=code)
    latest = selectors.leps_latest_year(territory)
    year_text = request.GET.get("anno", "")
    year = int(year_text) if year_text.isdigit() and FIRST_YEAR <= int(year_text) <= last_period() else None
    year = year or latest or _default_year()
    gaps = selectors.territory_leps_gaps(territory, year)
    declarable = territory if territory.kind in DECLARING_KINDS else None
    return render(
        request,
        "services/leps_territory.html",
        {
            "territory": territory,
            "year": year,
            "latest": latest,
            "numeric": [gap for gap in gaps if gap.is_numeric],
            "services": [gap for gap in gaps if not gap.is_numeric],
            "any_to_verify": any(gap.to_verify for gap in gaps),
            "can_declare": declarable is not None and can_declare(request.user, declarable),
            "first_year": FIRST_YEAR,
            "last_year": last_period(),
            "breadcrumb": [
                (_("Services"), reverse("services:index")),
                (_("Essential levels (LEPS)"), reverse("services:leps")),
                (territory.name, None),
            ],
        },
    )


@login_required
def declarations_start(request: HttpRequest) -> HttpResponse:
    """The territories the user may declare, or (coordinators) a form to open any of them."""
    user = request.user
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    writable = writable_territory_ids(user)
    if writable is None:
        places = []
        kind, code = request.GET.get("tipo", ""), request.GET.get("codice", "").strip()
        if kind in DECLARING_KINDS and code:
            found = Territory.objects.filter(kind=kind, code__iexact=code).first()
            if found is not None:
                return redirect(
                    "services:declarations", kind=found.kind, code=found.code, year=_default_year()
                )
            messages.error(request, _("No %(kind)s with code %(code)s.") % {"kind": kind, "code": code})
    else:
        places = list(
            Territory.objects.filter(pk__in=writable, kind__in=DECLARING_KINDS).order_by(
                "kind", "name_folded"
            )
        )
    return render(
        request,
        "services/declarations_start.html",
        {
            "places": places,
            "is_coordinator": writable is None,
            "year": _default_year(),
            "breadcrumb": [(_("Services"), reverse("services:index")), (_("Declarations"), None)],
        },
    )


def _declaring_territory(request: HttpRequest, kind: str, code: str, year: int) -> Territory:
    if kind not in DECLARING_KINDS or not FIRST_YEAR <= year <= last_period():
        raise Http404(_("Services are declared by a comune or an ambito, for a year up to next year."))
    territory = territory_get(kind=kind, code=code)
    if not can_declare(request.user, territory):
        raise PermissionDenied(NOT_ALLOWED)
    return territory


@login_required
def declarations(request: HttpRequest, kind: str, code: str, year: int) -> HttpResponse:
    territory = _declaring_territory(request, kind, code, year)
    services = list(SocialService.objects.filter(is_active=True).select_related("macro_area"))
    existing = {d.service.code: d for d in selectors.territory_declarations(territory=territory, year=year)}
    editing = existing.get(request.GET.get("servizio", ""))
    if request.method == "POST":
        form = DeclarationForm(request.POST, services=services)
        if form.is_valid():
            service = form.cleaned_data["service"]
            try:
                declaration_save(
                    user=request.user, territory=territory, year=year, service=service, figures=form.figures()
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _(
                        "%(service)s saved for %(year)s. The supply indicators and the LEPS gaps are up to date."
                    )
                    % {"service": service.name, "year": year},
                )
                return redirect(
                    reverse("services:declarations", args=[kind, territory.code, year]) + "#declared"
                )
    else:
        form = DeclarationForm(initial=declaration_initial(editing) if editing else None, services=services)
    return render(
        request,
        "services/declarations.html",
        {
            "territory": territory,
            "year": year,
            "declarations": list(existing.values()),
            "form": form,
            "editing": editing,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < last_period() else None,
            "breadcrumb": [
                (_("Services"), reverse("services:index")),
                (_("Declarations"), reverse("services:declarations-start")),
                (f"{territory.name} {year}", None),
            ],
        },
    )


@login_required
@require_POST
def declaration_remove(request: HttpRequest, kind: str, code: str, year: int, service: str) -> HttpResponse:
    territory = _declaring_territory(request, kind, code, year)
    declaration = get_object_or_404(
        territory.supply_declarations.select_related("service"), year=year, service__code=service
    )
    name = declaration.service.name
    declaration_delete(user=request.user, declaration=declaration)
    messages.success(request, _("%(service)s removed from %(year)s.") % {"service": name, "year": year})
    return redirect(reverse("services:declarations", args=[kind, territory.code, year]) + "#declared")


@login_required
def supply_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    errors: list[RowError] = []
    form = SupplyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            loaded, parsed = declarations_import(content=upload.read(), filename=upload.name, user=user)  # type: ignore[arg-type]
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            loaded_text = ngettext(
                "%(file)s: %(count)s declaration loaded.",
                "%(file)s: %(count)s declarations loaded.",
                loaded.rows,
            ) % {"file": loaded.filename, "count": loaded.rows}
            left_out = ngettext(
                "%(count)s row with nothing but its keys was left out.",
                "%(count)s rows with nothing but their keys were left out.",
                parsed.left_out,
            ) % {"count": parsed.left_out}
            messages.success(request, f"{loaded_text} {left_out}" if parsed.left_out else loaded_text)
            return redirect("services:import")
    imports = SupplyImport.objects.select_related("created_by")
    if not is_coordinator(user):
        imports = imports.filter(created_by=user)  # type: ignore[misc]
    return render(
        request,
        "services/supply_import.html",
        {
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "errors_count": len(errors),
            "accepted_types": ACCEPTED_TYPES,
            "recent": imports[:10],
            "template_places": _template_places(user),  # type: ignore[arg-type]
            "year": _default_year(),
            "first_year": FIRST_YEAR,
            "last_year": last_period(),
            "breadcrumb": [(_("Services"), reverse("services:index")), (_("Load declarations"), None)],
        },
    )


def _template_places(user: User) -> list[Territory]:
    writable = writable_territory_ids(user)
    places = Territory.objects.filter(kind__in=[Territory.Kind.REGIONE, *DECLARING_KINDS])
    if writable is None:
        return list(places.filter(kind=Territory.Kind.REGIONE).order_by("code"))
    return list(
        places.filter(pk__in=writable).exclude(kind=Territory.Kind.REGIONE).order_by("kind", "name_folded")
    )


@login_required
@require_GET
def supply_template(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    form = SupplyTemplateForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    within: Territory = form.cleaned_data["entro"]
    territories: list[Any] = []
    for kind in DECLARING_KINDS[::-1]:  # the ambito first, then its comuni
        territories += list(territories_within(kind=kind, within=within))
    writable = writable_territory_ids(user)
    if writable is not None:
        territories = [t for t in territories if t.pk in writable]
    content = supply_template_xlsx(territories=territories, year=form.cleaned_data["anno"])
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modello_servizi.xlsx"'
    return response
