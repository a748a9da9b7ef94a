"""Time supply declarations for all of Italy: the import, one form save, and the LEPS gaps of a territory.

    .venv/bin/python benchmarks/services_supply.py                      # SQLite in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/services_supply.py

On a fresh database with the bundled territories and population, the comuni of each provincia are put
in ambiti of 15 (made up for the benchmark: no open dataset lists the real ones), and a file is built in
memory with, for every comune, a nursery, social work, home care and family centre declaration, and
for every ambito a social work declaration — made-up figures, in a scratch database only. Printed: the
seconds to import it (check, write, compute every supply indicator and its sums), to save one
declaration as the form does (the supply indicators of its ambito recomputed), and the median of 20
calls of `territory_leps_gaps` for a comune, an ambito, a provincia, a regione and Italy.
On PostgreSQL the named database is dropped and created again: never point it at real data.
"""

from __future__ import annotations

import io
import os
import random
import statistics
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

YEAR = 2023
AMBITO_SIZE = 15
HEADER = (
    "tipo_territorio,codice_territorio,anno,codice_servizio,posti,utenti,utenti_65_e_piu,personale_etp,"
    "as_etp_indeterminato,as_etp_determinato,spesa_euro,gestione,domini_bisogno,note\n"
)


def make_ambiti() -> int:
    """Ambiti of AMBITO_SIZE comuni within each provincia, with their summed population (as the import does)."""
    from welfarelab.territories.loaders import ambito_population_rebuild
    from welfarelab.territories.models import Territory

    made = 0
    for provincia in Territory.objects.filter(kind=Territory.Kind.PROVINCIA).order_by("code"):
        comuni = list(
            Territory.objects.filter(kind=Territory.Kind.COMUNE, provincia=provincia).order_by("code")
        )
        for start in range(0, len(comuni), AMBITO_SIZE):
            ambito = Territory.objects.create(
                kind=Territory.Kind.AMBITO,
                code=f"B{provincia.code}-{start // AMBITO_SIZE + 1}",
                name=f"Ambito {provincia.name} {start // AMBITO_SIZE + 1}",
                name_folded=f"ambito {provincia.code} {start}",
                regione=provincia.regione,
            )
            Territory.objects.filter(pk__in=[c.pk for c in comuni[start : start + AMBITO_SIZE]]).update(
                ambito=ambito
            )
            made += 1
    ambito_population_rebuild()
    return made


def build_csv(comuni: list[str], ambiti: list[str]) -> bytes:
    generator = random.Random(2024)  # the same file on every run
    out = io.StringIO()
    out.write(HEADER)
    for code in comuni:
        out.write(
            f"comune,{code},{YEAR},asilo_nido,{generator.randint(0, 60)},,,,,,{generator.randint(0, 500_000)},diretta,,\n"
        )
        out.write(
            f"comune,{code},{YEAR},servizio_sociale_professionale,,,,5,{generator.randint(0, 3)},1,90000,diretta,,\n"
        )
        users = generator.randint(0, 80)
        out.write(
            f"comune,{code},{YEAR},assistenza_domiciliare_sociale,,{users},{users // 2},,,,40000,appalto,,\n"
        )
        out.write(f"comune,{code},{YEAR},centro_per_le_famiglie,,,,,,,,coprogettazione,,\n")
    for code in ambiti:
        out.write(
            f"ambito,{code},{YEAR},servizio_sociale_professionale,,,,8,{generator.randint(2, 8)},,300000,diretta,,\n"
        )
    return out.getvalue().encode()


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    from load_open_data import _recreate_postgres_database  # the sibling benchmark

    if os.environ["DATABASE_URL"].startswith("postgres"):
        _recreate_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from welfarelab.core.importing import ImportRejected
    from welfarelab.indicators.models import Observation
    from welfarelab.services.catalogue import services_catalogue_load
    from welfarelab.services.importing import declarations_import
    from welfarelab.services.models import SocialService
    from welfarelab.services.selectors import territory_leps_gaps
    from welfarelab.services.services import DeclarationFigures, declaration_save
    from welfarelab.territories.loaders import open_data_load
    from welfarelab.territories.models import Territory

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    open_data_load(data_dir=settings.WELFARELAB_DATA_DIR)
    print(
        f"database: {connection.vendor}; cores: {os.cpu_count()}; open data loaded in {time.perf_counter() - started:.0f} s"
    )
    ambiti = make_ambiti()
    started = time.perf_counter()
    services_catalogue_load()
    print(f"{'catalogue and supply indicators':<40} {time.perf_counter() - started:7.2f} s")
    comuni = list(Territory.objects.filter(kind="comune").order_by("code").values_list("code", flat=True))
    codes = list(Territory.objects.filter(kind="ambito").order_by("code").values_list("code", flat=True))
    content = build_csv(comuni, codes)
    rows = content.count(b"\n") - 1
    print(f"file: {rows:,} rows for {len(comuni):,} comuni and {ambiti:,} ambiti")

    started = time.perf_counter()
    try:
        supply_import, _parsed = declarations_import(content=content, filename="bench.csv", user=None)
    except ImportRejected as rejected:
        raise SystemExit("\n".join(str(e) for e in rejected.errors[:5])) from None
    print(
        f"{'import (check + write + indicators)':<40} {time.perf_counter() - started:7.2f} s  ({supply_import.rows:,} rows)"
    )
    print(f"supply observations: {Observation.objects.count():,}")

    comune = Territory.objects.get(kind="comune", code="001001")
    nursery = SocialService.objects.get(code="asilo_nido")
    places = iter(range(10, 1000))

    def save() -> None:
        declaration_save(
            user=None,
            territory=comune,
            year=YEAR,
            service=nursery,
            figures=DeclarationFigures(management="diretta", places=next(places), spending_eur=Decimal(1000)),
        )

    print(f"{'one declaration saved (median of 10)':<40} {median_seconds(save, 10) * 1000:7.1f} ms")
    for territory in (
        comune,
        comune.ambito,
        Territory.objects.get(kind="provincia", code="001"),
        Territory.objects.get(kind="regione", code="01"),
        Territory.objects.get(kind="italia"),
    ):
        seconds = median_seconds(lambda t=territory: territory_leps_gaps(t, YEAR), 20)
        print(f"{'LEPS gaps of ' + territory.kind + ' (median of 20)':<40} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
