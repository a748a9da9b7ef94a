"""The alerts' commands, as cron runs them (the tests' task backend runs tasks at once)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.alerts.conftest import CallFactory
from welfarelab.alerts import services
from welfarelab.alerts.models import OutboxMessage, SavedCall

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def active_subscription(**kwargs):
    subscription = services.subscription_request(email="anna@example.org", themes=[], **kwargs)
    services.subscription_confirm(subscription=subscription, now=timezone.now() - dt.timedelta(days=1))
    return subscription


def test_send_digests_queues_and_delivers_the_daily_digest_once(smtp):
    active_subscription(filter_query="theme=ambiente", frequency="daily")
    CallFactory(title="Boschi", themes=["ambiente"])
    assert "Digests queued: 1" in run("send_digests", "--frequency", "daily")
    assert "Digests queued: 0" in run("send_digests", "--frequency", "daily")
    assert "Digests queued: 0" in run("send_digests", "--frequency", "weekly")
    assert run("deliver_outbox").startswith("0 sent, 0 to retry, 0 failed")  # send-digests delivered
    keys = [key.split(":")[0] for key in smtp.inbox.received_keys()]
    assert keys == ["confirm", "digest"]  # in the order they were queued
    [digest] = [m for m in smtp.inbox.received if str(m["X-Welfarelab-Message-Id"]).startswith("digest:")]
    assert "Boschi" in digest.get_content()


def test_send_deadline_reminders_reminds_a_saved_call_once(smtp, settings):
    settings.WELFARELAB_ALERT_REMINDER_DAYS = 3
    subscription = active_subscription(filter_query="theme=ambiente")
    call = CallFactory(themes=["ambiente"], closes_at=timezone.now() + dt.timedelta(days=2))
    SavedCall.objects.create(subscription=subscription, call=call)
    assert "Reminders queued: 1" in run("send_deadline_reminders", "--now")
    assert "Reminders queued: 0" in run("send_deadline_reminders")
    assert OutboxMessage.objects.get(idempotency_key__startswith="reminder:").status == "sent"
