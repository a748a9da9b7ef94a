"""The catalogue of funding calls (bandi), after the CommonGrants model of an *opportunity*, for Italy.

CommonGrants (HHS/simpler-grants-protocol) → here:
    title, description              → title, summary
    status (forecasted/open/closed) → `status`, derived from the dates (upcoming/open/closed), never stored
    funding.totalAmountAvailable    → total_budget;  min/maxAwardAmount → min_grant / max_grant;
    funding.estimatedAwardCount     → estimated_awards
    keyDates.postDate / closeDate   → opens_at / closes_at (aware, stored in UTC, shown in Europe/Rome)
    acceptedApplicantTypes          → eligible_applicants (ETS legal forms, comuni, ambiti, imprese …)
    source (URL)                    → url;  agency → issuer + issuer_type
    customFields                    → themes, territories, cofinancing_percent, procedure, attachments
Provenance: `source` (manual/csv/feed) + `source_name` + `source_id` identify a call in its source, so a
re-import updates it in place; a call gone from its source is flagged, never deleted. Every change is a
`CallChange` row (docs/calls.md says why not django-simple-history).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel

CLOSING_SOON_DAYS = 14


class BilingualName(models.Model):
    """A vocabulary row with a stable slug and an Italian and English name."""

    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, help_text=_("Stable: links and subscriptions use it.")
    )
    name_it = models.CharField(_("name (Italian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it


class Theme(BilingualName):
    class Meta(BilingualName.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class ApplicantType(BilingualName):
    """Who may apply: an ETS legal form (slug = Organisation.LegalForm value), a kind of public body, …"""

    group = models.CharField(_("group"), max_length=20)

    class Meta(BilingualName.Meta):
        verbose_name = _("applicant type")
        verbose_name_plural = _("applicant types")


class CallQuerySet(models.QuerySet["Call"]):
    """Status filters computed from the dates at `now` (the same rules as `Call.status`)."""

    def closed(self, now: dt.datetime) -> CallQuerySet:
        return self.filter(Q(closed_early=True) | Q(closes_at__lte=now))

    def upcoming(self, now: dt.datetime) -> CallQuerySet:
        return self.filter(closed_early=False, opens_at__gt=now)

    def open(self, now: dt.datetime) -> CallQuerySet:
        return self.filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=now),
            Q(closes_at__isnull=True) | Q(closes_at__gt=now),
            closed_early=False,
        )

    def current(self, now: dt.datetime) -> CallQuerySet:
        """Open or upcoming: not closed."""
        return self.exclude(Q(closed_early=True) | Q(closes_at__lte=now))


class Call(TimeStampedModel):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class IssuerType(models.TextChoices):
        MINISTRY = "ministero", _("Ministry or national administration")
        REGION = "regione", _("Region")
        LOCAL = "ente_locale", _("Comune, provincia or ambito")
        EU = "ue", _("European Union")
        BANK_FOUNDATION = "fondazione_bancaria", _("Bank foundation")
        FOUNDATION = "fondazione", _("Other foundation")
        OTHER = "altro", _("Other")

    class Procedure(models.TextChoices):
        FIRST_COME = "sportello", _("First come, first served (a sportello)")
        RANKED = "graduatoria", _("Ranked (graduatoria)")
        TENDER = "gara", _("Public tender (procurement)")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by the lab")
        CSV = "csv", _("Table (CSV/XLSX)")
        FEED = "feed", _("RSS/Atom feed")

    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    issuer = models.CharField(_("issuer"), max_length=300)
    issuer_type = models.CharField(_("issuer type"), max_length=30, choices=IssuerType.choices)
    issuer_tax_code = models.CharField(_("issuer's tax code"), max_length=16, blank=True)
    url = models.URLField(_("official page"), max_length=1000, blank=True)

    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="calls", blank=True)
    eligible_applicants = models.ManyToManyField(
        ApplicantType, verbose_name=_("who may apply"), related_name="calls", blank=True
    )
    eligibility_notes = models.TextField(
        _("eligibility as the call states it"),
        blank=True,
        help_text=_("The words of the call or of its source, kept as they are."),
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territorial scope"),
        related_name="calls",
        blank=True,
        limit_choices_to={"kind__in": ["regione", "provincia"]},
        help_text=_("Regions or provinces the call is open to; none means all of Italy."),
    )

    total_budget = models.DecimalField(
        _("total budget (€)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    min_grant = models.DecimalField(
        _("minimum grant (€)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    max_grant = models.DecimalField(
        _("maximum grant (€)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    estimated_awards = models.PositiveIntegerField(_("expected number of grants"), null=True, blank=True)
    cofinancing_percent = models.DecimalField(
        _("co-financing required (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of the project the applicant pays; 0 for none, empty when not stated."),
    )
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices, blank=True)

    opens_at = models.DateTimeField(_("opens"), null=True, blank=True, db_index=True)
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Empty: no deadline (until funds run out)."),
    )
    closed_early = models.BooleanField(
        _("closed before its deadline"),
        default=False,
        help_text=_("Funds exhausted, withdrawn or cancelled: the call is closed whatever its dates say."),
    )
    source_status = models.CharField(
        _("status stated by the source"), max_length=300, blank=True, help_text=_("As the source writes it.")
    )

    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_name = models.CharField(
        _("source name"),
        max_length=100,
        blank=True,
        help_text=_("Which table or feed, e.g. pnrr-italia-domani."),
    )
    source_id = models.CharField(_("id in the source"), max_length=300, blank=True)
    source_data = models.JSONField(_("record as published by the source"), default=dict, blank=True)
    flagged_missing_from_source = models.BooleanField(
        _("missing from its source"),
        default=False,
        help_text=_(
            "The last import of its source did not contain it any more: check it; it is not deleted."
        ),
    )
    missing_since = models.DateTimeField(_("missing since"), null=True, blank=True)
    edited_fields = models.JSONField(
        _("fields corrected by the lab"),
        default=list,
        blank=True,
        help_text=_("An import leaves these fields as the lab's editors corrected them."),
    )
    published_at = models.DateTimeField(
        _("published on the platform"), default=timezone.now, db_index=True, editable=False
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["closes_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_name", "source_id"],
                condition=~Q(source_id=""),
                name="call_unique_source_id",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(min_grant__isnull=True)
                | Q(max_grant__isnull=True)
                | Q(max_grant__gte=models.F("min_grant")),
                name="call_max_grant_not_below_min",
            ),
        ]
        indexes = [models.Index(fields=["source", "source_name"], name="call_source")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = str(_("The call must close after it opens."))
        if self.min_grant is not None and self.max_grant is not None and self.max_grant < self.min_grant:
            errors["max_grant"] = str(_("The maximum grant cannot be less than the minimum."))
        if errors:
            raise ValidationError(errors)

    def status_at(self, now: dt.datetime) -> str:
        if self.closed_early or (self.closes_at is not None and self.closes_at <= now):
            return self.Status.CLOSED
        if self.opens_at is not None and self.opens_at > now:
            return self.Status.UPCOMING
        return self.Status.OPEN

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    def closing_soon_at(self, now: dt.datetime, *, days: int | None = None) -> bool:
        days = CLOSING_SOON_DAYS if days is None else days
        return (
            self.status_at(now) == self.Status.OPEN
            and self.closes_at is not None
            and self.closes_at <= now + dt.timedelta(days=days)
        )

    @property
    def closing_soon(self) -> bool:
        return self.closing_soon_at(timezone.now())

    @property
    def grant_or_budget(self) -> object:
        """The amount lists show and filter on: the maximum grant, else the total budget."""
        return self.max_grant if self.max_grant is not None else self.total_budget


class CallAttachment(models.Model):
    """A document of a call: an uploaded file or a link to the issuer's copy."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="calls/attachments/%Y/", blank=True)
    from_source = models.BooleanField(_("from the source"), default=False, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="call_attachment_has_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.url


class FeedSource(TimeStampedModel):
    """An RSS/Atom feed of calls that an issuer publishes, and what to assume of its entries."""

    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("Stable name of the source, e.g. regione-lombardia-bandi."),
    )
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("feed address"), max_length=1000)
    issuer = models.CharField(_("issuer"), max_length=300)
    issuer_type = models.CharField(_("issuer type"), max_length=30, choices=Call.IssuerType.choices)
    default_themes = models.ManyToManyField(Theme, verbose_name=_("themes of every entry"), blank=True)
    default_applicants = models.ManyToManyField(
        ApplicantType, verbose_name=_("who may apply, unless an entry says"), blank=True
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("territorial scope"),
        blank=True,
        limit_choices_to={"kind__in": ["regione", "provincia"]},
        help_text=_("None means all of Italy."),
    )
    is_active = models.BooleanField(_("imported on schedule"), default=True)

    class Meta:
        verbose_name = _("feed of calls")
        verbose_name_plural = _("feeds of calls")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def source_name(self) -> str:
        return f"feed-{self.key}"


