"""Forms of the calls pages: they read what was typed; the rules are in services and selectors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.forms import ItaliaFormMixin
from welfarelab.calls.models import ApplicantType, Call, Theme
from welfarelab.calls.selectors import Sort, Status
from welfarelab.calls.services import EDITABLE_FIELDS
from welfarelab.territories.models import Territory

ALL = ("", _("All"))
MAX_AMOUNT = 10**13
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class CallFilterForm(ItaliaFormMixin, forms.Form):
    """The catalogue's search box and filters, read from the query string."""

    q = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("E.g. servizio civile, disabilità, rigenerazione urbana."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (Status.CURRENT, _("Open or upcoming")),
            (Status.OPEN, _("Open now")),
            (Status.UPCOMING, _("Upcoming")),
            (Status.CLOSED, _("Closed")),
            (Status.ALL, _("All")),
        ],
    )
    closing_within = forms.IntegerField(
        label=_("Closing within (days)"),
        required=False,
        min_value=1,
        max_value=366,
        help_text=_("Only open calls whose deadline falls within this many days."),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    beneficiary = forms.ChoiceField(label=_("Who may apply"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    amount_min = forms.DecimalField(
        label=_("Amount from (€)"), required=False, min_value=0, max_value=MAX_AMOUNT, decimal_places=2
    )
    amount_max = forms.DecimalField(
        label=_("Amount up to (€)"),
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        help_text=_("On the maximum grant, or the total budget when the call states no grant."),
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Deadline (or relevance, when searching words)")),
            (Sort.DEADLINE, _("Deadline, nearest first")),
            (Sort.RECENT, _("Recently published")),
            (Sort.AMOUNT, _("Amount, largest first")),
            (Sort.RELEVANCE, _("Relevance to the words")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["theme"]).choices = [
            ALL,
            *((t.slug, t.name) for t in Theme.objects.all()),
        ]
        cast(forms.ChoiceField, self.fields["beneficiary"]).choices = [
            ALL,
            *((a.slug, a.name) for a in ApplicantType.objects.all()),
        ]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ALL,
            *Territory.objects.filter(kind=Territory.Kind.REGIONE)
            .order_by("name_folded")
            .values_list("code", "name"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and high < low:
            self.add_error("amount_max", _("The upper amount is below the lower one."))
        return data

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # "www.example.it" means https://, as browsers assume
    return field.formfield(**kwargs)


def _territory_label(territory: Territory) -> str:
    return f"{territory.name} ({territory.get_kind_display()})"


class CallForm(ItaliaFormMixin, forms.ModelForm):
    """What an editor enters or corrects; dates and times are Italian time (Europe/Rome)."""

    class Meta:
        model = Call
        fields = list(EDITABLE_FIELDS)
        formfield_callback = _formfield
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "eligibility_notes": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "eligible_applicants": forms.CheckboxSelectMultiple,
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("opens_at", "closes_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [DATETIME_INPUT, "%Y-%m-%d %H:%M"]
        territories = cast(forms.ModelMultipleChoiceField, self.fields["territories"])
        territories.queryset = Territory.objects.filter(
            kind__in=[Territory.Kind.REGIONE, Territory.Kind.PROVINCIA]
        ).order_by("kind", "name_folded")
        territories.widget.attrs["size"] = 10
        territories.label_from_instance = _territory_label  # type: ignore[method-assign,assignment]


class OrganisationThemesForm(ItaliaFormMixin, forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes of the organisation's activity"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Calls on these themes come first among those the organisation may apply to."),
    )
