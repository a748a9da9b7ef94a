"""`welfarelab compute-indicators`: load the catalogue and compute every built-in indicator again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from welfarelab.indicators.open_data import open_data_indicators_compute


class Command(BaseCommand):
    help = "Compute the built-in indicators (demography, IRPEF income, Third Sector) for every territory."

    def handle(self, *args: Any, **options: Any) -> None:
        for result in open_data_indicators_compute(data_dir=settings.WELFARELAB_DATA_DIR):
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.source}: {result.indicators} indicators, {result.rows:,} values in {result.seconds:.1f} s"
                )
            )
