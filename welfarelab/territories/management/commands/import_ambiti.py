"""`welfarelab import-ambiti FILE`: import Ambiti Territoriali Sociali and their comuni from a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.core.importing import ImportRejected
from welfarelab.territories.services import ambiti_import


class Command(BaseCommand):
    help = "Import ambiti (ATS) from a CSV: codice_ambito,nome_ambito,codice_regione,codice_comune."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            result = ambiti_import(content=file.read_bytes(), filename=file.name, imported_by=None)
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{file.name} was rejected: {rejected}") from None
        self.stdout.write(
            self.style.SUCCESS(f"{file.name}: {result.ambiti} ambiti, {result.comuni} comuni imported.")
        )
