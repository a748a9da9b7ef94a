"""Forms of the good-practice pages: input validation only (the writes and their rules are in services).

The proposal is one main form and four row forms (partners, contacts, indicator evidence,
attachments). Rows work without JavaScript: a few empty rows are always offered, an empty row is
ignored, and emptying a row removes it.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.forms import ItaliaFormMixin
from welfarelab.accounts.models import User
from welfarelab.core.text import fold
from welfarelab.indicators.models import Indicator, NeedDomain
from welfarelab.organisations.models import Organisation
from welfarelab.practices import permissions
from welfarelab.practices.attachments import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, check_upload
from welfarelab.practices.models import FIRST_YEAR, LAST_YEAR, Practice, PracticeAttachment, PracticePartner
from welfarelab.practices.selectors import POPULATION_BANDS
from welfarelab.practices.services import (
    ContactData,
    EvidenceData,
    NewAttachment,
    PartnerData,
    PracticeData,
    partner_kind_of,
)
from welfarelab.territories.models import Territory
from welfarelab.territories.selectors import territory_list

ALL = ("", _("All"))
PRACTICE_KINDS = (
    Territory.Kind.COMUNE,
    Territory.Kind.AMBITO,
    Territory.Kind.PROVINCIA,
    Territory.Kind.REGIONE,
)
CODE_LENGTH_KIND = {6: Territory.Kind.COMUNE, 3: Territory.Kind.PROVINCIA, 2: Territory.Kind.REGIONE}
MAX_CANDIDATES = 6
TERRITORY_HELP = _(
    "Name or ISTAT code: Agliè or 001001 for a comune, 001 for a provincia, 01 for a regione, "
    "ambito:CODE for a social district."
)

NO_SUCH_TERRITORY = _("No comune, ambito, provincia or regione is called “%(text)s”: write its ISTAT code.")
SEVERAL_TERRITORIES = _(
    "Several territories are called “%(text)s”: write the code of yours (%(candidates)s)."
)
NO_SUCH_CODE = _("No %(kind)s has the code “%(code)s”.")
NO_SUCH_TAX_CODE = _(
    "No organisation in the directory has the tax code %(code)s: leave it empty to name the partner only."
)
NAME_REQUIRED = _("Give the partner's name, or the tax code of an organisation in the directory.")
KIND_REQUIRED = _("Say what kind of partner it is.")
CONTACT_NAME_REQUIRED = _("Give the contact's name.")
CONTACT_NEEDS_A_WAY = _("Give an email address or a phone number.")
EVIDENCE_INCOMPLETE = _("Choose the indicator and give the periods before and after.")
LAST_BEFORE_FIRST = _("The last year cannot come before the first year.")


def territory_token(territory: Territory) -> str:
    """How a territory is written in the form: its code, or kind:code for an ambito."""
    if territory.kind == Territory.Kind.AMBITO:
        return f"ambito:{territory.code}"
    return territory.code


def resolve_territory(text: str) -> Territory:
    """The comune, ambito, provincia or regione `text` names (see TERRITORY_HELP); ValidationError
    saying what was not found or which candidates share the name."""
    text = " ".join(text.split())
    kind, _sep, code = text.partition(":")
    if code and kind.strip().lower() in PRACTICE_KINDS:
        kind, code = kind.strip().lower(), code.strip()
        found = Territory.objects.filter(kind=kind, code=code).first()
        if found is None:
            raise ValidationError(NO_SUCH_CODE, params={"kind": kind, "code": code})
        return found
    if text.isdigit() and len(text) in CODE_LENGTH_KIND:
        kind = CODE_LENGTH_KIND[len(text)]
        found = Territory.objects.filter(kind=kind, code=text).first()
        if found is None:
            raise ValidationError(NO_SUCH_CODE, params={"kind": Territory.Kind(kind).label, "code": text})
        return found
    candidates = list(
        Territory.objects.filter(kind__in=PRACTICE_KINDS, name_folded=fold(text))
        .select_related("provincia")
        .order_by("kind", "code")[: MAX_CANDIDATES + 1]
    )
    if not candidates:
        candidates = list(Territory.objects.filter(kind=Territory.Kind.AMBITO, code=text)[:1])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValidationError(NO_SUCH_TERRITORY, params={"text": text})
    listed = ", ".join(
        f"{territory_token(t)} {t.name} ({t.get_kind_display()}"
        + (f", {t.provincia.name}" if t.provincia is not None else "")
        + ")"
        for t in candidates[:MAX_CANDIDATES]
    )
    raise ValidationError(SEVERAL_TERRITORIES, params={"text": text, "candidates": listed})


class TerritoryField(forms.CharField):
    """A territory written as a name or a code, cleaned to the Territory it names."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", TERRITORY_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return territory_token(value) if isinstance(value, Territory) else value

    def clean(self, value: Any) -> Territory | None:
        text = super().clean(value)
        return resolve_territory(text) if text else None


