"""Load Italy's territories and population from the bundled open data (`data/`, see data/README.md).

One transaction per dataset: a failure leaves the database as it was. Territories are upserted by
(kind, code), so loading again updates them in place and keeps every link to them; population and
data-quality notes of the dataset are replaced whole. Every source row that does not fit the 2023 list
of comuni becomes a `DataQualityIssue` — nothing is dropped silently.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import transaction
from django.db.models import Sum

from welfarelab.analytics.population import population_sum_up, population_wide_to_long
from welfarelab.core.bulk import analyze_table, bulk_insert_frame
from welfarelab.core.text import fold
from welfarelab.territories.models import DataQualityIssue, DatasetLoad, PopulationByAge, Territory

logger = logging.getLogger(__name__)

TERRITORIES_DATASET = "territories"
POPULATION_DATASET = "population"
ITALY_CODE = "IT"

COMUNI_FILE = "istat/comuni_2023.csv"
POPULATION_FILE = "istat/popolazione_eta_sesso_comuni_2022_2023.csv.gz"
CLASSIFICATIONS_FILE = "istat/classificazioni_comuni_2023.csv"
SITUAS_FILE = "istat/comuni_situas_2026-08-14.csv"
CROSSWALK_FILE = "istat/raccordo_codici_comuni_2023_2026.csv"
INNER_AREAS_FILE = "dpcoe/classificazione_aree_interne_2020.csv"

# Comuni merged during 2023, present in the population and classification tables under their old
# codes but absent from the 2023 list (ISTAT, variazioni amministrative 2023).
# code → (its name, the code and name of the comune it became).
MERGED_IN_2023 = {
    "005079": ("Moransengo", "005122", "Moransengo-Tonengo"),
    "005110": ("Tonengo", "005122", "Moransengo-Tonengo"),
    "012009": ("Bardello", "012144", "Bardello con Malgesso e Bregano"),
    "012018": ("Bregano", "012144", "Bardello con Malgesso e Bregano"),
    "012095": ("Malgesso", "012144", "Bardello con Malgesso e Bregano"),
}


@dataclass(frozen=True)
class LoadResult:
    dataset: str
    rows: int
    seconds: float
    skipped: bool = False


def read_csv(path: Path) -> pl.DataFrame:
    """Every column as text: leading zeros survive, and "NA" (Napoli) and the comune "None" are names."""
    if not path.exists():
        raise FileNotFoundError(f"Bundled data file {path} is missing (see data/README.md).")
    return pl.read_csv(path, infer_schema=False)


def open_data_load(*, data_dir: Path, force: bool = False) -> list[LoadResult]:
    """Load territories, then population; skip a dataset already loaded unless `force`."""
    results = [territories_load(data_dir=data_dir, force=force)]
    results.append(population_load(data_dir=data_dir, force=force or not results[0].skipped))
    return results


def dataset_loaded(dataset: str) -> DatasetLoad | None:
    return DatasetLoad.objects.filter(dataset=dataset).first()


def dataset_load_record(dataset: str, *, rows: int, started: float, files: list[str]) -> LoadResult:
    seconds = round(time.perf_counter() - started, 2)
    DatasetLoad.objects.update_or_create(
        dataset=dataset, defaults={"rows": rows, "seconds": seconds, "source_files": "\n".join(files)}
    )
    logger.info("loaded %s: %s rows in %.2f s", dataset, rows, seconds)
    return LoadResult(dataset=dataset, rows=rows, seconds=seconds)


# --- territories -------------------------------------------------------------------------------------------


def _comune_attributes(data_dir: Path, registry: pl.DataFrame) -> tuple[pl.DataFrame, list[DataQualityIssue]]:
    """Join ISTAT classifications, DPCoe inner areas and the 2026 crosswalk to the 2023 list."""
    issues: list[DataQualityIssue] = []
    codes = registry.select("codice_comune")

    classifications = read_csv(data_dir / CLASSIFICATIONS_FILE)
    for row in classifications.join(codes, on="codice_comune", how="anti").iter_rows(named=True):
        successor = MERGED_IN_2023.get(row["codice_comune"])
        note = (
            f"Merged in 2023 into {successor[2]} ({successor[1]}); not in the 2023 list, attributes not used."
            if successor
            else "Comune established in 2023, not in the 2023 list of 7,899 comuni; attributes not used."
        )
        issues.append(
            DataQualityIssue(
                dataset="istat_classificazioni_2023",
                category=DataQualityIssue.Category.CODE_NOT_IN_LIST,
                code=row["codice_comune"],
                name=row["comune"],
                resolution=note,
            )
        )

    inner = read_csv(data_dir / INNER_AREAS_FILE).rename({"codice_comune": "inner_code"})
    by_code = codes.join(inner, left_on="codice_comune", right_on="inner_code", how="inner").with_columns(
        pl.col("codice_comune").alias("inner_code")
    )
    # Codes of 2020 that changed by 2023 (Montecopiolo and Sassofeltrio moved to Rimini in 2021): match
    # the leftovers by name, only where the name is unique on both sides.
    left_comuni = registry.join(by_code.select("codice_comune"), on="codice_comune", how="anti")
    left_inner = inner.join(by_code.select("inner_code"), on="inner_code", how="anti")
    left_comuni = left_comuni.with_columns(
        pl.col("comune").map_elements(fold, return_dtype=pl.String).alias("key")
    )
    left_inner = left_inner.with_columns(
        pl.col("comune").map_elements(fold, return_dtype=pl.String).alias("key")
    )
    unique_inner = left_inner.filter(pl.col("key").is_unique())
    by_name = left_comuni.filter(pl.col("key").is_unique()).join(unique_inner, on="key", how="inner")
    for row in by_name.iter_rows(named=True):
        issues.append(
            DataQualityIssue(
                dataset="dpcoe_aree_interne_2020",
                category=DataQualityIssue.Category.MATCHED_BY_NAME,
                code=row["codice_comune"],
                name=row["comune"],
                resolution=f"2020 code {row['inner_code']} matched to 2023 code {row['codice_comune']} by name; "
                f"class {row['cod_ai_2020']} used.",
            )
        )
    inner_joined = pl.concat(
        [
            by_code.select("codice_comune", "inner_code", "cod_ai_2020", "tempo_medio_percorrenza_polo_min"),
            by_name.select("codice_comune", "inner_code", "cod_ai_2020", "tempo_medio_percorrenza_polo_min"),
        ]
    )
    for row in registry.join(inner_joined, on="codice_comune", how="anti").iter_rows(named=True):
        issues.append(
            DataQualityIssue(
                dataset="dpcoe_aree_interne_2020",
                category=DataQualityIssue.Category.NO_ATTRIBUTE,
                code=row["codice_comune"],
                name=row["comune"],
                resolution="No inner-area class: the comune did not exist in the 2020 map. Left unknown.",
            )
        )
    for row in inner.join(inner_joined.select("inner_code"), on="inner_code", how="anti").iter_rows(
        named=True
    ):
        successor = MERGED_IN_2023.get(row["inner_code"])
        issues.append(
            DataQualityIssue(
                dataset="dpcoe_aree_interne_2020",
                category=DataQualityIssue.Category.CODE_NOT_IN_LIST,
                code=row["inner_code"],
                name=row["comune"],
                resolution=(
                    f"Merged in 2023 into {successor[2]} ({successor[1]}), not in the 2023 list; class not used."
                    if successor
                    else "2020 code with no comune in the 2023 list; class not used."
                ),
            )
        )

    crosswalk = read_csv(data_dir / CROSSWALK_FILE).filter(pl.col("codice_comune_2023").is_not_null())
    situas = read_csv(data_dir / SITUAS_FILE).select(
        pl.col("codice_comune").alias("codice_comune_2026"), "codice_fiscale_comune"
    )
    attributes = (
        registry.select("codice_comune")
        .join(classifications, on="codice_comune", how="left")
        .join(inner_joined, on="codice_comune", how="left")
        .join(
            crosswalk.select(
                pl.col("codice_comune_2023").alias("codice_comune"), "codice_comune_2026", "tipo"
            ),
            on="codice_comune",
            how="left",
        )
        .join(situas, on="codice_comune_2026", how="left")
    )
    return attributes, issues


_NOT_AVAILABLE = {None, "", "N.d."}  # ISTAT writes "N.d." (non disponibile) for unknown values


def _to_int(value: str | None) -> int | None:
    return None if value in _NOT_AVAILABLE else int(float(value))  # type: ignore[arg-type]


def _to_float(value: str | None) -> float | None:
    return None if value in _NOT_AVAILABLE else float(value)  # type: ignore[arg-type]


def _to_bool(value: str | None) -> bool | None:
    return value == "1" if value in ("0", "1") else None


@transaction.atomic
def territories_load(*, data_dir: Path, force: bool = False) -> LoadResult:
    """Upsert Italia, the 20 regioni, the 107 province and the 7,899 comuni of the 2023 list."""
    if not force and (done := dataset_loaded(TERRITORIES_DATASET)):
        return LoadResult(dataset=TERRITORIES_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    started = time.perf_counter()
    registry = read_csv(data_dir / COMUNI_FILE)
    if registry["codice_comune"].is_duplicated().any():
        raise ValueError(f"{COMUNI_FILE} lists a comune code twice.")
    attributes, issues = _comune_attributes(data_dir, registry)

    _upsert([Territory(kind=Territory.Kind.ITALIA, code=ITALY_CODE, name="Italia", name_folded="italia")])
    regioni = registry.select("codice_regione", "regione").unique().sort("codice_regione")
    _upsert(
        Territory(
            kind=Territory.Kind.REGIONE,
            code=r["codice_regione"],
            name=r["regione"],
            name_folded=fold(r["regione"]),
        )
        for r in regioni.iter_rows(named=True)
    )
    regione_ids = _ids(Territory.Kind.REGIONE)
    province = registry.select("codice_provincia", "provincia", "sigla_provincia", "codice_regione").unique()
    _upsert(
        Territory(
            kind=Territory.Kind.PROVINCIA,
            code=p["codice_provincia"],
            name=p["provincia"],
            name_folded=fold(p["provincia"]),
            province_abbreviation=p["sigla_provincia"],
            regione_id=regione_ids[p["codice_regione"]],
        )
        for p in province.sort("codice_provincia").iter_rows(named=True)
    )
    provincia_ids = _ids(Territory.Kind.PROVINCIA)
    rows = registry.join(attributes, on="codice_comune", how="left")
    _upsert(
        Territory(
            kind=Territory.Kind.COMUNE,
            code=c["codice_comune"],
            name=c["comune"],
            name_folded=fold(c["comune"]),
            regione_id=regione_ids[c["codice_regione"]],
            provincia_id=provincia_ids[c["codice_provincia"]],
            cadastral_code=c["codice_catastale"] or "",
            province_abbreviation=c["sigla_provincia"] or "",
            area_km2=_to_float(c["superficie_kmq"]),
            altimetric_zone=_to_int(c["zona_altimetrica"]),
            altitude_m=_to_int(c["altitudine_centro_m"]),
            is_coastal=_to_bool(c["comune_litoraneo"]),
            is_island=_to_bool(c["comune_isolano"]),
            is_coastal_area=_to_bool(c["zona_costiera"]),
            degurba=_to_int(c["grado_urbanizzazione"]),
            inner_area_class=c["cod_ai_2020"] or "",
            inner_area_code_2020=c["inner_code"] or "",
            travel_minutes_to_hub=_to_float(c["tempo_medio_percorrenza_polo_min"]),
            code_2026=c["codice_comune_2026"] or "",
            crosswalk_2026=c["tipo"] or "",
            tax_code=c["codice_fiscale_comune"] or "",
        )
        for c in rows.iter_rows(named=True)
    )
    territory_areas_sum_up()
    analyze_table(table=Territory._meta.db_table)

    DataQualityIssue.objects.filter(
        dataset__in=["istat_classificazioni_2023", "dpcoe_aree_interne_2020"]
    ).delete()
    DataQualityIssue.objects.bulk_create(issues)
    count = 1 + regioni.height + province.height + registry.height
    return dataset_load_record(
        TERRITORIES_DATASET,
        rows=count,
        started=started,
        files=[COMUNI_FILE, CLASSIFICATIONS_FILE, INNER_AREAS_FILE, CROSSWALK_FILE, SITUAS_FILE],
    )


_UPSERT_FIELDS = [
    f.name
    for f in Territory._meta.concrete_fields
    if f.name not in {"id", "kind", "code", "ambito"}  # an ambito comes only from its own import
]


def _upsert(territories: Iterator[Territory] | list[Territory]) -> None:
    Territory.objects.bulk_create(
        list(territories),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["kind", "code"],
        update_fields=_UPSERT_FIELDS,
    )


def _ids(kind: str) -> dict[str, int]:
    return dict(Territory.objects.filter(kind=kind).values_list("code", "id"))


def territory_areas_sum_up() -> None:
    """Area of provinces, regions, ambiti and Italy = the sum of their comuni (km²)."""
    comuni = list(
        Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list(
            "regione_id", "provincia_id", "ambito_id", "area_km2"
        )
    )
    totals: dict[int, float] = {}
    italy_area = 0.0
    for regione_id, provincia_id, ambito_id, area in comuni:
        if area is None:
            continue
        italy_area += area
        for parent in (regione_id, provincia_id, ambito_id):
            if parent is not None:
                totals[parent] = totals.get(parent, 0.0) + area
    larger = list(Territory.objects.exclude(kind=Territory.Kind.COMUNE))
    for territory in larger:
        territory.area_km2 = round(italy_area if territory.is_italy else totals.get(territory.pk, 0.0), 4)
    Territory.objects.bulk_update(larger, ["area_km2"], batch_size=1000)


# --- population --------------------------------------------------------------------------------------------


@transaction.atomic
def population_load(*, data_dir: Path, force: bool = False) -> LoadResult:
    """Population by single age and sex of every comune (2022, 2023), summed up to every parent."""
    if not force and (done := dataset_loaded(POPULATION_DATASET)):
        return LoadResult(dataset=POPULATION_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    started = time.perf_counter()
    long = population_wide_to_long(read_csv(data_dir / POPULATION_FILE))
    comuni = pl.DataFrame(
        list(
            Territory.objects.filter(kind=Territory.Kind.COMUNE).values_list(
                "code", "id", "name", "provincia__code", "provincia_id", "regione_id", "ambito_id"
            )
        ),
        schema={
            "code": pl.String,
            "territory_id": pl.Int64,
            "name": pl.String,
            "provincia_code": pl.String,
            "provincia_id": pl.Int64,
            "regione_id": pl.Int64,
            "ambito_id": pl.Int64,
        },
        orient="row",
    )
    if comuni.is_empty():
        raise RuntimeError("Load the territories before the population (welfarelab load-open-data).")
    province = dict(Territory.objects.filter(kind=Territory.Kind.PROVINCIA).values_list("code", "id"))
    regione_of_provincia = dict(
        Territory.objects.filter(kind=Territory.Kind.PROVINCIA).values_list("id", "regione_id")
    )
    italy_id = Territory.objects.get(kind=Territory.Kind.ITALIA, code=ITALY_CODE).pk

    issues: list[DataQualityIssue] = []
    known = long.join(comuni.select("code", "territory_id"), on="code", how="inner")
    orphans = long.join(comuni.select("code"), on="code", how="anti")
    orphan_parents = []
    for key, rows in orphans.group_by("code", maintain_order=True):
        code = str(key[0])
        provincia_id = province.get(code[:3])
        successor = MERGED_IN_2023.get(code)
        people = {
            int(year): int(rows_of_year["males"].sum()) + int(rows_of_year["females"].sum())
            for (year,), rows_of_year in rows.group_by("year")
        }
        if provincia_id is None:
            raise ValueError(
                f"Population code {code} is neither a comune of the 2023 list nor in a known provincia."
            )
        orphan_parents += [(code, provincia_id), (code, regione_of_provincia[provincia_id]), (code, italy_id)]
        where = (
            f"merged in 2023 into {successor[2]} ({successor[1]}), which is not in the 2023 list"
            if successor
            else "not in the 2023 list"
        )
        issues.append(
            DataQualityIssue(
                dataset="istat_popolazione",
                category=DataQualityIssue.Category.CODE_NOT_IN_LIST,
                code=code,
                name=successor[0] if successor else "",
                resolution=f"Code {where}. Its residents are counted in provincia {code[:3]}, its regione and "
                "Italy, not in any comune or ambito.",
                people_2022=people.get(2022),
                people_2023=people.get(2023),
                rows=rows.height,
            )
        )
    for row in comuni.join(long.select("code").unique(), on="code", how="anti").iter_rows(named=True):
        issues.append(
            DataQualityIssue(
                dataset="istat_popolazione",
                category=DataQualityIssue.Category.NO_POPULATION,
                code=row["code"],
                name=row["name"],
                resolution="No population rows in the source: population is unknown (not zero) for this comune "
                "and missing from its provincia, regione, ambito and Italy.",
            )
        )

    membership = pl.concat(
        [
            comuni.select("code", pl.col("provincia_id").alias("parent")),
            comuni.select("code", pl.col("regione_id").alias("parent")),
            comuni.select("code", pl.lit(italy_id, dtype=pl.Int64).alias("parent")),
            comuni.filter(pl.col("ambito_id").is_not_null()).select(
                "code", pl.col("ambito_id").alias("parent")
            ),
            pl.DataFrame(orphan_parents, schema={"code": pl.String, "parent": pl.Int64}, orient="row"),
        ]
    )
    parents = population_sum_up(long, membership)

    PopulationByAge.objects.all().delete()
    table = PopulationByAge._meta.db_table
    written = bulk_insert_frame(
        table=table, frame=known.select("territory_id", "year", "age", "males", "females")
    )
    written += bulk_insert_frame(
        table=table,
        frame=parents.select(pl.col("parent").alias("territory_id"), "year", "age", "males", "females"),
    )
    analyze_table(table=table)
    DataQualityIssue.objects.filter(dataset="istat_popolazione").delete()
    DataQualityIssue.objects.bulk_create(issues)
    return dataset_load_record(POPULATION_DATASET, rows=written, started=started, files=[POPULATION_FILE])


def ambito_population_rebuild() -> int:
    """Rewrite the population of every ambito as the sum of its member comuni (after an ambiti import)."""
    PopulationByAge.objects.filter(territory__kind=Territory.Kind.AMBITO).delete()
    sums = (
        PopulationByAge.objects.filter(territory__kind=Territory.Kind.COMUNE, territory__ambito__isnull=False)
        .values_list("territory__ambito_id", "year", "age")
        .annotate(Sum("males"), Sum("females"))
        .order_by()
    )
    frame = pl.DataFrame(
        list(sums),
        schema={
            "territory_id": pl.Int64,
            "year": pl.Int16,
            "age": pl.Int16,
            "males": pl.Int64,
            "females": pl.Int64,
        },
        orient="row",
    )
    return bulk_insert_frame(table=PopulationByAge._meta.db_table, frame=frame)
