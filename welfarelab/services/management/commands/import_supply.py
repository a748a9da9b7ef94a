"""`welfarelab import-supply FILE [--user EMAIL]`: load supply declarations from a CSV or XLSX file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.accounts.models import User
from welfarelab.core.importing import ImportRejected, check_size
from welfarelab.services.importing import declarations_import


class Command(BaseCommand):
    help = (
        "Load supply declarations from a CSV or XLSX file (docs/services.md). With --user, only the "
        "territories that user may write; without it, any comune or ambito (the platform's operator)."
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
            check_size(file.stat().st_size)
            loaded, parsed = declarations_import(content=file.read_bytes(), filename=file.name, user=importer)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{file.name} was rejected: {rejected}") from None
        self.stdout.write(
            self.style.SUCCESS(f"{file.name}: {loaded.rows} declaration(s) loaded (import {loaded.pk}).")
        )
        if parsed.left_out:
            self.stdout.write(f"{parsed.left_out} row(s) with nothing but their keys were left out.")
