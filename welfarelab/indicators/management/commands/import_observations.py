"""`welfarelab import-observations FILE [--user EMAIL]`: load indicator values from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.accounts.models import User
from welfarelab.core.importing import ImportRejected, check_size
from welfarelab.indicators.importing import observations_import


class Command(BaseCommand):
    help = (
        "Load observations from a CSV or XLSX file (docs/imports.md). With --user, only the territories that "
        "user may write; without it, any territory (the platform's operator)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", metavar="EMAIL", help="Load as this user, with their rights.")

    def handle(self, *args: Any, file: Path, user: str | None, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        importer = None
        if user:
            importer = User.objects.filter(email__iexact=user).first()
            if importer is None:
                raise CommandError(f"No user with email {user!r}.")
        try:
            check_size(file.stat().st_size)  # a huge file is refused without reading it
            batch = observations_import(content=file.read_bytes(), filename=file.name, user=importer)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{file.name} was rejected: {rejected}") from None
        indicators = batch.observations.values("indicator").distinct().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name}: {batch.rows} values of {indicators} indicator(s) loaded (batch {batch.pk})."
            )
        )
        if batch.note:
            self.stdout.write(batch.note)
