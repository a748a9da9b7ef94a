"""Writes of the alerts: subscriptions (double opt-in), saved and muted calls, news posts, and the
producers that queue messages in the outbox (digests, reminders, Telegram alerts).

Producers only insert outbox rows, each under an idempotency key (`outbox_enqueue`): running a producer
twice queues nothing new. Delivery is `outbox.deliver_due`'s job (the `deliver_outbox` task).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.alerts import compose, selectors
from welfarelab.alerts.models import (
    MutedCall,
    NewsPost,
    OutboxMessage,
    SavedCall,
    Subscription,
    TelegramSubscriber,
)
from welfarelab.calls.models import Call, Theme

NOTHING_CHOSEN = _("Choose at least one theme or a saved filter of the calls.")
BAD_FILTER = _("The saved filter is not one the calls list accepts: %(reason)s")


# --- the outbox ---------------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    key: str,
    body: str,
    subject: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[OutboxMessage, bool]:
    """Queue one message under `key`; a key already queued (or sent) queues nothing. → (row, created)."""
    return OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "subject": subject[:300],
            "body": body,
            "headers": headers or {},
        },
    )


def _email(subscription: Subscription, key: str, message: compose.Composed) -> bool:
    _row, created = outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=subscription.email,
        key=key,
        subject=message.subject,
        body=message.body,
        headers=message.headers,
    )
    return created


def outbox_retry(*, message: OutboxMessage, now: dt.datetime | None = None) -> None:
    """The coordinator's "try again" on a failed message: a fresh round of attempts from now."""
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )


# --- subscriptions ------------------------------------------------------------------------------------


def _local_day(now: dt.datetime) -> str:
    return timezone.localtime(now).date().isoformat()


def _check_choices(themes: list[Theme], filter_query: str) -> str:
    filter_query = filter_query.strip().lstrip("?")
    if not themes and not filter_query:
        raise ValidationError(NOTHING_CHOSEN, code="nothing_chosen")
    if filter_query:
        try:
            selectors.filter_cleaned(filter_query)
        except selectors.BadFilter as error:
            raise ValidationError(
                {"filter_query": BAD_FILTER % {"reason": error}}, code="bad_filter"
            ) from None
    return filter_query


def subscription_request(
    *,
    email: str,
    themes: Iterable[Theme],
    filter_query: str = "",
    frequency: str = Subscription.Frequency.WEEKLY,
    now: dt.datetime | None = None,
) -> Subscription:
    """Ask for a subscription: queue the confirmation email (at most one per address a day).

    An address already subscribed is sent its manage link instead and nothing changes: whoever typed it
    in the form may not be its owner. Nothing else is ever sent before the owner confirms.
    """
    now = now or timezone.now()
    themes = list(themes)
    filter_query = _check_choices(themes, filter_query)
    email = email.strip().lower()
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(email=email)
        if subscription.is_active:
            _email(
                subscription,
                f"manage-link:{subscription.pk}:{_local_day(now)}",
                compose.manage_link(subscription),
            )
            return subscription
        subscription.filter_query = filter_query
        subscription.frequency = frequency
        subscription.confirmed_at = None
        subscription.unsubscribed_at = None
        subscription.full_clean()
        subscription.save()
        subscription.themes.set(themes)
        _email(
            subscription, f"confirm:{subscription.pk}:{_local_day(now)}", compose.confirmation(subscription)
        )
    return subscription


def subscription_confirm(*, subscription: Subscription, now: dt.datetime | None = None) -> bool:
    """Confirm (idempotent); the first digest covers what is published from now. → confirmed now?"""
    if subscription.confirmed_at is not None and subscription.unsubscribed_at is None:
        return False
    subscription.confirmed_at = now or timezone.now()
    subscription.unsubscribed_at = None
    subscription.last_digest_at = None
    subscription.save(update_fields=["confirmed_at", "unsubscribed_at", "last_digest_at"])
    return True


def subscription_update(
    *, subscription: Subscription, themes: Iterable[Theme], filter_query: str, frequency: str
) -> Subscription:
    themes = list(themes)
    subscription.filter_query = _check_choices(themes, filter_query)
    subscription.frequency = frequency
    subscription.full_clean()
    with transaction.atomic():
        subscription.save(update_fields=["filter_query", "frequency"])
        subscription.themes.set(themes)
    return subscription


def subscription_unsubscribe(*, subscription: Subscription, now: dt.datetime | None = None) -> bool:
    """Stop every message to the subscription (idempotent); queued, unsent ones are dropped too."""
    if subscription.unsubscribed_at is not None:
        return False
    with transaction.atomic():
        subscription.unsubscribed_at = now or timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
        OutboxMessage.objects.filter(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=subscription.email,
            status=OutboxMessage.Status.PENDING,
        ).delete()
    return True


