"""The indicator catalogue and the one long table of observations.

An observation keeps its numerator and denominator beside the value, so that aggregates up the
territorial hierarchy sum counts (never average ratios) and every value can carry its interval.
Catalogue texts are stored in Italian and English side by side: they are data the coordinator edits,
not strings of the code, so gettext cannot translate them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from welfarelab.analytics.comparisons import Polarity
from welfarelab.core.models import TimeStampedModel

indicator_code_validator = RegexValidator(
    regex=r"^[a-z][a-z0-9_]{1,62}$",
    message=_("A code is lower-case letters, digits and underscores, starting with a letter."),
)

# Years an observation may refer to: ISTAT's series start after unification; nothing is measured ahead.
FIRST_PERIOD = 1861
LAST_PERIOD = 2100


class BilingualText:
    """`obj.localized("name")` reads `name_en` when the page is in English and it is filled, else `name_it`."""

    def localized(self, field: str) -> str:
        if (get_language() or "it").startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return str(english)
        return str(getattr(self, f"{field}_it"))


class NeedDomain(BilingualText, models.Model):
    """A domain of need through which local welfare is read (docs/decisions/0003-need-domains.md)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_it = models.CharField(_("name (Italian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description_it = models.TextField(_("description (Italian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    user_areas = models.JSONField(
        _("ISTAT user areas"),
        default=list,
        blank=True,
        help_text=_("Codes of the ISTAT user areas of social spending this domain draws on."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("need domain")
        verbose_name_plural = _("need domains")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.localized("name")

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def description(self) -> str:
        return self.localized("description")


class Indicator(BilingualText, TimeStampedModel):
    class Statistic(models.TextChoices):
        """What kind of number it is; it decides how its 95% interval is computed."""

        PROPORTION = "proportion", _("Proportion (Wilson score interval)")
        RATE = "rate", _("Rate (Byar's approximation or exact Poisson limits)")
        COUNT = "count", _("Count (Byar's approximation or exact Poisson limits)")
        RATIO = "ratio", _("Ratio of two populations (no interval)")
        MEAN = "mean", _("Mean (no interval: the spread is not published)")
        CHANGE = "change", _("Percentage change (no interval)")
        ENUMERATION = "enumeration", _("Full enumeration (no interval)")

    class PeriodType(models.TextChoices):
        JANUARY_FIRST = "1_january", _("Situation at 1 January of the year")
        CALENDAR_YEAR = "calendar_year", _("Calendar year")
        TAX_YEAR = "tax_year", _("Tax year")
        SCHOOL_YEAR = "school_year", _("School year starting in the year")

    class TargetDirection(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    POLARITY_CHOICES = [
        (Polarity.HIGHER_IS_BETTER.value, _("Higher is better")),
        (Polarity.LOWER_IS_BETTER.value, _("Lower is better")),
        (Polarity.NO_JUDGEMENT.value, _("No judgement")),
    ]

    code = models.CharField(_("code"), max_length=63, unique=True, validators=[indicator_code_validator])
    name_it = models.CharField(_("name (Italian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    definition_it = models.TextField(_("definition (Italian)"))
    definition_en = models.TextField(_("definition (English)"), blank=True)
    numerator_it = models.CharField(_("numerator (Italian)"), max_length=300, blank=True)
    numerator_en = models.CharField(_("numerator (English)"), max_length=300, blank=True)
    denominator_it = models.CharField(_("denominator (Italian)"), max_length=300, blank=True)
    denominator_en = models.CharField(_("denominator (English)"), max_length=300, blank=True)
    multiplier = models.FloatField(
        _("multiplier"),
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("e.g. 100 for a percentage."),
    )
    unit_it = models.CharField(_("unit (Italian)"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    polarity = models.CharField(_("polarity"), max_length=20, choices=POLARITY_CHOICES)
    statistic = models.CharField(_("kind of statistic"), max_length=20, choices=Statistic.choices)
    need_domains = models.ManyToManyField(
        NeedDomain, verbose_name=_("need domains"), related_name="indicators", blank=True
    )
    source = models.CharField(_("source"), max_length=300)
    source_url = models.URLField(_("source address"), blank=True)
    licence = models.CharField(_("licence"), max_length=200)
    period_type = models.CharField(_("reference period"), max_length=20, choices=PeriodType.choices)
    leps_code = models.CharField(
        _("LEPS"),
        max_length=60,
        blank=True,
        help_text=_("Code of the legal service level it measures, if any."),
    )
    target_value = models.FloatField(_("legal target"), null=True, blank=True)
    target_direction = models.CharField(
        _("target direction"), max_length=10, choices=TargetDirection.choices, blank=True
    )
    is_builtin = models.BooleanField(
        _("built in"),
        default=False,
        editable=False,
        help_text=_("Defined by the platform's catalogue file and computed from open data."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | ~Q(target_direction=""),
                name="indicator_target_has_direction",
            ),
        ]

    def __str__(self) -> str:
        return self.localized("name")

    def get_absolute_url(self) -> str:
        return reverse("indicators:detail", kwargs={"code": self.code})

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def definition(self) -> str:
        return self.localized("definition")

    @property
    def unit(self) -> str:
        return self.localized("unit")

    @property
    def numerator(self) -> str:
        return self.localized("numerator")

    @property
    def denominator(self) -> str:
        return self.localized("denominator")

    @property
    def has_interval(self) -> bool:
        return self.statistic in {self.Statistic.PROPORTION, self.Statistic.RATE, self.Statistic.COUNT}


class ImportBatch(TimeStampedModel):
    """One arrival of observations: a computation from open data, an uploaded file, an SDMX pull."""

    class Origin(models.TextChoices):
        OPEN_DATA = "open_data", _("Computed from the bundled open data")
        UPLOAD = "upload", _("Uploaded file")
        API = "api", _("Sent through the API")
        SDMX = "sdmx", _("ISTAT SDMX web service")
        ROUND = "round", _("Data-collection round")

    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"{self.get_origin_display()} {self.filename or self.source} ({self.created_at:%Y-%m-%d %H:%M})"
        )


class Observation(models.Model):
    """indicator × territory × period → value with its numerator, denominator and 95% limits."""

    class Origin(models.TextChoices):
        REPORTED = "reported", _("Reported for the territory")
        AGGREGATED = "aggregated", _("Sum of the comuni it contains")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="observations"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    period = models.PositiveSmallIntegerField(_("period"))
    value = models.FloatField(_("value"), null=True, blank=True, help_text=_("Empty when unknown."))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    lower_95 = models.FloatField(_("lower 95% limit"), null=True, blank=True)
    upper_95 = models.FloatField(_("upper 95% limit"), null=True, blank=True)
    coverage = models.FloatField(
        _("coverage"),
        null=True,
        blank=True,
        help_text=_("For a sum of comuni, the share of its comuni with a known value (1 = all)."),
    )
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.REPORTED)
    source = models.CharField(_("source"), max_length=300, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        # A batch's values are replaced or withdrawn through the services, which rebuild the sums;
        # deleting the batch would silently leave stale sums behind.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="observations",
    )

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "territory", "period"], name="observation_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=FIRST_PERIOD) & Q(period__lte=LAST_PERIOD),
                name="observation_period_range",
            ),
            models.CheckConstraint(
                condition=Q(lower_95__isnull=True)
                | Q(upper_95__isnull=True)
                | Q(lower_95__lte=F("upper_95")),
                name="observation_limits_ordered",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"], name="observation_indicator_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.territory_id} {self.period}: {self.value}"
