"""Forms of the alerts pages: they read what was typed; the rules are in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.forms import ItaliaFormMixin
from welfarelab.alerts.models import NewsPost, Subscription
from welfarelab.alerts.services import NOTHING_CHOSEN
from welfarelab.calls.models import Theme


def query_of(value: str) -> str:
    """The query string of a pasted /bandi/ address (or of the query string itself)."""
    value = value.strip()
    return value.split("?", 1)[1] if "?" in value else value


class ChoicesForm(ItaliaFormMixin, forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("New calls and news on these themes."),
    )
    filter_query = forms.CharField(
        label=_("Saved filter of the calls (optional)"),
        required=False,
        max_length=1000,
        help_text=_(
            "Choose the filters on the list of calls, then paste its address here: new calls that the "
            "list would show come too."
        ),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Subscription.Frequency.choices, initial=Subscription.Frequency.WEEKLY
    )

    def clean_filter_query(self) -> str:
        return query_of(self.cleaned_data.get("filter_query") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("themes") and not data.get("filter_query") and not self.errors:
            raise forms.ValidationError(NOTHING_CHOSEN)
        return data


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    field_order = ["email", "themes", "filter_query", "frequency"]


class NewsPostForm(ItaliaFormMixin, forms.ModelForm):
    class Meta:
        model = NewsPost
        fields = ["title", "body", "themes"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}), "themes": forms.CheckboxSelectMultiple}
