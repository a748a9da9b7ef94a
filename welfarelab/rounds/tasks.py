"""Background work of the rounds (django-tasks): the reminders to members with missing values.

Tasks take ids, never model instances, and are safe to run twice (see `round_reminders_send`).
`welfarelab send-round-reminders`, run daily by cron or a systemd timer, enqueues the scheduled run;
`welfarelab db_worker` runs what is queued.
"""

from __future__ import annotations

from django_tasks import task

from welfarelab.rounds.services import round_reminders_send


@task()
def send_round_reminders(round_id: int | None = None, manual: bool = False) -> int:
    """Remind the members with missing values (every open round on its schedule, or one round now);
    return how many members were reminded."""
    return round_reminders_send(round_id=round_id, manual=manual)