def call_save(*, subscription: Subscription, call: Call) -> SavedCall:
    saved, _created = SavedCall.objects.get_or_create(subscription=subscription, call=call)
    return saved


def call_mute(*, subscription: Subscription, call: Call) -> MutedCall:
    with transaction.atomic():
        muted, _created = MutedCall.objects.get_or_create(subscription=subscription, call=call)
        SavedCall.objects.filter(subscription=subscription, call=call).delete()
    return muted


# --- news ---------------------------------------------------------------------------------------------


def news_post_create(
    *,
    author: User | None,
    title: str,
    body: str,
    themes: Iterable[Theme],
    published_at: dt.datetime | None = None,
) -> NewsPost:
    post = NewsPost(title=title, body=body, author=author, published_at=published_at or timezone.now())
    post.full_clean()
    with transaction.atomic():
        post.save()
        post.themes.set(list(themes))
    return post


# --- producers ----------------------------------------------------------------------------------------


def _period(frequency: str, now: dt.datetime) -> str:
    local = timezone.localtime(now).date()
    if frequency == Subscription.Frequency.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.isoformat()


def digests_queue(*, frequency: str, now: dt.datetime | None = None) -> int:
    """Queue this period's digest of every active subscription with `frequency`; → how many were queued.

    A digest lists the calls published (and the calls changed, and the news) since the last one. A
    subscription with nothing new gets no message. A second run in the same period (day, ISO week) finds
    its key taken and leaves the subscription as it was, so nothing is skipped or sent twice.
    """
    now = now or timezone.now()
    period = _period(frequency, now)
    queued = 0
    subscriptions = Subscription.objects.filter(
        frequency=frequency, confirmed_at__isnull=False, unsubscribed_at__isnull=True
    ).prefetch_related("themes")
    for subscription in subscriptions:
        key = f"digest:{subscription.pk}:{period}"
        if OutboxMessage.objects.filter(idempotency_key=key).exists():
            continue
        since = subscription.last_digest_at or subscription.confirmed_at
        assert since is not None  # confirmed
        new = selectors.subscription_new_calls(subscription=subscription, since=since, until=now)
        changed = selectors.subscription_changed_calls(subscription=subscription, since=since, until=now)
        news = selectors.news_for_themes(themes=subscription.themes.all(), since=since, until=now)
        with transaction.atomic():
            if new or changed or news:
                queued += _email(
                    subscription, key, compose.digest(subscription, new=new, changed=changed, news=news)
                )
            Subscription.objects.filter(pk=subscription.pk).update(last_digest_at=now)
    return queued


def deadline_reminders_queue(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Queue a reminder of every saved call closing within `days` (one per saved call, ever)."""
    now = now or timezone.now()
    days = settings.WELFARELAB_ALERT_REMINDER_DAYS if days is None else days
    saved = (
        SavedCall.objects.filter(
            subscription__confirmed_at__isnull=False,
            subscription__unsubscribed_at__isnull=True,
            call__in=Call.objects.open(now),
            call__closes_at__lte=now + dt.timedelta(days=days),
        )
        .exclude(
            Exists(
                MutedCall.objects.filter(
                    subscription_id=OuterRef("subscription_id"), call_id=OuterRef("call_id")
                )
            )
        )
        .select_related("subscription", "call")
    )
    queued = 0
    for item in saved:
        queued += _email(
            item.subscription,
            f"reminder:{item.pk}",
            compose.reminder(item.subscription, item.call, days=days),
        )
    return queued


def telegram_alerts_queue(*, now: dt.datetime | None = None) -> int:
    """Queue, for every active chat, one message per new call of its themes and per news since the last
    run (keys `call:<call>:<chat>:telegram`, `news:<post>:<chat>:telegram`)."""
    now = now or timezone.now()
    queued = 0
    for chat in TelegramSubscriber.objects.filter(active=True).prefetch_related("themes"):
        themes = list(chat.themes.all())
        since = chat.last_alert_at or chat.created_at
        calls = (
            Call.objects.current(now)
            .filter(published_at__gt=since, published_at__lte=now, themes__in=themes)
            .distinct()
            .order_by("published_at", "pk")
        )
        with transaction.atomic():
            for call in calls:
                _row, created = outbox_enqueue(
                    channel=OutboxMessage.Channel.TELEGRAM,
                    recipient=str(chat.chat_id),
                    key=f"call:{call.pk}:{chat.chat_id}:telegram",
                    body=compose.telegram_call(call),
                )
                queued += created
            for post in selectors.news_for_themes(themes=themes, since=since, until=now):
                _row, created = outbox_enqueue(
                    channel=OutboxMessage.Channel.TELEGRAM,
                    recipient=str(chat.chat_id),
                    key=f"news:{post.pk}:{chat.chat_id}:telegram",
                    body=compose.telegram_news(post),
                )
                queued += created
            TelegramSubscriber.objects.filter(pk=chat.pk).update(last_alert_at=now)
    return queued
