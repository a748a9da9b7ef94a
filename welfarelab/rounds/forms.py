"""Forms of the rounds' pages: they read what was typed; the rules are in services and the importer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from welfarelab.analytics.observations import COUNT_LIKE
from welfarelab.core.importing import MAX_IMPORT_BYTES, ImportRejected, check_size
from welfarelab.indicators.models import Indicator
from welfarelab.rounds.models import Round
from welfarelab.rounds.selectors import territories_from_codes
from welfarelab.rounds.services import FORM_COLUMNS, FormEntry
from welfarelab.territories.models import Territory

ACCEPTED_TYPES = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RoundForm(forms.ModelForm):
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators asked for"),
        queryset=Indicator.objects.filter(is_builtin=False).order_by("position", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The lab's own indicators; those computed from open data are not asked for."),
    )

    class Meta:
        model = Round
        fields = ["title", "period", "opens_on", "deadline", "indicators", "note"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class MembersByCodeForm(forms.Form):
    codes = forms.CharField(
        label=_("Codes of the territories"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "ISTAT codes (058091 for a comune, 058 for a provincia, 12 for a regione) or ambito codes, "
            "separated by spaces, commas or new lines; kind:code when a code names several territories. "
            "The public body governing each territory is added."
        ),
    )

    def clean_codes(self) -> list[Territory]:
        territories, problems = territories_from_codes(self.cleaned_data["codes"])
        if problems:
            raise forms.ValidationError(problems)
        return territories


class MembersWithinForm(forms.Form):
    within = forms.ModelChoiceField(
        label=_("Every comune of"),
        queryset=Territory.objects.filter(
            kind__in=[Territory.Kind.AMBITO, Territory.Kind.PROVINCIA, Territory.Kind.REGIONE]
        ).order_by("kind", "name_folded"),
        help_text=_("Each comune is added through its public body in the directory."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["within"].label_from_instance = lambda t: f"{t.name} ({t.get_kind_display()} {t.code})"  # type: ignore[attr-defined]


class BoardFilterForm(forms.Form):
    mancanti = forms.BooleanField(label=_("Only members with missing values"), required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("The filled-in template (XLSX or CSV)"),
        help_text=_("Up to %(limit)s MB: the workbook downloaded above, or a CSV with the same columns.")
        % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)  # refused before a byte is read
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.errors[0].message) from None
        return upload


class ValuesForm(forms.Form):
    """One row per indicator of the round: a value, or a numerator (with its denominator but for counts).

    Numbers are kept as typed: the import reads and checks them (decimal comma in Italian).
    """

    def __init__(self, *args: Any, indicators: Sequence[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            labels = {
                "value": _("Value of %(name)s") % {"name": indicator.name},
                "numerator": _("Numerator of %(name)s") % {"name": indicator.name},
                "denominator": _("Denominator of %(name)s") % {"name": indicator.name},
            }
            for part in self.parts(indicator):
                self.fields[self.field_name(indicator.code, part)] = forms.CharField(
                    label=labels[part],
                    required=False,
                    max_length=40,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )

    @staticmethod
    def parts(indicator: Indicator) -> tuple[str, ...]:
        if indicator.statistic in COUNT_LIKE:
            return ("value", "numerator")
        return ("value", "numerator", "denominator")

    @staticmethod
    def field_name(code: str, part: str) -> str:
        return f"{code}-{part}"

    def rows(self) -> Iterator[tuple[Indicator, list[forms.BoundField]]]:
        for indicator in self.indicators:
            yield indicator, [self[self.field_name(indicator.code, part)] for part in self.parts(indicator)]

    def entries(self) -> dict[str, FormEntry]:
        data = self.cleaned_data
        return {
            indicator.code: FormEntry(
                **{
                    part: data.get(self.field_name(indicator.code, part), "") or ""
                    for part in self.parts(indicator)
                }
            )
            for indicator in self.indicators
        }

    def add_import_errors(self, by_indicator: dict[str, list[tuple[str, str]]], general: list[str]) -> None:
        """Put the import's errors on the fields they are about (the rest on top of the form)."""
        names = {indicator.code: indicator for indicator in self.indicators}
        for message in general:
            self.add_error(None, message)
        for code, errors in by_indicator.items():
            for column, message in errors:
                name = self.field_name(code, FORM_COLUMNS.get(column, ""))
                if name in self.fields:
                    self.add_error(name, message)
                else:
                    indicator = names.get(code)
                    self.add_error(None, f"{indicator.name if indicator else code}: {message}")
