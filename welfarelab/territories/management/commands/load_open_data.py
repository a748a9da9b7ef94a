"""`welfarelab load-open-data [--force]`: load the bundled open data; skipped when already loaded."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from welfarelab.benchmarking.peers import peers_load
from welfarelab.calls.loaders import calls_load
from welfarelab.helpdesk.seed import knowledge_base_load
from welfarelab.indicators.open_data import open_data_indicators_load
from welfarelab.organisations.loaders import organisations_load
from welfarelab.services.catalogue import services_catalogue_step
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
        # Peers are read from the indicators: again whenever they were recomputed.
        results.append(peers_load(force=force or not results[-1].skipped))
        # The service catalogue and supply indicators (their denominators are the population above).
        results.append(services_catalogue_step(force=force or reloaded))
        results.append(knowledge_base_load(force=force))  # the help desk's FAQ, independent of the rest
        results.append(calls_load(data_dir=data_dir, force=force))  # the PNRR calls (Italia Domani)
        for result in results:
            if result.skipped:
                self.stdout.write(f"{result.dataset}: already loaded ({result.rows:,} rows), skipped")
            else:
                self.stdout.write(
                    self.style.SUCCESS(f"{result.dataset}: {result.rows:,} rows in {result.seconds:.1f} s")
                )
