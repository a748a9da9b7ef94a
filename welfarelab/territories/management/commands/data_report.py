"""`welfarelab data-report`: what the loaded open data holds and every mismatch found while loading."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from welfarelab.territories.reports import data_quality_report


class Command(BaseCommand):
    help = "Print the data-quality report of the bundled open data."

    def handle(self, *args: Any, **options: Any) -> None:
        report = data_quality_report()
        self.stdout.write("Loaded datasets")
        for load in report.loads:
            self.stdout.write(
                f"  {load.dataset:<15} {load.rows:>10,} rows  {load.seconds:>6.1f} s  {load.created_at:%Y-%m-%d %H:%M}"
            )
        self.stdout.write("Territories")
        for kind, count in report.territory_counts:
            self.stdout.write(f"  {kind:<15} {count:>10,}")
        for year, people in report.italy_population.items():
            self.stdout.write(f"  residents {year:<5} {people:>14,}")
        self.stdout.write(f"Issues ({len(report.issues)})")
        for issue in report.issues:
            residents = f" residents 2023: {issue.people_2023:,}" if issue.people_2023 is not None else ""
            self.stdout.write(
                f"  [{issue.dataset}] {issue.get_category_display()}: {issue.code} {issue.name}{residents}"
            )
            self.stdout.write(f"      {issue.resolution}")
