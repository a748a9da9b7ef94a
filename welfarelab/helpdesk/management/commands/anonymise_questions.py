"""`welfarelab anonymise-questions [--dry-run] [--now]`: anonymise the closed questions whose retention
period (WELFARELAB_QUESTION_RETENTION_DAYS after closing) is over.

Run it once a day (cron, systemd timer). By default it queues the task for `welfarelab db_worker`; with
--now it runs the task in this process; with --dry-run it only lists the questions it would anonymise.
Running it twice is harmless: an anonymised question is skipped.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from welfarelab.helpdesk.question_services import questions_to_anonymise
from welfarelab.helpdesk.tasks import anonymise_questions


class Command(BaseCommand):
    help = (
        "Anonymise the help desk's closed questions older than WELFARELAB_QUESTION_RETENTION_DAYS: text "
        "scrubbed, asker's email and name removed, attachment deleted. Queues the task for db_worker, runs "
        "it here with --now, or only lists the questions with --dry-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the questions that would be anonymised; change nothing.",
        )
        parser.add_argument(
            "--now", action="store_true", help="Run in this process instead of queueing the task."
        )

    def handle(self, *args: Any, dry_run: bool, now: bool, **options: Any) -> None:
        days = settings.WELFARELAB_QUESTION_RETENTION_DAYS
        if dry_run:
            due = list(questions_to_anonymise().values_list("reference", "closed_at"))
            for reference, closed_at in due:
                self.stdout.write(f"{reference}  closed on {closed_at:%Y-%m-%d}")
            self.stdout.write(
                f"{len(due)} question(s) closed more than {days} days ago would be anonymised (dry run: nothing changed)."
            )
            return
        if now:
            self._report(anonymise_questions.call(), days)
            return
        result = anonymise_questions.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs tasks at once
            self._report(result.return_value or [], days)
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The anonymisation task {result.id} failed: {result.errors[-1].traceback}")
        else:
            self.stdout.write(f"Anonymisation queued (task {result.id}); `welfarelab db_worker` runs it.")

    def _report(self, references: list[str], days: int) -> None:
        for reference in references:
            self.stdout.write(reference)
        self.stdout.write(
            self.style.SUCCESS(f"{len(references)} question(s) closed more than {days} days ago anonymised.")
        )
