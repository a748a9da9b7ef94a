"""`welfarelab send-deadline-reminders [--now]`: daily, remind subscribers of the calls they saved that
close within WELFARELAB_ALERT_REMINDER_DAYS days (once per saved call)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from welfarelab.alerts.management.commands._queue import run_or_queue
from welfarelab.alerts.tasks import send_deadline_reminders


class Command(BaseCommand):
    help = "Queue and deliver the reminders of saved calls close to their deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing for db_worker.")

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        run_or_queue(self, send_deadline_reminders, now=now, what="Reminders queued")
