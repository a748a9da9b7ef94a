"""The coordinator's page to import ambiti (ATS) from a CSV file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from welfarelab.core.importing import MAX_IMPORT_BYTES, ImportRejected
from welfarelab.territories.importers import COLUMNS
from welfarelab.territories.models import AmbitoImport
from welfarelab.territories.services import ambiti_import


class AmbitiImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file of the ambiti"),
        help_text=gettext_lazy(
            "UTF-8, comma or semicolon, header: codice_ambito,nome_ambito,codice_regione,codice_comune"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 20 MB."))
        return upload


@login_required
def ambiti_import_view(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_lab_coordinator or request.user.is_superuser):  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the lab coordinators import ambiti."))
    errors = []
    form = AmbitiImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = ambiti_import(content=upload.read(), filename=upload.name, imported_by=request.user)  # type: ignore[arg-type]
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(
                request,
                _("%(file)s: %(ambiti)s ambiti and %(comuni)s comuni imported.")
                % {"file": result.filename, "ambiti": result.ambiti, "comuni": result.comuni},
            )
            return redirect("territories:ambiti-import")
    return render(
        request,
        "territories/ambiti_import.html",
        {
            "form": form,
            "errors": errors,
            "columns": COLUMNS,
            "recent_imports": AmbitoImport.objects.select_related("imported_by")[:10],
        },
    )
