from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from welfarelab.territories.models import Territory

VALUE_KINDS = [
    (Territory.Kind.REGIONE.value, _("Regions")),
    (Territory.Kind.PROVINCIA.value, _("Provinces")),
    (Territory.Kind.AMBITO.value, _("Social districts (ATS)")),
    (Territory.Kind.COMUNE.value, _("Comuni")),
]


class IndicatorValuesForm(forms.Form):
    """Which values of an indicator to list: period, kind of territory, inside which regione, order."""

    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("Territories"), choices=VALUE_KINDS, required=False)
    within = forms.ModelChoiceField(
        label=_("In the region"),
        queryset=Territory.objects.filter(kind=Territory.Kind.REGIONE).order_by("name_folded"),
        required=False,
        empty_label=_("All of Italy"),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[("desc", _("Highest first")), ("asc", _("Lowest first"))],
        required=False,
    )

    def __init__(self, *args: Any, periods: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = periods
        period = self.fields["period"]
        assert isinstance(period, forms.TypedChoiceField)
        period.choices = [(p, str(p)) for p in periods]

    def defaults(self) -> dict[str, Any]:
        return {
            "period": self.periods[0] if self.periods else None,
            "kind": Territory.Kind.REGIONE.value,
            "within": None,
            "order": "desc",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        defaults = self.defaults()
        for name, value in defaults.items():
            if cleaned.get(name) in (None, ""):
                cleaned[name] = value
        return cleaned
