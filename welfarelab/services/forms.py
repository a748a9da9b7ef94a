"""The declaration form (one service of a territory in a year), the import upload and the template query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from welfarelab.core.importing import MAX_IMPORT_BYTES, ImportRejected, check_size
from welfarelab.indicators.importers import last_period
from welfarelab.indicators.models import NeedDomain
from welfarelab.services.models import CONTEXT_DOMAINS, FIRST_YEAR, SocialService, SupplyDeclaration
from welfarelab.services.services import DeclarationFigures
from welfarelab.territories.models import Territory

FIGURE_FIELDS = (
    "places",
    "users_served",
    "users_aged_65_plus",
    "staff_fte",
    "social_workers_permanent_fte",
    "social_workers_fixed_term_fte",
    "spending_eur",
)


def _whole(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "form-control"}),
    )


def _decimal(label: StrOrPromise, help_text: StrOrPromise = "", *, digits: int = 8) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal(0),
        max_digits=digits,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control"}
        ),
    )


class DeclarationForm(forms.Form):
    """A service and its figures; empty figures are unknown. No need domain ticked = the catalogue's."""

    service = forms.ChoiceField(label=gettext_lazy("Service"))
    places = _whole(
        gettext_lazy("Places or capacity"),
        gettext_lazy("For nurseries: full-time-equivalent places, public and private."),
    )
    users_served = _whole(gettext_lazy("Users served in the year"))
    users_aged_65_plus = _whole(
        gettext_lazy("Of whom aged 65 and over"),
        gettext_lazy("Needed for home care: it measures home-care coverage of older people."),
    )
    staff_fte = _decimal(
        gettext_lazy("Staff (full-time equivalent)"),
        gettext_lazy("Everybody working in the service, e.g. 3,5."),
    )
    social_workers_permanent_fte = _decimal(
        gettext_lazy("Social workers on permanent contracts (FTE)"),
        gettext_lazy(
            "Employed by the comune or the ambito. They count for the LEPS of 1 social worker per 5,000 "
            "inhabitants: give each person's FTE once, under the service where they work."
        ),
    )
    social_workers_fixed_term_fte = _decimal(gettext_lazy("Social workers on fixed-term contracts (FTE)"))
    spending_eur = _decimal(gettext_lazy("Spending in the year (euro)"), digits=14)
    management = forms.ChoiceField(
        label=gettext_lazy("How it is run"),
        choices=SupplyDeclaration.Management.choices,
        widget=forms.RadioSelect,
    )
    need_domains = forms.MultipleChoiceField(
        label=gettext_lazy("Need domains it answers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave all unticked to use the domains the catalogue gives the service."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args: Any, services: list[SocialService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {service.code: service for service in services}
        groups: dict[str, list[tuple[str, str]]] = {}
        for service in services:
            groups.setdefault(str(service.macro_area), []).append((service.code, service.name))
        self.fields["service"].choices = [("", _("Choose a service")), *groups.items()]  # type: ignore[attr-defined]
        self.fields["need_domains"].choices = [  # type: ignore[attr-defined]
            (domain.code, domain.name) for domain in NeedDomain.objects.exclude(code__in=CONTEXT_DOMAINS)
        ]

    def clean_service(self) -> SocialService:
        return self.services[self.cleaned_data["service"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The model's own rules (older users within users, social workers within staff), on the figures given.
        probe = SupplyDeclaration(**{name: cleaned.get(name) for name in FIGURE_FIELDS})
        try:
            probe.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def figures(self) -> DeclarationFigures:
        data = self.cleaned_data
        return DeclarationFigures(
            management=data["management"],
            need_domains=tuple(data["need_domains"]),
            note=data["note"],
            **{name: data.get(name) for name in FIGURE_FIELDS},
        )


def declaration_initial(declaration: SupplyDeclaration) -> dict[str, Any]:
    return {
        "service": declaration.service.code,
        **{name: getattr(declaration, name) for name in FIGURE_FIELDS},
        "management": declaration.management,
        "need_domains": [d.code for d in declaration.need_domains.all()],
        "note": declaration.note,
    }


class SupplyUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File of the declarations (CSV or XLSX)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Up to %(limit)s MB. CSV in UTF-8, separated by commas or semicolons, or XLSX (first sheet)."
        ) % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.errors[0].message) from None
        return upload


class SupplyTemplateForm(forms.Form):
    """`?entro=ambito:RM-1&anno=2024`: rows for the territory (and, for an ambito, its comuni)."""

    entro = forms.CharField(label=gettext_lazy("Territories"), max_length=30)
    anno = forms.IntegerField(label=gettext_lazy("Year"), min_value=FIRST_YEAR)

    def clean_anno(self) -> int:
        year = int(self.cleaned_data["anno"])
        if year > last_period():
            raise forms.ValidationError(_("The year is at most %(last)s.") % {"last": last_period()})
        return year

    def clean_entro(self) -> Territory:
        value = self.cleaned_data["entro"].strip()
        kind, _sep, code = value.partition(":")
        territory = Territory.objects.filter(kind=kind, code=code).first()
        if territory is None:
            raise forms.ValidationError(
                _("%(value)s is not a territory: write kind:code, e.g. ambito:RM-1.") % {"value": value}
            )
        return territory
