"""`welfarelab send-digests [--frequency daily|weekly] [--now]`: queue the email digests (and the Telegram
alerts) in the outbox and deliver them. Cron: daily digests every morning, weekly ones on Monday. Running it
twice in a day (a week) sends nothing twice: each digest is keyed by subscription and period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from welfarelab.alerts.management.commands._queue import run_or_queue
from welfarelab.alerts.models import Subscription
from welfarelab.alerts.tasks import send_digests


class Command(BaseCommand):
    help = "Queue the digests of new calls and news (and the Telegram alerts), then deliver them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--frequency", choices=Subscription.Frequency.values, default="daily")
        parser.add_argument("--now", action="store_true", help="Run here instead of queueing for db_worker.")

    def handle(self, *args: Any, frequency: str, now: bool, **options: Any) -> None:
        run_or_queue(self, send_digests, now=now, what="Digests queued", frequency=frequency)
