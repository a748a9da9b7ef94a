"""Forms of the directory pages: input validation only (the writes are in services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.forms import ItaliaFormMixin
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.services import EDITABLE_FIELDS
from welfarelab.territories.models import Territory
from welfarelab.territories.selectors import territory_list

ALL = ("", _("All"))


class OrganisationFilterForm(ItaliaFormMixin, forms.Form):
    """The directory's search box and filters, read from the query string."""

    q = forms.CharField(
        label=_("Name or tax code"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[ALL, *Organisation.Kind.choices])
    legal_form = forms.ChoiceField(
        label=_("ETS legal form"), required=False, choices=[ALL, *Organisation.LegalForm.choices]
    )
    regione = forms.ChoiceField(label=_("Region"), required=False)
    provincia = forms.ChoiceField(label=_("Province"), required=False)
    comune = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=200,
        help_text=_("Name or ISTAT code, e.g. Forlì or 040012."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (("regione", Territory.Kind.REGIONE), ("provincia", Territory.Kind.PROVINCIA)):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [ALL, *territory_list(kind=kind).values_list("code", "name")]

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # "www.example.it" means https://, as browsers assume
    return field.formfield(**kwargs)


class OrganisationForm(ItaliaFormMixin, forms.ModelForm):
    """What an organisation's editors may change; the legal form and the RUNTS number only for ETS."""

    class Meta:
        model = Organisation
        fields = EDITABLE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        formfield_callback = _formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind != Organisation.Kind.ETS:
            del self.fields["legal_form"]
            del self.fields["runts_id"]
