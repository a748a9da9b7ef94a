"""Italy's territories: Italia, regioni, province, ambiti territoriali sociali (ATS) and comuni.

One table for every kind keeps search, the API (`/territories/{kind}/{code}`) and the indicator table
(territory × indicator × period) simple. Codes are ISTAT codes as text; an ambito's code is the one the
region gives it. Comune-only attributes are empty on the other kinds.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel


class Territory(models.Model):
    class Kind(models.TextChoices):
        ITALIA = "italia", _("Italy")
        REGIONE = "regione", _("Region")
        PROVINCIA = "provincia", _("Province")
        AMBITO = "ambito", _("Social district (ATS)")
        COMUNE = "comune", _("Municipality")

    class AltimetricZone(models.IntegerChoices):
        INLAND_MOUNTAIN = 1, _("Inland mountain")
        COASTAL_MOUNTAIN = 2, _("Coastal mountain")
        INLAND_HILL = 3, _("Inland hill")
        COASTAL_HILL = 4, _("Coastal hill")
        PLAIN = 5, _("Plain")

    class Degurba(models.IntegerChoices):
        CITIES = 1, _("Cities (densely populated)")
        TOWNS = 2, _("Towns and suburbs (intermediate density)")
        RURAL = 3, _("Rural areas (thinly populated)")

    class InnerAreaClass(models.TextChoices):
        A = "A", _("A – Hub")
        B = "B", _("B – Inter-municipal hub")
        C = "C", _("C – Belt")
        D = "D", _("D – Intermediate")
        E = "E", _("E – Peripheral")
        F = "F", _("F – Ultra-peripheral")

    class Crosswalk2026(models.TextChoices):
        SAME = "stesso_comune", _("Same code in 2026")
        CODE_CHANGED = "cambio_codice", _("New code in 2026, same territory")
        SUPPRESSED = "soppresso_dopo_2023", _("Merged into a new comune after 2023")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=12, help_text=_("ISTAT code, as text (e.g. 058091)."))
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(
        _("name for search"),
        max_length=200,
        db_index=True,
        editable=False,
        help_text=_("Lower case without accents, so that 'forli' finds Forlì."),
    )
    regione = models.ForeignKey(
        "self",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Kind.REGIONE},
    )
    provincia = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comuni",
        limit_choices_to={"kind": Kind.PROVINCIA},
    )
    ambito = models.ForeignKey(
        "self",
        verbose_name=_("social district (ATS)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_comuni",
        limit_choices_to={"kind": Kind.AMBITO},
    )
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)

    # Attributes of a comune (ISTAT classifications 2023, DPCoe inner areas 2020, SITUAS 2026).
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, blank=True)
    province_abbreviation = models.CharField(_("province abbreviation"), max_length=2, blank=True)
    altimetric_zone = models.PositiveSmallIntegerField(
        _("altimetric zone"), choices=AltimetricZone.choices, null=True, blank=True
    )
    altitude_m = models.IntegerField(_("altitude of the town hall (m)"), null=True, blank=True)
    is_coastal = models.BooleanField(_("touches the sea"), null=True, blank=True)
    is_island = models.BooleanField(_("on a minor island"), null=True, blank=True)
    is_coastal_area = models.BooleanField(_("Eurostat coastal area"), null=True, blank=True)
    degurba = models.PositiveSmallIntegerField(
        _("degree of urbanisation (DEGURBA)"), choices=Degurba.choices, null=True, blank=True
    )
    inner_area_class = models.CharField(
        _("inner-area class (2020)"), max_length=1, choices=InnerAreaClass.choices, blank=True
    )
    inner_area_code_2020 = models.CharField(_("code in the 2020 inner-area map"), max_length=6, blank=True)
    travel_minutes_to_hub = models.FloatField(
        _("travel time to the nearest hub (min)"), null=True, blank=True
    )
    code_2026 = models.CharField(_("ISTAT code in 2026"), max_length=6, blank=True)
    crosswalk_2026 = models.CharField(
        _("change 2023 → 2026"), max_length=20, choices=Crosswalk2026.choices, blank=True
    )
    tax_code = models.CharField(_("tax code of the public body"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["kind", "name_folded"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_unique_kind_code"),
            models.CheckConstraint(
                condition=Q(kind="comune") | Q(ambito__isnull=True), name="territory_only_comuni_in_ambito"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_comune(self) -> bool:
        return self.kind == self.Kind.COMUNE

    @property
    def is_italy(self) -> bool:
        return self.kind == self.Kind.ITALIA


class PopulationByAge(models.Model):
    """Residents of a territory on 1 January of `year`, by single age (100 = 100 and over) and sex.

    Comuni come from ISTAT; every other kind holds the sum of its comuni (written by the loaders,
    so pages never sum 800,000 rows on the fly).
    """

    MAX_AGE = 100

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="population")
    year = models.PositiveSmallIntegerField(_("year"))
    age = models.PositiveSmallIntegerField(_("age"), help_text=_("Completed years; 100 means 100 and over."))
    males = models.PositiveIntegerField(_("males"))
    females = models.PositiveIntegerField(_("females"))

    class Meta:
        verbose_name = _("population by age")
        verbose_name_plural = _("population by age")
        constraints = [
            models.UniqueConstraint(fields=["territory", "year", "age"], name="population_unique_cell"),
            models.CheckConstraint(condition=Q(age__lte=100), name="population_age_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id} {self.year} age {self.age}: {self.males + self.females}"


class DataQualityIssue(TimeStampedModel):
    """Something in the source data that did not fit, and what the loader did about it.

    Nothing is dropped silently: every mismatch found while loading lands here, with the people it
    concerns, and is shown by `welfarelab data-report` and in the admin.
    """

    class Category(models.TextChoices):
        CODE_NOT_IN_LIST = "code_not_in_list", _("Code not in the list of comuni")
        NO_POPULATION = "no_population", _("Comune without population data")
        MATCHED_BY_NAME = "matched_by_name", _("Matched through the name, not the code")
        NO_ATTRIBUTE = "no_attribute", _("Attribute missing for a comune")
        ORGANISATION_PLACE = "organisation_place", _("Organisation without a known comune")
        PUBLIC_BODY_IN_LIST = "public_body_in_list", _("Public body in a list of Third Sector Entities")

    dataset = models.CharField(_("dataset"), max_length=100)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    code = models.CharField(_("code in the source"), max_length=16, blank=True)
    name = models.CharField(_("name in the source"), max_length=300, blank=True)
    resolution = models.TextField(_("what was done"))
    people_2022 = models.PositiveIntegerField(_("residents 2022"), null=True, blank=True)
    people_2023 = models.PositiveIntegerField(_("residents 2023"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows concerned"), default=1)

    class Meta:
        verbose_name = _("data-quality issue")
        verbose_name_plural = _("data-quality issues")
        ordering = ["dataset", "category", "code"]

    def __str__(self) -> str:
        return f"{self.dataset}: {self.get_category_display()} {self.code}"


class DatasetLoad(TimeStampedModel):
    """One completed load of a bundled dataset; its presence makes the next `make run` skip the work."""

    dataset = models.CharField(_("dataset"), max_length=100, unique=True)
    rows = models.PositiveIntegerField(_("rows written"))
    seconds = models.FloatField(_("seconds"))
    source_files = models.TextField(_("source files"))

    class Meta:
        verbose_name = _("dataset load")
        verbose_name_plural = _("dataset loads")

    def __str__(self) -> str:
        return self.dataset


class AmbitoImport(TimeStampedModel):
    """Who imported which file of ambiti, and how many rows it held."""

    filename = models.CharField(_("file"), max_length=255)
    imported_by = models.ForeignKey(
        "accounts.User", verbose_name=_("imported by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    ambiti = models.PositiveIntegerField(_("ambiti"))
    comuni = models.PositiveIntegerField(_("comuni"))

    class Meta:
        verbose_name = _("import of ambiti")
        verbose_name_plural = _("imports of ambiti")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"
