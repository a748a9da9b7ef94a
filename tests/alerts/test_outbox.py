"""The outbox against a real SMTP server on the loopback: delivered once; retried with backoff while the
server is down and delivered once when it is back; failed after the last attempt, shown to the
coordinator, tried again on request; leases; Telegram through the Bot API stub."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from welfarelab.alerts import outbox, services
from welfarelab.alerts.models import OutboxMessage

pytestmark = pytest.mark.django_db


def queue(key: str, recipient: str = "anna@example.org") -> OutboxMessage:
    row, _created = services.outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=recipient,
        key=key,
        subject=f"Oggetto {key}",
        body="Testo.",
    )
    return row


def test_a_message_is_delivered_once_however_often_it_is_queued_and_delivered(smtp):
    first = queue("digest:1:2026-06-01")
    again, created = services.outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient="x@example.org",
        key="digest:1:2026-06-01",
        body="Altro.",
    )
    assert (again.pk, created) == (first.pk, False)

    assert outbox.deliver_due() == outbox.Delivery(sent=1)
    assert outbox.deliver_due() == outbox.Delivery()

    [message] = smtp.inbox.wait_for(1)
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Oggetto digest:1:2026-06-01"
    assert message["X-Welfarelab-Message-Id"] == "digest:1:2026-06-01"
    assert message["Message-ID"] == outbox.message_id("digest:1:2026-06-01")
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts, row.locked_by, row.last_error) == ("sent", 1, "", "")
    assert smtp.inbox.received_keys() == ["digest:1:2026-06-01"]


def test_while_the_server_is_down_the_message_waits_1_2_4_minutes_then_goes_once(smtp):
    smtp.stop()
    queue("call:7:anna:email")
    start = timezone.now()

    waits = []
    for attempt in range(1, 4):
        now = start + dt.timedelta(minutes=sum(waits))
        assert outbox.deliver_due(now=now) == outbox.Delivery(retrying=1)
        row = OutboxMessage.objects.get()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert "Connection refused" in row.last_error or "Errno" in row.last_error
        waits.append((row.next_attempt_at - now) / dt.timedelta(minutes=1))
        # before its time, nobody takes it
        assert outbox.deliver_due(now=row.next_attempt_at - dt.timedelta(seconds=1)) == outbox.Delivery()
    assert waits == [1, 2, 4]

    smtp.start()
    assert outbox.deliver_due(now=start + dt.timedelta(minutes=7)) == outbox.Delivery(sent=1)
    assert outbox.deliver_due(now=start + dt.timedelta(days=2)) == outbox.Delivery()
    assert smtp.inbox.received_keys() == ["call:7:anna:email"]
    assert OutboxMessage.objects.get().status == "sent"


def test_after_the_last_attempt_it_fails_the_coordinator_sees_it_and_retries_it(smtp, settings, client):
    settings.WELFARELAB_OUTBOX_MAX_ATTEMPTS = 2
    smtp.stop()
    row = queue("reminder:3")
    now = timezone.now()
    outbox.deliver_due(now=now)
    assert outbox.deliver_due(now=now + dt.timedelta(minutes=1)) == outbox.Delivery(failed=1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert outbox.deliver_due(now=now + dt.timedelta(days=3)) == outbox.Delivery()  # failed rows wait

    client.force_login(UserFactory(is_lab_coordinator=True))
    page = client.get(reverse("alerts:deliveries"))
    assert page.status_code == 200
    assert page.context["counts"] == {"pending": 0, "sending": 0, "sent": 0, "failed": 1}
    assert "reminder:3" in page.content.decode()
    assert "Connection refused" in page.content.decode() or "Errno" in page.content.decode()

    smtp.start()
    with pytest.MonkeyPatch.context():
        response = client.post(reverse("alerts:delivery-retry", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)
    assert outbox.deliver_due() == outbox.Delivery(sent=1)
    assert smtp.inbox.received_keys() == ["reminder:3"]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_deliveries_page_is_for_coordinators_only(client, who):
    row = queue("k")
    if who == "member":
        client.force_login(UserFactory())
    page = client.get(reverse("alerts:deliveries"))
    retry = client.post(reverse("alerts:delivery-retry", args=[row.pk]))
    if who == "anonymous":
        assert page.status_code == retry.status_code == 302  # to the sign-in page
    else:
        assert page.status_code == retry.status_code == 403
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 0)


def test_a_claimed_message_is_not_taken_by_another_worker_until_its_lease_runs_out(smtp):
    queue("a")
    queue("b")
    now = timezone.now()
    lease = dt.timedelta(minutes=5)
    taken = outbox.claim(worker="w1", now=now, batch=10, lease=lease)
    assert sorted(row.idempotency_key for row in taken) == ["a", "b"]
    assert outbox.claim(worker="w2", now=now + dt.timedelta(minutes=4), batch=10, lease=lease) == []

    # w1 died: after the lease, w2 takes both and delivers them
    retaken = outbox.claim(worker="w2", now=now + dt.timedelta(minutes=6), batch=10, lease=lease)
    assert {row.locked_by for row in retaken} == {"w2"}
    for row in retaken:
        assert outbox.deliver_one(row, worker="w2") == "sent"
    # w1 waking up late cannot record anything over w2's result
    outbox._record(taken[0], "w1", status="pending")
    assert sorted(OutboxMessage.objects.values_list("status", "attempts")) == [("sent", 2), ("sent", 2)]
    assert sorted(smtp.inbox.received_keys()) == ["a", "b"]


def test_a_telegram_message_goes_through_the_bot_api_and_waits_while_it_is_down(telegram):
    services.outbox_enqueue(
        channel=OutboxMessage.Channel.TELEGRAM, recipient="4242", key="news:1:4242:telegram", body="Notizia"
    )
    telegram.down = True
    now = timezone.now()
    assert outbox.deliver_due(now=now) == outbox.Delivery(retrying=1)
    assert "502" in OutboxMessage.objects.get().last_error
    telegram.down = False
    assert outbox.deliver_due(now=now + dt.timedelta(minutes=1)) == outbox.Delivery(sent=1)
    assert outbox.deliver_due(now=now + dt.timedelta(days=1)) == outbox.Delivery()
    assert telegram.texts(4242) == ["Notizia"]


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_the_same_time_never_share_a_message(smtp):
    """Four workers (threads, each with its own database connection) claim batches at once: every message
    is taken by exactly one (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED; SQLite: one writer at a time)."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is not shared safely between threads")
    for n in range(40):
        queue(f"k{n}")
    taken: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        from django.db import connections

        barrier.wait()
        mine: list[str] = []
        while rows := outbox.claim(worker=name, now=timezone.now(), batch=3, lease=dt.timedelta(minutes=5)):
            mine += [row.idempotency_key for row in rows]
        taken[name] = mine
        connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = [key for mine in taken.values() for key in mine]
    assert sorted(keys) == sorted(f"k{n}" for n in range(40))  # all taken, none twice
    assert len(taken) == 4
