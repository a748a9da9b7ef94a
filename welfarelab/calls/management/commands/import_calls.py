"""`welfarelab import-calls [--source pnrr|feeds|FILE] [--feed KEY] [--name NAME] [--now]`: import calls.

- `--source pnrr`: the bundled Italia Domani table of PNRR calls (data/italia_domani/);
- `--source feeds` (the default): every active feed of calls (admin: "Feeds of calls");
- `--source FILE`: a CSV or XLSX file in the generic layout of docs/calls.md, as the source `--name`
  (default: the file's name without extension); with `--feed KEY`, FILE (a path or an address) is read
  as that feed instead.

pnrr and feeds are queued for `welfarelab db_worker` (run the command daily from cron); `--now` runs them
here. A FILE is always imported here. Every run is logged (admin "Import runs", page /bandi/importazioni/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tasks import TaskResultStatus

from welfarelab.calls.models import FeedSource, ImportRun
from welfarelab.calls.services import feed_import, table_import
from welfarelab.calls.tasks import FEEDS, PNRR, import_calls


class Command(BaseCommand):
    help = "Import funding calls: the PNRR table, the feeds, or a CSV/XLSX file or feed given as --source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", default=FEEDS, help="pnrr, feeds (default) or the path of a file.")
        parser.add_argument(
            "--feed", help="Read --source (a file path or an address) as the feed with this key."
        )
        parser.add_argument(
            "--name", help="Name of the source of a CSV/XLSX file (default: the file's name)."
        )
        parser.add_argument(
            "--now", action="store_true", help="Run pnrr or feeds here instead of queueing them."
        )

    def handle(
        self, *args: Any, source: str, feed: str | None, name: str | None, now: bool, **options: Any
    ) -> None:
        if feed:
            try:
                feed_source = FeedSource.objects.get(key=feed)
            except FeedSource.DoesNotExist:
                raise CommandError(f"No feed with key {feed!r} (admin: Feeds of calls).") from None
            self._report([feed_import(feed=feed_source, location=source)])
            return
        if source not in (PNRR, FEEDS):
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"{source}: no such file (or use --source pnrr or --source feeds).")
            self._report([table_import(path=path, source_name=name or path.stem)])
            return
        if now:
            self._report(list(ImportRun.objects.filter(pk__in=import_calls.call(source))))
            return
        result = import_calls.enqueue(source)
        if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs tasks at once
            self._report(list(ImportRun.objects.filter(pk__in=result.return_value)))
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(f"The import task {result.id} failed: {result.errors[-1].traceback}")
        else:
            self.stdout.write(
                f"Import of {source} queued (task {result.id}); `welfarelab db_worker` runs it."
            )

    def _report(self, runs: list[ImportRun]) -> None:
        if not runs:
            self.stdout.write("Nothing to import (no active feed).")
        failed = False
        for run in sorted(runs, key=lambda r: r.pk):
            line = (
                f"{run.source_name}: {run.added} added, {run.changed} changed, {run.unchanged} unchanged, "
                f"{run.flagged} flagged as missing, {run.skipped} skipped"
            )
            if run.state == ImportRun.State.FAILED:
                failed = True
                self.stderr.write(f"{run.source_name}: failed, nothing changed")
            else:
                self.stdout.write(self.style.SUCCESS(line))
            for message in run.messages:
                where = f"{message['where']}: " if message.get("where") else ""
                self.stderr.write(f"  {where}{message['reason']}")
        if failed:
            raise CommandError("At least one source could not be read (see above).")
