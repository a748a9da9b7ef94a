"""Time the load of the bundled open data into a fresh database and print the figures.

    .venv/bin/python benchmarks/load_open_data.py                      # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/load_open_data.py

On PostgreSQL the named database is dropped and created again: never point it at real data.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")


def _recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from welfarelab.organisations.loaders import organisations_load
    from welfarelab.territories.loaders import population_load, territories_load
    from welfarelab.territories.models import PopulationByAge

    call_command("migrate", verbosity=0)
    data_dir = settings.WELFARELAB_DATA_DIR
    print(f"database: {connection.vendor}; cores: {os.cpu_count()}")
    for label, step in (
        ("territories (8,027 rows)", lambda: territories_load(data_dir=data_dir)),
        ("population (1.6 M rows)", lambda: population_load(data_dir=data_dir)),
        ("organisations (58,327 rows)", lambda: organisations_load(data_dir=data_dir)),
        (
            "second run (skipped)",
            lambda: (territories_load(data_dir=data_dir), population_load(data_dir=data_dir)),
        ),
    ):
        started = time.perf_counter()
        step()
        print(f"{label:<30} {time.perf_counter() - started:7.2f} s")
    print(f"population rows in the table: {PopulationByAge.objects.count():,}")


if __name__ == "__main__":
    main()
