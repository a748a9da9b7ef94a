"""Time the import of a 100,000-row file of observations: checking it, then storing it.

    .venv/bin/python benchmarks/import_observations.py                  # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/import_observations.py

On a fresh database with the 7,899 comuni of the bundled registry, a CSV is built in memory: one
proportion for every comune and 13 years (numerator, denominator and the value rounded to one decimal,
so the agreement check runs on every row), cut at 100,000 rows. Printed: the seconds to read and check
it (`observations_parse`), the same for the rows as XLSX (openpyxl's reading is most of it), and to
import the CSV whole (check, write, compute the intervals, sum the comuni
into ambiti, province, regioni and Italy), then the same file again (every cell replaced).
On PostgreSQL the named database is dropped and created again: never point it at real data.
"""

from __future__ import annotations

import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")

ROWS = 100_000
PERIODS = range(2012, 2025)


def build_csv(comune_codes: list[str], *, code: str) -> bytes:
    generator = random.Random(2024)  # the same file on every run
    out = io.StringIO()
    out.write("codice_indicatore,tipo_territorio,codice_territorio,periodo,valore,numeratore,denominatore\n")
    written = 0
    for period in PERIODS:
        for comune in comune_codes:
            if written == ROWS:
                return out.getvalue().encode()
            denominator = generator.randint(50, 50_000)
            numerator = generator.randint(0, denominator)
            out.write(
                f"{code},comune,{comune},{period},{numerator / denominator * 100:.1f},{numerator},{denominator}\n"
            )
            written += 1
    return out.getvalue().encode()


def as_xlsx(content: bytes) -> bytes:
    """The same rows in a workbook, numbers as numbers, as a spreadsheet would save them."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("dati")
    lines = content.decode().splitlines()
    sheet.append(lines[0].split(","))
    for line in lines[1:]:
        code, kind, territory, period, value, numerator, denominator = line.split(",")
        sheet.append([code, kind, territory, int(period), float(value), int(numerator), int(denominator)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    from load_open_data import _recreate_postgres_database  # the sibling benchmark

    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from welfarelab.indicators.importers import observations_parse
    from welfarelab.indicators.importing import observations_import
    from welfarelab.indicators.models import Indicator, Observation
    from welfarelab.territories.loaders import territories_load
    from welfarelab.territories.models import Territory

    call_command("migrate", verbosity=0)
    territories_load(data_dir=settings.WELFARELAB_DATA_DIR)
    indicator = Indicator.objects.create(
        code="bench_share",
        name_it="Quota di prova",
        definition_it="Per il benchmark.",
        statistic=Indicator.Statistic.PROPORTION,
        multiplier=100,
        decimals=1,
        polarity="higher_is_better",
        source="benchmark",
        licence="CC0",
        period_type=Indicator.PeriodType.CALENDAR_YEAR,
    )
    comuni = list(
        Territory.objects.filter(kind=Territory.Kind.COMUNE).order_by("code").values_list("code", flat=True)
    )
    content = build_csv(comuni, code=indicator.code)
    print(f"database: {connection.vendor}; cores: {os.cpu_count()}")
    rows = content.count(b"\n") - 1
    print(f"file: {rows:,} rows, {len(content) / 1024 / 1024:.1f} MB, {len(comuni):,} comuni")

    started = time.perf_counter()
    parsed = observations_parse(content, filename="bench.csv", writable=None)
    print(f"{'check only (parse)':<34} {time.perf_counter() - started:7.2f} s  ({parsed.rows:,} rows)")
    workbook = as_xlsx(content)
    started = time.perf_counter()
    observations_parse(workbook, filename="bench.xlsx", writable=None)
    print(
        f"{'check only, as XLSX (parse)':<34} {time.perf_counter() - started:7.2f} s  ({len(workbook) / 1024 / 1024:.1f} MB)"
    )
    for label in ("import (check + store + sums)", "import again (replace every cell)"):
        started = time.perf_counter()
        batch = observations_import(content=content, filename="bench.csv", user=None)
        print(f"{label:<34} {time.perf_counter() - started:7.2f} s  ({batch.rows:,} rows)")
    print(f"observations in the table: {Observation.objects.count():,}")


if __name__ == "__main__":
    main()
