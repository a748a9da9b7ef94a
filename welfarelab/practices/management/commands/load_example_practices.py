"""`welfarelab load-example-practices [--remove]`: load (or remove) the demo's example practices.

Four invented practices, published and marked as examples on every page (`welfarelab.practices.examples`).
Idempotent: run it again to bring them back to their bundled text. Needs the open data loaded first
(`welfarelab load-open-data`). Never run by `load-open-data`: the product invents no practices.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.practices.examples import ExamplesNotLoadable, examples_load, examples_remove


class Command(BaseCommand):
    help = "Load the example good practices of the demo (marked as examples), or remove them with --remove."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--remove", action="store_true", help="Delete the example practices.")

    def handle(self, *args: Any, remove: bool, **options: Any) -> None:
        if remove:
            self.stdout.write(self.style.SUCCESS(f"{examples_remove()} example practice(s) removed."))
            return
        try:
            created, updated = examples_load()
        except ExamplesNotLoadable as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Example practices: {created} created, {updated} updated. They are marked "
                "“Esempio” and say they are not real; remove them with --remove."
            )
        )
