"""Time the stored peer groups and the community profile of every comune of Italy.

    make data && .venv/bin/python benchmarks/community_profiles.py [--pages N]

Reads the development database (DATABASE_URL chooses another). Prints:

- `welfarelab compute-peers` for all comuni: reading the counts, computing, storing (best of three);
- the profile service (`benchmarking.profiles.territory_profile`) for each of the 7,899 comuni:
  median, 95th percentile and maximum, with the number of queries of one profile;
- the profile page served by Django's test client (template, charts' JSON and all) for N comuni drawn
  at random (default 300) after one warm-up request: median and 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from welfarelab.benchmarking.peers import peers_compute  # noqa: E402
from welfarelab.benchmarking.profiles import territory_profile  # noqa: E402
from welfarelab.practices.selectors import published_practices  # noqa: E402
from welfarelab.territories.models import Territory  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300, help="How many profile pages to request.")
    options = parser.parse_args()

    runs = [peers_compute(kind="comune") for _ in range(3)]
    best = min(runs, key=lambda r: r.seconds_read + r.seconds_compute + r.seconds_store)
    print(
        f"peers of {best.territories:,} comuni ({best.peers:,} pairs): read {best.seconds_read:.2f} s, "
        f"compute {best.seconds_compute:.2f} s, store {best.seconds_store:.2f} s "
        f"({connection.vendor}, best of 3)"
    )

    comuni = list(Territory.objects.filter(kind=Territory.Kind.COMUNE).order_by("code"))
    with CaptureQueriesContext(connection) as queries:
        territory_profile(comuni[0], practices_for=published_practices)
    times = []
    started = time.perf_counter()
    for comune in comuni:
        begun = time.perf_counter()
        territory_profile(comune, practices_for=published_practices)
        times.append((time.perf_counter() - begun) * 1000)
    total = time.perf_counter() - started
    print(
        f"profile service, all {len(comuni):,} comuni: {total:.1f} s; per comune median "
        f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms; "
        f"{len(queries)} queries each"
    )

    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host of the development settings
    client.get(f"/profili/comune/{comuni[0].code}/")  # warm-up: templates, translations, URL resolver
    chosen = random.Random(2023).sample(comuni, min(options.pages, len(comuni)))
    pages = []
    for comune in chosen:
        begun = time.perf_counter()
        response = client.get(f"/profili/comune/{comune.code}/")
        pages.append((time.perf_counter() - begun) * 1000)
        assert response.status_code == 200, (comune.code, response.status_code)
    print(
        f"profile page, {len(chosen)} comuni at random: median {statistics.median(pages):.1f} ms, "
        f"p95 {percentile(pages, 0.95):.1f} ms, max {max(pages):.1f} ms"
    )


if __name__ == "__main__":
    main()
