"""Seed the directory: the public bodies of every territory and the Third Sector Entities of the 5x1000 list.

The 5x1000 list of 2022 (Agenzia delle Entrate, via onData, CC BY 4.0) is the most complete open list of
ETS and ONLUS with a comune: 50,301 entities. It has no legal form, so they start as "not stated" until
the organisation or the lab fills it in. Loading again updates by tax code and keeps what users edited
(name, description, legal form…): only the 5x1000 figures and the comune are refreshed.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import polars as pl
from django.db import transaction

from welfarelab.core.bulk import analyze_table
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation
from welfarelab.territories.loaders import LoadResult, dataset_load_record, dataset_loaded, read_csv
from welfarelab.territories.models import DataQualityIssue, Territory

DATASET = "organisations"
FIVE_PER_MILLE_FILE = "agenzia_entrate/cinque_per_mille_2022_ets.csv.gz"
SITUAS_FILE = "istat/comuni_situas_2026-08-14.csv"

# ISTAT's types of supra-municipal unit (SITUAS `tipologia_provincia_uts`) → the body's name.
PROVINCE_BODY_NAMES = {
    "1": "Provincia di {}",
    "2": "Provincia autonoma di {}",
    "3": "Città metropolitana di {}",
    "4": "Libero consorzio comunale di {}",
    "5": "Ente di decentramento regionale di {}",
}


@transaction.atomic
def organisations_load(*, data_dir: Path, force: bool = False) -> LoadResult:
    if not force and (done := dataset_loaded(DATASET)):
        return LoadResult(dataset=DATASET, rows=done.rows, seconds=0.0, skipped=True)
    started = time.perf_counter()
    _public_bodies_load(data_dir)
    _ets_load(data_dir)
    analyze_table(table=Organisation._meta.db_table)
    # The size of the seeded directory, not what this run changed: a reload that changes nothing has rows too.
    rows = Organisation.objects.exclude(source=Organisation.Source.MANUAL).count()
    return dataset_load_record(DATASET, rows=rows, started=started, files=[FIVE_PER_MILLE_FILE, SITUAS_FILE])


def _province_types(data_dir: Path) -> dict[str, str]:
    """The 2023 provincia code → its most frequent 2026 UTS type (Sardinia was reorganised in between)."""
    situas = read_csv(data_dir / SITUAS_FILE).select("codice_comune", "tipologia_provincia_uts")
    comuni = pl.DataFrame(
        list(
            Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list("code_2026", "provincia__code")
        ),
        schema={"codice_comune": pl.String, "provincia": pl.String},
        orient="row",
    )
    counts = comuni.join(situas, on="codice_comune").group_by("provincia", "tipologia_provincia_uts").len()
    best = counts.sort("len", descending=True).unique("provincia", keep="first", maintain_order=True)
    return dict(best.select("provincia", "tipologia_provincia_uts").iter_rows())


def _public_bodies_load(data_dir: Path) -> int:
    province_types = _province_types(data_dir)
    existing = {
        (kind, territory_id): pk
        for pk, kind, territory_id in Organisation.objects.filter(
            kind__in=[Organisation.Kind.COMUNE, Organisation.Kind.PROVINCIA, Organisation.Kind.REGIONE]
        ).values_list("pk", "kind", "territory_id")
    }
    to_create = []
    for territory in Territory.objects.filter(
        kind__in=[Territory.Kind.COMUNE, Territory.Kind.PROVINCIA, Territory.Kind.REGIONE]
    ).only("pk", "kind", "code", "name", "tax_code"):
        if (territory.kind, territory.pk) in existing:
            continue
        if territory.kind == Territory.Kind.COMUNE:
            name = f"Comune di {territory.name}"
        elif territory.kind == Territory.Kind.REGIONE:
            name = f"Regione {territory.name}"
        else:
            name = PROVINCE_BODY_NAMES.get(province_types.get(territory.code, "1"), "Provincia di {}").format(
                territory.name
            )
        to_create.append(
            Organisation(
                kind=territory.kind,
                name=name,
                name_folded=fold(name),
                tax_code=territory.tax_code,
                territory=territory,
                source=Organisation.Source.ISTAT,
            )
        )
    Organisation.objects.bulk_create(to_create, batch_size=2000)
    return len(to_create)


def _ets_load(data_dir: Path) -> int:
    beneficiaries = read_csv(data_dir / FIVE_PER_MILLE_FILE)
    duplicated = beneficiaries.filter(pl.col("codice_fiscale").is_duplicated())
    if duplicated.height:
        raise ValueError(f"{FIVE_PER_MILLE_FILE} repeats the tax code {duplicated['codice_fiscale'][0]}.")
    comuni = dict(Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list("code", "pk"))
    # tax code → (pk, choices, amount, territory): a reload updates only the rows whose figures changed.
    existing = {
        row[0]: row[1:]
        for row in Organisation.objects.exclude(tax_code="").values_list(
            "tax_code", "pk", "five_per_mille_choices", "five_per_mille_amount", "territory_id"
        )
    }
    public_bodies = dict(
        Organisation.objects.exclude(kind=Organisation.Kind.ETS)
        .exclude(tax_code="")
        .values_list("tax_code", "name")
    )
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []
    issues: list[DataQualityIssue] = []
    for row in beneficiaries.iter_rows(named=True):
        territory_id = comuni.get(row["codice_comune"] or "")
        if territory_id is None:
            issues.append(
                DataQualityIssue(
                    dataset="cinque_per_mille_2022",
                    category=DataQualityIssue.Category.ORGANISATION_PLACE,
                    code=row["codice_fiscale"],
                    name=row["denominazione"],
                    resolution=f"Comune code {row['codice_comune']!r} ({row['nome_comune']}) is not in the 2023 "
                    "list; the organisation is listed without a comune.",
                )
            )
        figures = {
            "five_per_mille_choices": int(row["numero_scelte"]) if row["numero_scelte"] else None,
            "five_per_mille_amount": Decimal(row["importo_totale_erogabile"])
            if row["importo_totale_erogabile"]
            else None,
            "territory_id": territory_id,
        }
        if row["codice_fiscale"] in public_bodies:
            issues.append(
                DataQualityIssue(
                    dataset="cinque_per_mille_2022",
                    category=DataQualityIssue.Category.PUBLIC_BODY_IN_LIST,
                    code=row["codice_fiscale"],
                    name=row["denominazione"],
                    resolution=f"The tax code is that of {public_bodies[row['codice_fiscale']]}: not added as an "
                    "ETS; its 5x1000 figures are shown on the public body.",
                )
            )
        if (known := existing.get(row["codice_fiscale"])) is not None:
            pk, *current = known
            if row["codice_fiscale"] in public_bodies:
                figures["territory_id"] = current[2]  # a public body keeps the territory it governs
            if current != list(figures.values()):
                to_update.append(Organisation(pk=pk, **figures))
            continue
        name = row["denominazione"].strip()
        to_create.append(
            Organisation(
                kind=Organisation.Kind.ETS,
                name=name,
                name_folded=fold(name),
                tax_code=row["codice_fiscale"],
                legal_form=Organisation.LegalForm.UNKNOWN,
                source=Organisation.Source.FIVE_PER_MILLE,
                **figures,
            )
        )
    Organisation.objects.bulk_create(to_create, batch_size=2000)
    Organisation.objects.bulk_update(
        to_update, ["five_per_mille_choices", "five_per_mille_amount", "territory_id"], batch_size=2000
    )
    DataQualityIssue.objects.filter(dataset="cinque_per_mille_2022").delete()
    DataQualityIssue.objects.bulk_create(issues)
    return len(to_create) + len(to_update)
