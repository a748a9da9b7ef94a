"""Shared by the alerts' commands: run a task here (--now) or queue it for `welfarelab db_worker`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus


def run_or_queue(command: BaseCommand, task: Any, *, now: bool, what: str, **kwargs: Any) -> None:
    if now:
        command.stdout.write(command.style.SUCCESS(f"{what}: {task.call(**kwargs)}"))
        return
    result = task.enqueue(**kwargs)
    if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs tasks at once
        command.stdout.write(command.style.SUCCESS(f"{what}: {result.return_value} (task {result.id})"))
    elif result.status == TaskResultStatus.FAILED:
        raise CommandError(f"The task {result.id} failed: {result.errors[-1].traceback}")
    else:
        command.stdout.write(f"Queued (task {result.id}); `welfarelab db_worker` runs it.")
