"""`welfarelab deliver-outbox [--loop SECONDS]`: deliver the due messages of the outbox in this process.

Once (cron every minute), or with --loop in a loop that sleeps between rounds (a systemd service). Safe
with several workers at once, and after a worker was killed: its messages are taken again when their
lease (WELFARELAB_OUTBOX_LEASE_SECONDS) runs out."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from welfarelab.alerts import outbox


class Command(BaseCommand):
    help = "Deliver the due messages of the alerts' outbox (email, Telegram)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, default=0, help="Keep going, sleeping this many seconds.")
        parser.add_argument("--batch", type=int, default=None, help="Messages claimed at a time.")

    def handle(self, *args: Any, loop: float, batch: int | None, **options: Any) -> None:
        worker = outbox.worker_name()
        while True:
            delivery = outbox.deliver_due(worker=worker, batch=batch)
            self.stdout.write(
                f"{delivery.sent} sent, {delivery.retrying} to retry, {delivery.failed} failed ({worker})."
            )
            if not loop:
                return
            time.sleep(loop)