class TerritoriesField(forms.CharField):
    """Several territories, separated by semicolons or new lines."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | QuerySet):
            return "; ".join(territory_token(t) for t in value)
        return value

    def clean(self, value: Any) -> list[Territory]:
        text = super().clean(value)
        found, errors = [], []
        for part in re.split(r"[;\n]+", text or ""):
            if part.strip():
                try:
                    found.append(resolve_territory(part))
                except ValidationError as error:
                    errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return list({t.pk: t for t in found}.values())


class PracticeFilterForm(ItaliaFormMixin, forms.Form):
    """The list's keywords and filters, read from the query string."""

    q = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    need_domain = forms.ChoiceField(label=_("Need domain"), required=False)
    regione = forms.ChoiceField(label=_("Region"), required=False)
    provincia = forms.ChoiceField(label=_("Province"), required=False)
    comune = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=200,
        help_text=_("Name or ISTAT code, e.g. Forlì or 040012."),
    )
    size = forms.ChoiceField(
        label=_("Size of the territory"),
        required=False,
        choices=[ALL, *((band.code, band.label) for band in POPULATION_BANDS)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domains = cast(forms.ChoiceField, self.fields["need_domain"])
        domains.choices = [ALL, *((d.code, d.name) for d in NeedDomain.objects.order_by("position", "code"))]
        for name, kind in (("regione", Territory.Kind.REGIONE), ("provincia", Territory.Kind.PROVINCIA)):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [ALL, *territory_list(kind=kind).values_list("code", "name")]

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class PracticeForm(ItaliaFormMixin, forms.Form):
    """The content of a practice (its rows are in the row forms below)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: what it is and for whom."),
    )
    owner_organisation = forms.ModelChoiceField(
        label=_("Proposing organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("The organisation you propose it for: its editors may change the proposal too."),
    )
    territory = TerritoryField(label=_("Territory where it runs"))
    other_territories = TerritoriesField(
        label=_("Other territories it covers"),
        required=False,
        help_text=_("If it spans several: one per line, or separated by semicolons."),
    )
    need_domains = forms.ModelMultipleChoiceField(
        label=_("Need domains"),
        queryset=NeedDomain.objects.order_by("position", "code"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The needs it answers: at least one."),
    )
    start_year = forms.IntegerField(label=_("First year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    end_year = forms.IntegerField(
        label=_("Last year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        help_text=_("Empty while it is still running."),
    )
    problem = forms.CharField(
        label=_("The problem"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The need it answers, and for whom."),
    )
    actions = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 6}))
    resources = forms.CharField(
        label=_("Resources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("People, places, tools, time it took."),
    )
    total_cost = forms.DecimalField(
        label=_("Total cost (€)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    funding_sources = forms.MultipleChoiceField(
        label=_("Funding sources"),
        required=False,
        choices=Practice.Funding.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    funding_notes = forms.CharField(
        label=_("Funding details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Amounts by source, calls, agreements."),
    )
    results = forms.CharField(
        label=_("Results"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What changed, for how many people; add indicator evidence below where there is any."),
    )
    licence = forms.ChoiceField(
        label=_("Licence"),
        choices=Practice.Licence.choices,
        initial=Practice.Licence.CC_BY_4,
        help_text=_("Published practices are open data: others may reuse them under this licence."),
    )

    def __init__(self, *args: Any, user: User, practice: Practice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = cast(forms.ModelChoiceField, self.fields["owner_organisation"])
        if permissions.is_coordinator(user):
            # Coordinators may propose for any organisation of the lab (one with members), or none.
            ids = set(Organisation.objects.filter(memberships__isnull=False).values_list("pk", flat=True))
            if practice is not None and practice.owner_organisation_id:
                ids.add(practice.owner_organisation_id)
            owners.queryset = Organisation.objects.filter(pk__in=ids).order_by("name_folded", "pk")
            owners.required = False
        else:
            own = permissions.proposing_organisations(user)
            ids = {o.pk for o in own}
            if practice is not None and practice.owner_organisation_id:
                ids.add(practice.owner_organisation_id)  # an editor of another organisation may keep it
            owners.queryset = Organisation.objects.filter(pk__in=ids).order_by("name_folded", "pk")
            if len(own) == 1 and not self.is_bound and practice is None:
                self.initial.setdefault("owner_organisation", own[0].pk)
                if own[0].territory is not None:
                    self.initial.setdefault("territory", own[0].territory)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and end is not None and end < start:
            self.add_error("end_year", LAST_BEFORE_FIRST)
        return data


class RowForm(ItaliaFormMixin, forms.Form):
    """A row of a list inside the proposal: all fields optional, an empty row ignored."""

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(value not in (None, "", False, [], ()) for value in data.values())


class PartnerForm(RowForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=PracticePartner.Role.choices, initial=PracticePartner.Role.PARTNER
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *PracticePartner.Kind.choices], required=False
    )
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    tax_code = forms.CharField(
        label=_("Tax code (if in the directory)"),
        max_length=16,
        required=False,
        help_text=_("Links the partner to its page in the directory of organisations."),
    )
    contribution = forms.CharField(label=_("Contribution"), max_length=500, required=False)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("kind", "name", "tax_code", "contribution"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank:
            return data
        tax_code = (data.get("tax_code") or "").strip().upper()
        organisation = None
        if tax_code:
            organisation = Organisation.objects.filter(tax_code=tax_code).first()
            if organisation is None:
                self.add_error("tax_code", ValidationError(NO_SUCH_TAX_CODE, params={"code": tax_code}))
        data["organisation"] = organisation
        if organisation is not None:
            data["name"] = data.get("name") or organisation.name
            data["kind"] = data.get("kind") or partner_kind_of(organisation)
        if not data.get("name") and "tax_code" not in self.errors:
            self.add_error("name", NAME_REQUIRED)
        if not data.get("kind") and organisation is None:
            self.add_error("kind", KIND_REQUIRED)
        return data

    def to_data(self) -> PartnerData:
        data = self.cleaned_data
        return PartnerData(
            name=data["name"],
            kind=data["kind"],
            role=data["role"],
            organisation=data.get("organisation"),
            contribution=data.get("contribution", ""),
        )

    @staticmethod
    def initial_of(partner: PracticePartner) -> dict[str, Any]:
        return {
            "role": partner.role,
            "kind": partner.kind,
            "name": partner.name,
            "tax_code": partner.organisation.tax_code if partner.organisation else "",
            "contribution": partner.contribution,
        }


class ContactForm(RowForm):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    consent = forms.BooleanField(
        label=_("This person agreed to appear on the public page"),
        required=False,
        help_text=_(
            "Without their agreement the contact is seen only by the reviewers and your organisation."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank:
            return data
        if not data.get("name"):
            self.add_error("name", CONTACT_NAME_REQUIRED)
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", CONTACT_NEEDS_A_WAY)
        return data

    def to_data(self) -> ContactData:
        data = self.cleaned_data
        return ContactData(
            name=data["name"],
            role=data.get("role", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            consent=bool(data.get("consent")),
        )


class EvidenceForm(RowForm):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.filter(is_published=True).order_by("position", "code"),
        to_field_name="code",
        required=False,
    )
    territory = TerritoryField(
        label=_("Territory"),
        required=False,
        help_text=_("Empty for the territory of the practice."),
    )
    period_before = forms.IntegerField(
        label=_("Period before"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    period_after = forms.IntegerField(
        label=_("Period after"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank:
            return data
        if not data.get("indicator") or data.get("period_before") is None or data.get("period_after") is None:
            raise ValidationError(EVIDENCE_INCOMPLETE)
        return data

    def to_data(self, *, default_territory: Territory) -> EvidenceData:
        data = self.cleaned_data
        return EvidenceData(
            indicator=data["indicator"],
            territory=data.get("territory") or default_territory,
            period_before=data["period_before"],
            period_after=data["period_after"],
            note=data.get("note", ""),
        )


class AttachmentForm(RowForm):
    title = forms.CharField(label=_("Title of the attachment"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}),
    )
    url = forms.URLField(label=_("or a link"), required=False, max_length=500, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, at most %(limit)s MB.") % {
            "types": ALLOWED_LABEL,
            "limit": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        }

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)  # refused here, before anything is stored
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank or self.errors:
            return data
        if data.get("file") and data.get("url"):
            raise ValidationError(_("Attach a file or give a link, not both."))
        if not data.get("file") and not data.get("url"):
            self.add_error("file", _("Choose a file or give a link."))
        if not data.get("title"):
            self.add_error("title", _("Give the attachment a title."))
        return data

    def to_data(self) -> NewAttachment:
        data = self.cleaned_data
        return NewAttachment(title=data["title"], upload=data.get("file") or None, url=data.get("url") or "")


PartnerFormSet = forms.formset_factory(PartnerForm, extra=3, max_num=40, validate_max=True)
ContactFormSet = forms.formset_factory(ContactForm, extra=2, max_num=10, validate_max=True)
EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=2, max_num=20, validate_max=True)
AttachmentFormSet = forms.formset_factory(AttachmentForm, extra=2, max_num=10, validate_max=True)


class AttachmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class RemoveAttachmentsForm(forms.Form):
    remove = AttachmentChoiceField(
        label=_("Remove these attachments"),
        queryset=PracticeAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["remove"])
        field.queryset = practice.attachments.all()


class ReviewForm(ItaliaFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment for the proposer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to return the practice: say what is to be changed."),
    )


def practice_data(
    form: PracticeForm,
    *,
    partners: Any,
    contacts: Any,
    evidence: Any,
) -> PracticeData:
    """The content the forms hold (all valid), as the services take it."""
    data = form.cleaned_data
    territory: Territory = data["territory"]
    return PracticeData(
        title=data["title"],
        summary=data["summary"],
        territory=territory,
        other_territories=data.get("other_territories") or [],
        need_domains=list(data["need_domains"]),
        owner_organisation=data.get("owner_organisation"),
        problem=data["problem"],
        actions=data["actions"],
        resources=data.get("resources", ""),
        total_cost=data.get("total_cost"),
        funding_sources=list(data.get("funding_sources") or []),
        funding_notes=data.get("funding_notes", ""),
        results=data.get("results", ""),
        start_year=data["start_year"],
        end_year=data.get("end_year"),
        licence=data["licence"],
        partners=[row.to_data() for row in partners if not row.is_blank],
        contacts=[row.to_data() for row in contacts if not row.is_blank],
        evidence=[row.to_data(default_territory=territory) for row in evidence if not row.is_blank],
    )


def practice_initial(practice: Practice) -> dict[str, Any]:
    """The main form's initial values for an existing practice."""
    return {
        "title": practice.title,
        "summary": practice.summary,
        "owner_organisation": practice.owner_organisation_id,
        "territory": practice.territory,
        "other_territories": list(practice.other_territories.all()),
        "need_domains": list(practice.need_domains.all()),
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "problem": practice.problem,
        "actions": practice.actions,
        "resources": practice.resources,
        "total_cost": practice.total_cost,
        "funding_sources": practice.funding_sources,
        "funding_notes": practice.funding_notes,
        "results": practice.results,
        "licence": practice.licence,
    }
