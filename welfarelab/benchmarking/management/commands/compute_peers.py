"""`welfarelab compute-peers [--kind comune|ambito]`: recompute and store the peer groups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from welfarelab.benchmarking.models import PeerModel
from welfarelab.benchmarking.peers import peers_compute


class Command(BaseCommand):
    help = "Compute the nearest peers of every comune and ambito with the coordinator's peer model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=PeerModel.Kind.values, help="Only comuni or only ambiti.")

    def handle(self, *args: Any, kind: str | None, **options: Any) -> None:
        for chosen in [kind] if kind else PeerModel.Kind.values:
            result = peers_compute(kind=chosen)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{chosen}: {result.territories:,} territories, {result.peers:,} peers "
                    f"(read {result.seconds_read:.2f} s, compute {result.seconds_compute:.2f} s, "
                    f"store {result.seconds_store:.2f} s)"
                )
            )
