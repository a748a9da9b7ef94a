"""`welfarelab send-round-reminders [--now]`: remind the members of open rounds with missing values.

Run it once a day (cron, systemd timer). By default it queues the task for `welfarelab db_worker`;
with --now it runs the task in this process (no worker needed). Running it twice a day is harmless: a
member gets at most one reminder a day, and only on the days of WELFARELAB_ROUND_REMINDER_DAYS.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from welfarelab.rounds.tasks import send_round_reminders


class Command(BaseCommand):
    help = (
        "Remind the members of open data-collection rounds whose values are missing, on the days of "
        "WELFARELAB_ROUND_REMINDER_DAYS before the deadline. Queues the task for db_worker, or runs it "
        "here with --now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run the reminders in this process instead of queueing them."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            reminded = send_round_reminders.call()
            self.stdout.write(self.style.SUCCESS(f"{reminded} member(s) reminded."))
            return
        result = send_round_reminders.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs tasks at once
            self.stdout.write(
                self.style.SUCCESS(f"{result.return_value} member(s) reminded (task {result.id}).")
            )
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The reminders task {result.id} failed: {result.errors[-1].traceback}")
        else:
            self.stdout.write(f"Reminders queued (task {result.id}); `welfarelab db_worker` sends them.")
