"""Forms of the territory pages: the search box (full results page and as-you-type suggestions)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from welfarelab.territories.models import Territory

# Below two characters almost every name matches; suggestions would only be noise.
SUGGEST_MIN_LENGTH = 2


class TerritorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or ISTAT code"),
        max_length=100,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of territory"),
        choices=[("", _("All kinds")), *Territory.Kind.choices],
        required=False,
    )


class SuggestForm(forms.Form):
    """The query of the suggestion partial, and which search box asked (its ids prefix the live region)."""

    q = forms.CharField(max_length=100, required=False, strip=True)
    box = forms.CharField(
        max_length=20,
        required=False,
        validators=[RegexValidator(r"^[a-z][a-z0-9-]*$")],
    )

    def clean_box(self) -> str:
        return self.cleaned_data["box"] or "search"
