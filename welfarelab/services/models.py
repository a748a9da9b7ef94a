"""The catalogue of social services and what each comune or ambito declares it runs, year by year.

The catalogue (macro-areas and services) is data loaded from `catalogue/services.yaml` (see
catalogue.py): names and descriptions are stored in Italian and English side by side, as the indicator
catalogue does. A declaration is one service run by one territory (a comune or an ambito) in one year,
with its figures — each may be unknown (empty), which is never the same as 0.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from welfarelab.core.models import TimeStampedModel
from welfarelab.indicators.models import BilingualText, NeedDomain

# Declarations start with the LEPS era (L. 328/2000) and go up to next year (a budget).
FIRST_YEAR = 2000
LAST_YEAR = 2100

# Need domains a service cannot answer: demography is the context of every need (decision 0003).
CONTEXT_DOMAINS = frozenset({"demografia"})

# The kinds of territory that declare services.
DECLARING_KINDS = ("comune", "ambito")


class ServiceMacroArea(BilingualText, models.Model):
    """A macro-area of the Nomenclatore as the SIOSS uses it (A … E); `confirmed` False = to verify."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Letter and label checked on a source; otherwise they are to verify."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("macro-area of services")
        verbose_name_plural = _("macro-areas of services")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.localized('name')}"

    @property
    def name(self) -> str:
        return self.localized("name")


class SocialService(BilingualText, models.Model):
    """A service of the catalogue, placed in a macro-area, need domains and ISTAT user areas."""

    class Counts(models.TextChoices):
        """What a service's figures feed among the supply indicators (welfarelab/services/supply.py)."""

        NURSERY_PLACES = "nursery_places", _("Nursery places")
        HOME_CARE = "home_care", _("Home care for people aged 65+")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    nomenclatore_code = models.CharField(_("Nomenclatore code"), max_length=10, blank=True)
    nomenclatore_code_verified = models.BooleanField(_("Nomenclatore code verified"), default=False)
    macro_area = models.ForeignKey(
        ServiceMacroArea, verbose_name=_("macro-area"), on_delete=models.PROTECT, related_name="services"
    )
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    need_domains = models.ManyToManyField(
        NeedDomain,
        verbose_name=_("need domains"),
        related_name="services",
        help_text=_("The domains a declaration of this service answers unless it says otherwise."),
    )
    user_areas = models.JSONField(
        _("ISTAT user areas"), default=list, help_text=_("Codes of the ISTAT user areas of social spending.")
    )
    counts_as = models.JSONField(_("counts as"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in the catalogue"),
        default=True,
        help_text=_(
            "A service removed from the catalogue file keeps its past declarations but takes no new one."
        ),
    )

    class Meta:
        verbose_name = _("social service")
        verbose_name_plural = _("social services")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def description(self) -> str:
        return self.localized("description")


class SupplyImport(TimeStampedModel):
    """One file of declarations loaded: who, which file, how many rows."""

    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import of supply declarations")
        verbose_name_plural = _("imports of supply declarations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


def _fte_field(label: StrOrPromise, help_text: StrOrPromise = "") -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=help_text,
    )


class SupplyDeclaration(TimeStampedModel):
    """Service × territory (comune or ambito) × year: capacity, users, staff, spending, how it is run."""

    class Management(models.TextChoices):
        DIRECT = "diretta", _("Run directly by the public body")
        CONTRACTED = "appalto", _("Contracted out (procurement or concession)")
        ETS_AGREEMENT = "convenzione_ets", _("Agreement (convenzione) with a Third Sector Entity")
        CO_DESIGNED = (
            "coprogettazione",
            _("Co-designed or co-programmed with Third Sector Entities (D.Lgs. 117/2017, art. 55)"),
        )

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="supply_declarations",
        limit_choices_to={"kind__in": DECLARING_KINDS},
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    service = models.ForeignKey(
        SocialService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="declarations"
    )
    places = models.PositiveIntegerField(
        _("places or capacity"),
        null=True,
        blank=True,
        help_text=_("For nurseries: full-time-equivalent places, public and private."),
    )
    users_served = models.PositiveIntegerField(_("users served"), null=True, blank=True)
    users_aged_65_plus = models.PositiveIntegerField(
        _("of whom aged 65 and over"),
        null=True,
        blank=True,
        help_text=_("Needed for home care: it is the numerator of home-care coverage."),
    )
    staff_fte = _fte_field(_("staff (full-time equivalent)"), _("Everybody working in the service."))
    social_workers_permanent_fte = _fte_field(
        _("social workers on permanent contracts (FTE)"),
        _("Employed by the comune or the ambito; these count for the LEPS of 1 per 5,000 inhabitants."),
    )
    social_workers_fixed_term_fte = _fte_field(_("social workers on fixed-term contracts (FTE)"))
    spending_eur = models.DecimalField(
        _("spending (euro)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    management = models.CharField(_("how it is run"), max_length=20, choices=Management.choices)
    need_domains = models.ManyToManyField(
        NeedDomain, verbose_name=_("need domains"), related_name="supply_declarations"
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    source_import = models.ForeignKey(
        SupplyImport,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("supply declaration")
        verbose_name_plural = _("supply declarations")
        ordering = ["territory", "-year", "service__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "year", "service"], name="supply_declaration_unique_service_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="supply_declaration_year_range",
            ),
            models.CheckConstraint(
                condition=Q(users_aged_65_plus__isnull=True)
                | Q(users_served__isnull=True)
                | Q(users_aged_65_plus__lte=models.F("users_served")),
                name="supply_declaration_older_users_within_users",
            ),
        ]
        indexes = [models.Index(fields=["year", "territory"], name="supply_declaration_year")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.territory_id} {self.year}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.territory_id is not None and self.territory.kind not in DECLARING_KINDS:
            errors["territory"] = _("Services are declared by a comune or an ambito.")
        if (
            self.users_aged_65_plus is not None
            and self.users_served is not None
            and self.users_aged_65_plus > self.users_served
        ):
            errors["users_aged_65_plus"] = _(
                "The users aged 65 and over cannot be more than the users served."
            )
        social_workers = [
            v
            for v in (self.social_workers_permanent_fte, self.social_workers_fixed_term_fte)
            if v is not None
        ]
        if self.staff_fte is not None and social_workers and sum(social_workers) > self.staff_fte:
            errors["staff_fte"] = _(
                "The social workers (permanent and fixed-term) are part of the staff: the staff cannot be fewer."
            )
        if errors:
            raise ValidationError(errors)
