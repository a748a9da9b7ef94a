from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.benchmarking.models import PeerModel
from welfarelab.benchmarking.peers import default_variables

MAX_WEIGHT = 10


class PeerModelForm(forms.Form):
    """A weight per structural variable (0 leaves it out) and how many peers each territory gets."""

    k = forms.IntegerField(label=_("Peers per territory"), min_value=3, max_value=50)

    def __init__(self, *args: Any, model: PeerModel, labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        self.fields["k"].initial = model.k
        for variable in default_variables(model.kind):
            self.fields[f"weight_{variable.name}"] = forms.FloatField(
                label=labels.get(variable.name, variable.name),
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=model.weights.get(variable.name, variable.weight),
                help_text=variable.rationale,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )

    def weights(self) -> dict[str, float]:
        return {
            name.removeprefix("weight_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("weight_")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(w > 0 for w in self.weights().values()):
            raise forms.ValidationError(_("At least one variable needs a weight above 0."))
        return cleaned

    def apply(self, *, user: User) -> PeerModel:
        self.model.weights = self.weights()
        self.model.k = self.cleaned_data["k"]
        self.model.updated_by = user
        self.model.save(update_fields=["weights", "k", "updated_by", "updated_at"])
        return self.model
