"""Good practices (*buone pratiche*): what a territory did about a need, with its costs, partners and results.

A practice runs in one territory (`territory`: a comune, an ambito, a provincia or a regione) and may
span others (`other_territories`). It answers one or more need domains (`need_domains`, the same
taxonomy as the indicators: docs/decisions/0003-need-domains.md), so that the benchmarking pages can
show, next to an indicator where a territory lags, the practices of its better peers in that domain.

Who took part is one list, `PracticePartner`: the promoters and partners, each with a kind (ETS,
company, volunteers, public body…) and, when it is in the directory, a link to its `Organisation`;
`Practice.organisations` reads the linked ones through it. The organisation that proposed the practice
is `owner_organisation` (its editors may change the proposal, as for any data it owns:
`welfarelab.accounts.permissions`), and is always among the promoters.

Workflow (docs/practices.md): proposed → in review → published, or returned with comments to the
proposer, who edits and submits again. Every change of status is a `PracticeEvent` (who, when, from,
to, comment). Only published practices are public; examples loaded for a demonstration carry
`is_example` and say so on every page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel

if TYPE_CHECKING:
    from welfarelab.organisations.models import Organisation

FIRST_YEAR = 1950
LAST_YEAR = 2100


class Practice(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_REVIEW = "in_review", _("In review")
        RETURNED = "returned", _("Returned with comments")
        PUBLISHED = "published", _("Published")

    class Licence(models.TextChoices):
        """Open licences only: published practices are open data (the API serves them to anyone)."""

        CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
        CC_BY_SA_4 = "cc-by-sa-4.0", "CC BY-SA 4.0"
        CC0 = "cc0-1.0", "CC0 1.0"

    class Funding(models.TextChoices):
        MUNICIPAL = "comune", _("Municipal budget")
        AMBITO = "ambito", _("Social district budget (ATS)")
        REGIONAL = "regione", _("Regional funds")
        NATIONAL = "nazionale", _("National funds (e.g. FNPS, poverty fund)")
        PNRR = "pnrr", _("PNRR")
        EUROPEAN = "europeo", _("European funds (e.g. ESF+)")
        FOUNDATION = "fondazione", _("Foundations")
        PRIVATE = "privato", _("Companies and private donors")
        OWN_ETS = "ets", _("Own funds of Third Sector Entities")
        USERS = "utenti", _("Users' contributions")
        OTHER = "altro", _("Other")

    LICENCE_URLS: dict[str, str] = {
        "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
        "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
        "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    }

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, editable=False)
    summary = models.CharField(
        _("summary"), max_length=500, help_text=_("Two or three sentences: what it is and for whom.")
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="practices",
        help_text=_("The comune, ambito, provincia or regione where the practice runs."),
    )
    other_territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name=_("other territories"),
        related_name="practices_also_in",
        blank=True,
        help_text=_("Other territories the practice covers, if it spans several."),
    )
    need_domains = models.ManyToManyField(
        "indicators.NeedDomain", verbose_name=_("need domains"), related_name="practices"
    )
    organisations: models.ManyToManyField[Organisation, PracticePartner] = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations"),
        through="PracticePartner",
        through_fields=("practice", "organisation"),
        related_name="practices",
        blank=True,
    )
    owner_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("proposing organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Its editors may change the proposal. Empty for the examples loaded for a demo."),
    )
    problem = models.TextField(_("the problem"), help_text=_("The need it answers, and for whom."))
    actions = models.TextField(_("what was done"))
    resources = models.TextField(
        _("resources and costs"), blank=True, help_text=_("People, places, tools, time it took.")
    )
    total_cost = models.DecimalField(
        _("total cost (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_sources = models.JSONField(
        _("funding sources"), default=list, blank=True, help_text=_("Values of Practice.Funding.")
    )
    funding_notes = models.TextField(_("funding details"), blank=True)
    results = models.TextField(_("results"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Empty while it is still running."),
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4)
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_("Invented to show how the repository works: marked on every page as not real."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("proposed on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-published_at", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="practice_period_ordered",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="practice_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "territory"], name="practice_status_territory")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        """For `accounts.permissions`: only a published practice is public."""
        return self.is_published

    @property
    def licence_url(self) -> str:
        return self.LICENCE_URLS.get(self.licence, "")

    @property
    def funding_labels(self) -> list[str]:
        labels = dict(self.Funding.choices)
        return [str(labels.get(value, value)) for value in self.funding_sources]


class PracticePartner(models.Model):
    """One who took part: a promoter or a partner, linked to the directory when it is there."""

    class Role(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        PARTNER = "partner", _("Partner")

    class Kind(models.TextChoices):
        PUBLIC_BODY = "ente_pubblico", _("Public body")
        ETS = "ets", _("Third Sector Entity (ETS)")
        COMPANY = "impresa", _("Company")
        VOLUNTEERS = "volontari", _("Volunteers or informal group")
        UNIVERSITY = "universita", _("University or research centre")
        SCHOOL = "scuola", _("School")
        HEALTH = "sanita", _("Health service")
        OTHER = "altro", _("Other")

    practice = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation in the directory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_roles",
    )
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTNER)
    contribution = models.CharField(_("contribution"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["practice_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation"],
                condition=Q(organisation__isnull=False),
                name="practice_partner_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class PracticeContact(models.Model):
    """Somebody to ask about the practice. Shown publicly only with their consent, once published."""

    practice = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent = models.BooleanField(
        _("may be shown publicly"),
        default=False,
        help_text=_("The person agreed that name, role, email and phone appear on the public page."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["practice_id", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class PracticeEvidence(models.Model):
    """An indicator that shows the result: its values in a territory before and after the practice.

    The values are not typed in: they are read from the indicator table (`Observation`) when it holds
    them, so the evidence is the same number the profile pages show.
    """

    practice = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="evidence"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        "territories.Territory", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    period_before = models.PositiveSmallIntegerField(
        _("period before"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    period_after = models.PositiveSmallIntegerField(
        _("period after"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator evidence")
        verbose_name_plural = _("indicator evidence")
        ordering = ["practice_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_after__gt=F("period_before")),
                name="practice_evidence_after_follows_before",
                violation_error_message=_("The period after must come after the period before."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.territory_id} {self.period_before}→{self.period_after}"


def attachment_path(instance: PracticeAttachment, filename: str) -> str:
    # The stored name is not the uploaded one: a random stem keeps names unguessable and safe.
    return f"practices/{instance.practice_id}/{filename}"


class PracticeAttachment(TimeStampedModel):
    """A document of the practice: a PDF or an image stored here, or a link elsewhere."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        IMAGE = "image", _("Image")
        LINK = "link", _("Link")

    practice = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["practice_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file=""))
                | (~Q(kind="link") & Q(url="") & ~Q(file="")),
                name="practice_attachment_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.LINK:
            return self.url
        return reverse("practices:attachment", kwargs={"slug": self.practice.slug, "pk": self.pk})


class PracticeEvent(models.Model):
    """One step of the workflow: who moved the practice from which status to which, when, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Proposed")
        EDITED = "edited", _("Edited")
        RESUBMITTED = "resubmitted", _("Proposed again")
        REVIEW_STARTED = "review_started", _("Review started")
        RETURNED = "returned", _("Returned with comments")
        PUBLISHED = "published", _("Approved and published")
        WITHDRAWN = "withdrawn", _("Withdrawn from publication")
        EXAMPLE_LOADED = "example_loaded", _("Loaded as an example")

    practice = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Practice.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Practice.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("practice event")
        verbose_name_plural = _("practice events")
        ordering = ["practice_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.practice_id}: {self.action} ({self.from_status or '–'} → {self.to_status})"
