"""The editors' page to load observations from a file, and the XLSX template to fill in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from welfarelab.accounts.models import User
from welfarelab.core.importing import MAX_IMPORT_BYTES, ImportRejected, RowError, check_size
from welfarelab.indicators.importers import last_period
from welfarelab.indicators.importing import observations_import
from welfarelab.indicators.models import FIRST_PERIOD, ImportBatch, Indicator
from welfarelab.indicators.permissions import (
    NOT_ALLOWED,
    can_import_observations,
    is_coordinator,
    writable_territory_ids,
)
from welfarelab.indicators.templates_xlsx import observations_template_xlsx, territories_within
from welfarelab.reports.tabular import XLSX_CONTENT_TYPE
from welfarelab.territories.models import Territory

# A rejected file may have an error on every row: the page lists the first ones and says how many.
ERRORS_SHOWN = 500
ACCEPTED_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ObservationsUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File of the values (CSV or XLSX)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Up to %(limit)s MB. CSV in UTF-8, separated by commas or semicolons, or XLSX (first sheet)."
        ) % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)  # refused before a byte is read
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.errors[0].message) from None
        return upload


class TemplateForm(forms.Form):
    """The query of the template: `?indicatore=CODE&tipo=comune&entro=regione:05&periodo=2024`."""

    indicatore = forms.MultipleChoiceField(label=gettext_lazy("Indicators"), required=False)
    tipo = forms.ChoiceField(
        label=gettext_lazy("Rows for each"),
        required=False,
        choices=[("", gettext_lazy("no rows: only the columns")), *Territory.Kind.choices],
    )
    entro = forms.CharField(label=gettext_lazy("Within"), required=False, max_length=30)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicatore"].choices = [  # type: ignore[attr-defined]
            (indicator.code, f"{indicator.code} – {indicator.name}")
            for indicator in Indicator.objects.filter(is_builtin=False)
        ]
        self.fields["periodo"] = forms.IntegerField(
            label=gettext_lazy("Year"), required=False, min_value=FIRST_PERIOD, max_value=last_period()
        )

    def clean_entro(self) -> Territory | None:
        value = self.cleaned_data["entro"].strip()
        if not value:
            return None
        kind, _sep, code = value.partition(":")
        territory = Territory.objects.filter(kind=kind, code=code).first()
        if territory is None:
            raise forms.ValidationError(
                _("%(value)s is not a territory: write kind:code, e.g. regione:05.") % {"value": value}
            )
        return territory


@login_required
def observations_import_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    errors: list[RowError] = []
    form = ObservationsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = observations_import(content=upload.read(), filename=upload.name, user=user)  # type: ignore[arg-type]
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            # The page shows the batch's counts and links (see _batch_result) after the redirect.
            return redirect(f"{reverse('indicators:import')}?lotto={batch.pk}#import-result")
    batches = ImportBatch.objects.filter(origin__in=[ImportBatch.Origin.UPLOAD, ImportBatch.Origin.API])
    if not is_coordinator(user):
        batches = batches.filter(created_by=user)  # type: ignore[misc]
    batches = batches.select_related("created_by")
    return render(
        request,
        "indicators/observations_import.html",
        {
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "errors_count": len(errors),
            "accepted_types": ACCEPTED_TYPES,
            "result": _batch_result(batches, request.GET.get("lotto", "")),
            "recent_batches": batches[:10],
            "template_form": TemplateForm(initial={"periodo": timezone.localdate().year - 1}),
            "template_places": _template_places(user),  # type: ignore[arg-type]
            "first_period": FIRST_PERIOD,
            "last_period": last_period(),
            "breadcrumb": [(_("Indicators"), reverse("indicators:list")), (_("Load data"), None)],
        },
    )


def _batch_result(batches: QuerySet[ImportBatch], pk: str) -> dict[str, Any] | None:
    """The batch just written (one the user may see), with its indicators and how many values each."""
    batch = batches.filter(pk=int(pk)).first() if pk.isdigit() else None
    if batch is None:
        return None
    counts = (
        batch.observations.values("indicator").annotate(values=Count("id")).values_list("indicator", "values")
    )
    by_id = dict(counts)
    indicators = Indicator.objects.filter(pk__in=by_id).order_by("position", "code")
    return {"batch": batch, "indicators": [(indicator, by_id[indicator.pk]) for indicator in indicators]}


def _template_places(user: User) -> list[Territory]:
    """Where the template's rows may come from: the regioni, and the territories the user governs."""
    places = list(Territory.objects.filter(kind=Territory.Kind.REGIONE).order_by("code"))
    writable = writable_territory_ids(user)
    if writable:
        places += Territory.objects.filter(
            pk__in=writable, kind__in=[Territory.Kind.AMBITO, Territory.Kind.PROVINCIA]
        ).order_by("kind", "code")
    return places


@login_required
def observations_template_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    form = TemplateForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(map(str, errors))}" for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    codes = form.cleaned_data["indicatore"]
    indicators = sorted(Indicator.objects.filter(code__in=codes), key=lambda i: codes.index(i.code))
    territories: list[Territory] = []
    if form.cleaned_data["tipo"]:
        chosen = territories_within(kind=form.cleaned_data["tipo"], within=form.cleaned_data["entro"])
        writable = writable_territory_ids(user)
        if writable is not None:
            chosen = chosen.filter(pk__in=writable)
        territories = list(chosen)
    content = observations_template_xlsx(
        indicators=indicators, territories=territories, period=form.cleaned_data["periodo"]
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modello_indicatori.xlsx"'
    return response
