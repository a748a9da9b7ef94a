"""Background work of the alerts (django-tasks). Tasks take no model instances and are safe to run twice:
the producers key every message (the outbox refuses a key twice) and delivery claims rows under a lease.

`welfarelab send-digests`, `send-deadline-reminders` (cron, systemd timers) queue these tasks for
`welfarelab db_worker`; `welfarelab deliver-outbox` delivers in its own process.
"""

from __future__ import annotations

from django_tasks import task

from welfarelab.alerts import outbox, services


@task()
def deliver_outbox() -> dict[str, int]:
    """Deliver every due message of the outbox; → how many were sent, will be retried, failed."""
    delivery = outbox.deliver_due()
    return {"sent": delivery.sent, "retrying": delivery.retrying, "failed": delivery.failed}


@task()
def send_digests(frequency: str) -> int:
    """Queue the digests of `frequency` and the Telegram alerts, then deliver; → digests queued."""
    queued = services.digests_queue(frequency=frequency)
    services.telegram_alerts_queue()
    outbox.deliver_due()
    return queued


@task()
def send_deadline_reminders() -> int:
    """Queue the reminders of saved calls near their deadline, then deliver; → reminders queued."""
    queued = services.deadline_reminders_queue()
    outbox.deliver_due()
    return queued
