"""`welfarelab seed-knowledge-base [--file FAQ.yaml] [--editorial EDITORIAL.yaml]`: seed the help desk's articles.

Idempotent: articles are matched by code (ts-001…); those an operator changed on the platform are left
as they are (see `welfarelab.helpdesk.seed`). Prints what it did, the references it could not read
(kept as plain labels) and those it read but cannot link to Normattiva (acts without a number).
`welfarelab load-open-data` runs it too, whenever the bundled seed files change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.helpdesk.seed import EDITORIAL_FILE, SEED_FILE, SeedError, knowledge_base_seed


class Command(BaseCommand):
    help = (
        "Create or update the knowledge base of the Third Sector help desk from the bundled FAQ "
        "(articles changed on the platform are kept as they are)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=SEED_FILE, help="The FAQ file (default: the bundled one)."
        )
        parser.add_argument(
            "--editorial", type=Path, default=EDITORIAL_FILE, help="Titles, ETS types and tags by id."
        )

    def handle(self, *args: Any, file: Path, editorial: Path, **options: Any) -> None:
        try:
            report = knowledge_base_seed(seed_file=file, editorial_file=editorial)
        except SeedError as error:
            raise CommandError(f"Nothing was seeded: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.articles} articles: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.kept)} kept as changed on the platform."
            )
        )
        self.stdout.write(
            f"{len(report.flagged)} seeded as to be reviewed: {', '.join(report.flagged) or '–'}"
        )
        if report.kept_seed_changed:
            self.stdout.write(
                self.style.WARNING(
                    "Changed on the platform, and changed in the seed since: merge by hand: "
                    + ", ".join(report.kept_seed_changed)
                )
            )
        if report.unrecognised:
            self.stdout.write(
                self.style.WARNING("References kept as plain labels (not read as an act, no link):")
            )
            for code, label in report.unrecognised:
                self.stdout.write(f"  {code}: {label}")
        if report.unlinked:
            self.stdout.write("References read, without a Normattiva link (acts without a number):")
            for code, label in report.unlinked:
                self.stdout.write(f"  {code}: {label}")
