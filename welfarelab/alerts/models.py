"""Alerts: the lab's news, who subscribed to what (email, Telegram), and the outbox every message leaves by.

- `NewsPost`: a short post of the coordinator (Markdown, made safe on display), themed like the calls.
- `Subscription`: an email address, its themes and/or one saved filter of the /bandi/ list (the query
  string, re-read by the calls' own filter form), a frequency; active once confirmed (double opt-in).
- `SavedCall` (a reminder before its deadline) and `MutedCall` (never mentioned again) per subscription.
- `TelegramSubscriber`: a chat of the bot and its themes.
- `OutboxMessage`: one message to one recipient on one channel. Producers only insert rows, keyed by an
  idempotency key (unique), so a message is queued at most once; `outbox.deliver_due` sends them (see
  docs/alerts.md for the lease, the retries and what "exactly once" means here).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from welfarelab.calls.models import Call, Theme


class NewsPost(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: paragraphs, lists, links, emphasis."))
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="news_posts", blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    email = models.EmailField(_("email address"), unique=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="subscriptions", blank=True)
    filter_query = models.CharField(
        _("saved filter of the calls"),
        max_length=1000,
        blank=True,
        help_text=_("The query string of the /bandi/ list, e.g. theme=ambiente&region=03."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    last_digest_at = models.DateTimeField(
        _("last digest covers up to"), null=True, blank=True, help_text=_("The next digest starts here.")
    )

    class Meta:
        verbose_name = _("email subscription")
        verbose_name_plural = _("email subscriptions")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SavedCall(models.Model):
    """A call a subscriber keeps an eye on: a reminder comes N days before its deadline."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="saved_calls")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("saved call")
        verbose_name_plural = _("saved calls")
        constraints = [models.UniqueConstraint(fields=["subscription", "call"], name="saved_call_once")]

    def __str__(self) -> str:
        return f"{self.subscription} → {self.call_id}"


class MutedCall(models.Model):
    """A call a subscriber does not want to hear of again (changes, reminders)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="muted_calls")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    muted_at = models.DateTimeField(_("muted at"), default=timezone.now)

    class Meta:
        verbose_name = _("muted call")
        verbose_name_plural = _("muted calls")
        constraints = [models.UniqueConstraint(fields=["subscription", "call"], name="muted_call_once")]

    def __str__(self) -> str:
        return f"{self.subscription} ✕ {self.call_id}"


class TelegramSubscriber(models.Model):
    chat_id = models.BigIntegerField(_("chat"), unique=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="+", blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_alert_at = models.DateTimeField(
        _("alerts sent up to"), null=True, blank=True, help_text=_("The next alerts start here.")
    )

    class Meta:
        verbose_name = _("Telegram subscriber")
        verbose_name_plural = _("Telegram subscribers")
        ordering = ["chat_id"]

    def __str__(self) -> str:
        return str(self.chat_id)


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        TELEGRAM = "telegram", _("Telegram")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=320, help_text=_("Email address or chat id."))
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    locked_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_due", condition=Q(status__in=["pending", "sending"])
            )
        ]

    def __str__(self) -> str:
        return self.idempotency_key
