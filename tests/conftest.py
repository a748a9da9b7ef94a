from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _italian_by_default(settings):
    settings.LANGUAGE_CODE = "it"


# A small but real slice of the bundled open data, written to a temporary data directory.
# Asti (holds two comuni merged in 2023), Trapani (Misiliscemi has no population), Rimini (Montecopiolo and
# Sassofeltrio changed code since 2020), Roma.
SLICE_PROVINCES = ("005", "081", "099", "058")


def _slice(source: Path, target: Path, column: str) -> None:
    frame = pl.read_csv(source, infer_schema=False)
    kept = frame.filter(pl.col(column).str.slice(0, 3).is_in(SLICE_PROVINCES) | pl.col(column).is_null())
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".gz":
        with gzip.open(target, "wb") as handle:
            kept.write_csv(handle)
    else:
        kept.write_csv(target)


@pytest.fixture
def slice_data_dir(tmp_path: Path) -> Path:
    source = settings.BASE_DIR / "data"
    for relative, column in [
        ("istat/comuni_2023.csv", "codice_comune"),
        ("istat/popolazione_eta_sesso_comuni_2022_2023.csv.gz", "codice_comune"),
        ("istat/classificazioni_comuni_2023.csv", "codice_comune"),
        ("dpcoe/classificazione_aree_interne_2020.csv", "codice_comune"),
        ("agenzia_entrate/cinque_per_mille_2022_ets.csv.gz", "codice_comune"),
        ("mef/irpef_comuni_2021.csv", "codice_comune"),
    ]:
        _slice(source / relative, tmp_path / relative, column)
    # Montecopiolo and Sassofeltrio were in Pesaro e Urbino (041) in the 2020 inner-areas map.
    inner = pl.read_csv(source / "dpcoe/classificazione_aree_interne_2020.csv", infer_schema=False)
    moved = inner.filter(pl.col("codice_comune").is_in(["041033", "041060"]))
    sliced = pl.read_csv(tmp_path / "dpcoe/classificazione_aree_interne_2020.csv", infer_schema=False)
    pl.concat([sliced, moved]).write_csv(tmp_path / "dpcoe/classificazione_aree_interne_2020.csv")
    for relative in ("istat/comuni_situas_2026-08-14.csv", "istat/raccordo_codici_comuni_2023_2026.csv"):
        shutil.copy(source / relative, tmp_path / relative)
    return tmp_path
