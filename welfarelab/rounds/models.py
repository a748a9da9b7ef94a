"""Data-collection rounds (*campagne di rilevazione*): the lab asks its members for indicator values.

A round names the indicators (the lab's own, never the built-in ones computed from open data), the
year they refer to, when it opens and its deadline; its members are public bodies, each answering for
the territory it governs. Nothing here duplicates the observations: what a member has sent is read
from `indicators.Observation` (indicator × territory × period, see `selectors.round_completeness`);
a `RoundSubmission` only records each upload (who, when, which import batch).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel
from welfarelab.indicators.models import FIRST_PERIOD, LAST_PERIOD


class Round(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    indicators = models.ManyToManyField(
        "indicators.Indicator",
        verbose_name=_("indicators"),
        related_name="rounds",
        blank=True,
        limit_choices_to={"is_builtin": False},
        help_text=_("The lab's own indicators: those computed from open data are not asked for."),
    )
    period = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_PERIOD), MaxValueValidator(LAST_PERIOD)],
        help_text=_("The year the values refer to."),
    )
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown to the members with the round."))

    class Meta:
        verbose_name = _("data-collection round")
        verbose_name_plural = _("data-collection rounds")
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opens_on")),
                name="round_deadline_after_opening",
                violation_error_message=_("The deadline cannot come before the opening day."),
            ),
            models.CheckConstraint(
                condition=Q(period__gte=FIRST_PERIOD) & Q(period__lte=LAST_PERIOD),
                name="round_period_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    def accepts_data(self, *, today: dt.date | None = None) -> bool:
        """Open, and its opening day has come: members may send values (also after the deadline)."""
        return self.status == self.Status.OPEN and self.opens_on <= (today or timezone.localdate())


class RoundMember(TimeStampedModel):
    """A public body asked for the round's values of the territory it governs.

    `territory` is the organisation's territory when it was added: the round keeps asking for it even if
    the directory changes later.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="members"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="round_memberships",
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_reminder_sent_at = models.DateTimeField(_("last reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("round member")
        verbose_name_plural = _("round members")
        ordering = ["round_id", "territory__kind", "territory__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="round_member_unique_organisation"
            ),
            models.UniqueConstraint(fields=["round", "territory"], name="round_member_unique_territory"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.round}"


class RoundSubmission(models.Model):
    """One sending of values to a round by a member: through the web form or an uploaded file."""

    class Channel(models.TextChoices):
        FORM = "form", _("Web form")
        FILE = "file", _("Uploaded file")

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="submissions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="round_submissions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.OneToOneField(
        "indicators.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="round_submission",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submitted_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("round submission")
        verbose_name_plural = _("round submissions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["round", "organisation"], name="round_submission_member")]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.round} ({self.submitted_at:%Y-%m-%d %H:%M})"
