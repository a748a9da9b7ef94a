"""Rebuild the compact bundled open data in `data/` from the curated sources in `../shared/data/`.

    .venv/bin/python scripts/build_bundled_data.py [SOURCE_DIR]

Only what the platform reads is kept, in plain UTF-8 CSV (gzip where large); every code stays text.
The population tables go from long (one row per comune × age) to wide (one row per comune × year × sex,
columns a0..a100), which is the same numbers in a third of the bytes. Run it again when a source is
updated, then commit `data/`.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
TARGET = ROOT / "data"


def read(path: Path) -> pl.DataFrame:
    # Everything as text: leading zeros survive, and neither "NA" (Napoli) nor the comune "None" is lost.
    return pl.read_csv(path, infer_schema=False)


def write(frame: pl.DataFrame, relative: str) -> None:
    path = TARGET / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if relative.endswith(".gz"):
        # mtime=0 keeps the file byte-identical when the data did not change.
        with (
            path.open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as handle,
        ):
            frame.write_csv(handle)
    else:
        frame.write_csv(path)
    print(f"{relative}: {frame.height} rows, {path.stat().st_size // 1024} KiB")


def population_wide(year: int) -> pl.DataFrame:
    long = read(SOURCE / "istat_population_2023" / f"popolazione_eta_sesso_comuni_{year}.csv.gz")
    long = long.with_columns(pl.col("eta").cast(pl.Int16), pl.col("maschi", "femmine").cast(pl.Int32))
    frames = []
    for sex, column in (("M", "maschi"), ("F", "femmine")):
        wide = long.pivot(on="eta", index="codice_comune", values=column, sort_columns=True)
        wide = wide.rename({str(age): f"a{age}" for age in range(101)})
        frames.append(wide.with_columns(anno=pl.lit(year), sesso=pl.lit(sex)))
    columns = ["codice_comune", "anno", "sesso", *[f"a{age}" for age in range(101)]]
    return pl.concat(frames).select(columns).sort("codice_comune", "sesso")


# What the income indicators read: the ISTAT and cadastral codes (to reconcile with the 2023 list), the
# taxpayers, taxable income and the taxpayers by class of total income. Suppressed cells stay empty.
IRPEF_COLUMNS = (
    "codice_comune",
    "codice_catastale",
    "comune",
    "sigla_provincia",
    "numero_contribuenti",
    "reddito_imponibile_freq",
    "reddito_imponibile_eur",
)


def irpef_2021() -> pl.DataFrame:
    irpef = read(SOURCE / "mef_irpef_comuni_2021" / "irpef_comuni_anno_imposta_2021.csv")
    classes = [c for c in irpef.columns if c.startswith("reddito_complessivo_") and c.endswith("_freq")]
    return irpef.select(*IRPEF_COLUMNS, *classes).sort("codice_comune")


def main() -> None:
    write(read(SOURCE / "istat_population_2023" / "comuni_2023.csv"), "istat/comuni_2023.csv")
    write(
        pl.concat([population_wide(2022), population_wide(2023)]),
        "istat/popolazione_eta_sesso_comuni_2022_2023.csv.gz",
    )
    classifications = read(SOURCE / "istat_comuni_classificazioni_2023" / "classificazioni_comuni_2023.csv")
    write(
        classifications.select(
            "codice_comune",
            "comune",
            "superficie_kmq",
            "zona_altimetrica",
            "altitudine_centro_m",
            "comune_litoraneo",
            "comune_isolano",
            "zona_costiera",
            "grado_urbanizzazione",
        ),
        "istat/classificazioni_comuni_2023.csv",
    )
    situas = read(SOURCE / "istat_comuni_situas_2026" / "comuni_situas_2026-08-14.csv")
    write(
        situas.select(
            "codice_comune",
            "comune",
            "codice_catastale",
            "codice_fiscale_comune",
            "codice_provincia_uts",
            "provincia_uts",
            "tipologia_provincia_uts",
            "nuts3_2024",
        ),
        "istat/comuni_situas_2026-08-14.csv",
    )
    write(
        read(SOURCE / "istat_comuni_situas_2026" / "raccordo_codici_comuni_2023_2026.csv"),
        "istat/raccordo_codici_comuni_2023_2026.csv",
    )
    inner = read(SOURCE / "aree_interne_snai_2020" / "classificazione_aree_interne_2020.csv")
    write(
        inner.select("codice_comune", "comune", "cod_ai_2020", "tempo_medio_percorrenza_polo_min"),
        "dpcoe/classificazione_aree_interne_2020.csv",
    )
    beneficiaries = read(SOURCE / "cinque_per_mille_2022" / "cinque_per_mille_2022_beneficiari.csv.gz")
    write(
        beneficiaries.filter(pl.col("ets_e_onlus") == "1").select(
            "codice_fiscale",
            "denominazione",
            "codice_comune",
            "nome_comune",
            "pr",
            "numero_scelte",
            "importo_totale_erogabile",
        ),
        "agenzia_entrate/cinque_per_mille_2022_ets.csv.gz",
    )
    write(irpef_2021(), "mef/irpef_comuni_2021.csv")


if __name__ == "__main__":
    main()
