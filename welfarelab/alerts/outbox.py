"""Delivery of the outbox: claim due messages under a lease, send them, record what happened.

- **Claim.** A worker takes up to `batch` due rows — waiting ones whose `next_attempt_at` has come, and
  rows "being sent" whose lease (`locked_until`) has run out because their worker died — by one UPDATE
  that repeats the due condition, so two workers never hold the same row. On PostgreSQL the candidates are
  read with `SELECT … FOR UPDATE SKIP LOCKED`, so workers do not wait for each other.
- **Send.** Email through Django's mail backend (SMTP in production) with the idempotency key in the
  `X-Welfarelab-Message-Id` header and a Message-ID derived from it; Telegram by a POST to `sendMessage`
  of WELFARELAB_TELEGRAM_API_BASE.
- **Record.** Sent → `sent`. A temporary failure (server down, timeout, Telegram 5xx/429) → waiting again
  after 1, 2, 4, 8 … minutes (at most a day), `failed` after WELFARELAB_OUTBOX_MAX_ATTEMPTS attempts; a
  permanent one (an address or chat refused) → `failed` at once. Failed rows wait for the coordinator's
  "retry" (/avvisi/consegne/).

A message is handed to the server at most once per successful attempt; the only window for a duplicate is
a worker dying after the server accepted a message and before the row was marked (docs/alerts.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from welfarelab.alerts.models import OutboxMessage, TelegramSubscriber

logger = logging.getLogger(__name__)

MESSAGE_ID_HEADER = "X-Welfarelab-Message-Id"
MAX_BACKOFF = dt.timedelta(days=1)
TELEGRAM_TIMEOUT = 10.0


class DeliveryError(Exception):
    """The message could not leave now; try again later."""


class PermanentDeliveryError(DeliveryError):
    """The message will never leave as it is (address or chat refused): do not try again."""


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after `attempts` attempts: 1, 2, 4, 8 … minutes, at most a day."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now: dt.datetime) -> Q:
    return Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, locked_until__lt=now
    )


def claim(*, worker: str, now: dt.datetime, batch: int, lease: dt.timedelta) -> list[OutboxMessage]:
    """Take up to `batch` due messages for `worker` until `now + lease`; → the rows taken."""
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
            status=OutboxMessage.Status.SENDING,
            locked_by=worker,
            locked_until=now + lease,
            attempts=F("attempts") + 1,
        )
    taken = OutboxMessage.objects.filter(pk__in=ids, locked_by=worker, status=OutboxMessage.Status.SENDING)
    return list(taken.order_by("next_attempt_at", "pk"))  # oldest first, as they were queued


def message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@welfarelab>"


def send_email(message: OutboxMessage) -> None:
    headers = {
        **message.headers,
        MESSAGE_ID_HEADER: message.idempotency_key,
        "Message-ID": message_id(message.idempotency_key),
    }
    email = EmailMessage(subject=message.subject, body=message.body, to=[message.recipient], headers=headers)
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentDeliveryError(f"The server refused the address: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error


def telegram_url(method: str) -> str:
    return f"{settings.WELFARELAB_TELEGRAM_API_BASE}{settings.WELFARELAB_TELEGRAM_TOKEN}/{method}"


def send_telegram(message: OutboxMessage) -> None:
    if not settings.WELFARELAB_TELEGRAM_TOKEN:
        raise DeliveryError("WELFARELAB_TELEGRAM_TOKEN is empty: the Telegram channel is off.")
    try:
        response = httpx.post(
            telegram_url("sendMessage"),
            json={
                "chat_id": int(message.recipient),
                "text": message.body,
                "link_preview_options": {"is_disabled": True},
            },
            timeout=TELEGRAM_TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    if response.status_code == 200:
        return
    description = response.text[:500]
    if response.status_code in (400, 403):  # chat not found, bot blocked by the user
        TelegramSubscriber.objects.filter(chat_id=int(message.recipient)).update(active=False)
        raise PermanentDeliveryError(f"Telegram {response.status_code}: {description}")
    raise DeliveryError(f"Telegram {response.status_code}: {description}")


SENDERS = {OutboxMessage.Channel.EMAIL: send_email, OutboxMessage.Channel.TELEGRAM: send_telegram}


def _record(message: OutboxMessage, worker: str, **fields: object) -> None:
    OutboxMessage.objects.filter(pk=message.pk, locked_by=worker).update(
        locked_by="", locked_until=None, **fields
    )


def deliver_one(message: OutboxMessage, *, worker: str, now: dt.datetime | None = None) -> str:
    """Send one claimed message and record the outcome; → its new status."""
    try:
        SENDERS[OutboxMessage.Channel(message.channel)](message)
    except DeliveryError as error:
        now = now or timezone.now()
        permanent = isinstance(error, PermanentDeliveryError)
        if permanent or message.attempts >= settings.WELFARELAB_OUTBOX_MAX_ATTEMPTS:
            status = OutboxMessage.Status.FAILED
        else:
            status = OutboxMessage.Status.PENDING
        _record(
            message,
            worker,
            status=status,
            last_error=str(error)[:2000],
            next_attempt_at=now + backoff(message.attempts),
        )
        logger.warning(
            "outbox message not delivered",
            extra={"key": message.idempotency_key, "attempts": message.attempts, "status": status},
        )
        return status
    _record(message, worker, status=OutboxMessage.Status.SENT, sent_at=now or timezone.now(), last_error="")
    return OutboxMessage.Status.SENT


def deliver_due(
    *,
    worker: str | None = None,
    batch: int | None = None,
    now: dt.datetime | None = None,
    max_batches: int = 1000,
) -> Delivery:
    """Deliver every message due at `now` (default: the clock), a batch at a time; → the counts."""
    worker = worker or worker_name()
    batch = batch or settings.WELFARELAB_OUTBOX_BATCH
    lease = dt.timedelta(seconds=settings.WELFARELAB_OUTBOX_LEASE_SECONDS)
    counts: dict[str, int] = {
        OutboxMessage.Status.SENT: 0,
        OutboxMessage.Status.PENDING: 0,
        OutboxMessage.Status.FAILED: 0,
    }
    for _ in range(max_batches):
        claimed = claim(worker=worker, now=now or timezone.now(), batch=batch, lease=lease)
        if not claimed:
            break
        for message in claimed:
            counts[deliver_one(message, worker=worker, now=now)] += 1
    return Delivery(
        sent=counts[OutboxMessage.Status.SENT],
        retrying=counts[OutboxMessage.Status.PENDING],
        failed=counts[OutboxMessage.Status.FAILED],
    )
