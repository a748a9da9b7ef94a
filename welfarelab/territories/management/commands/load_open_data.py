"""`welfarelab load-open-data [--force]`: load the bundled open data; skipped when already loaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from welfarelab.helpdesk.seed import knowledge_base_load
from welfarelab.indicators.open_data import open_data_indicators_load
from welfarelab.organisations.loaders import organisations_load
from welfarelab.territories.loaders import open_data_load


class Command(BaseCommand):
    help = (
        "Load territories, population and organisations from the bundled open data (data/), "
        "then compute the built-in indicators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Load again even if already loaded.")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        data_dir = settings.WELFARELAB_DATA_DIR
        results = open_data_load(data_dir=data_dir, force=force)
        results.append(organisations_load(data_dir=data_dir, force=force))
        # The indicators are computed from all of the above: again whenever any of it was reloaded.
        reloaded = any(not result.skipped for result in results)
        results.append(open_data_indicators_load(data_dir=data_dir, force=force or reloaded))
        results.append(knowledge_base_load(force=force))  # the help desk's FAQ, independent of the rest
        for result in results:
            if result.skipped:
                self.stdout.write(f"{result.dataset}: already loaded ({result.rows:,} rows), skipped")
            else:
                self.stdout.write(
                    self.style.SUCCESS(f"{result.dataset}: {result.rows:,} rows in {result.seconds:.1f} s")
                )