class ImportRun(models.Model):
    """One run of an importer: what it added, changed, flagged and skipped, and why."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=10, choices=Call.Source.choices)
    source_name = models.CharField(_("source name"), max_length=100)
    location = models.CharField(_("file or address"), max_length=1000, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    flagged = models.PositiveIntegerField(_("flagged as missing"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    messages = models.JSONField(
        _("messages"), default=list, blank=True, help_text=_("Each skipped row or entry: where, and why.")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source_name} {self.started_at:%Y-%m-%d %H:%M}"


class CallChange(models.Model):
    """One change of a call: who or which import made it, and each field's value before and after."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        FLAGGED = "flagged", _("Missing from its source")

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("what"), max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    import_run = models.ForeignKey(
        ImportRun, verbose_name=_("import run"), on_delete=models.SET_NULL, null=True, blank=True
    )
    changes = models.JSONField(_("changes"), default=dict, help_text=_("field → [before, after]"))

    class Meta:
        verbose_name = _("change of a call")
        verbose_name_plural = _("changes of calls")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"


class OrganisationProfile(models.Model):
    """What the calls need to know of an organisation beyond the directory: the themes it works on."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="calls_profile",
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes of its activity"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation's themes")
        verbose_name_plural = _("organisations' themes")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def owner_organisation_id(self) -> int | None:
        return self.organisation_id
