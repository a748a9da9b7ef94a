"""The boundaries drawn on the maps of the community profile, read from the bundled data.

`data/istat/confini/` holds gzipped GeoJSON built once by `scripts/build_boundaries.py` (ISTAT 2023
boundaries through Openpolis, simplified): the comuni of each regione, all province, all regioni. Each
feature's `id` is the ISTAT code as text, as in `Territory.code`. Files are read once per process.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings

from welfarelab.territories.models import Territory

BOUNDARIES_DIR = Path("istat") / "confini"


class BoundariesMissing(FileNotFoundError):
    """A boundaries file the map needs is not in the data directory."""


def boundaries_file(kind: str, within_code: str | None = None) -> Path:
    """The file holding the comuni of regione `within_code`, or all province, or all regioni."""
    if kind == Territory.Kind.COMUNE:
        if not within_code or not re.fullmatch(r"\d{2}", within_code):
            raise ValueError(
                f"The comuni's boundaries come one regione at a time: give its 2-digit code, not {within_code!r}."
            )
        name = f"comuni_{within_code}.geojson.gz"
    elif kind in (Territory.Kind.PROVINCIA, Territory.Kind.REGIONE):
        if within_code:
            raise ValueError(f"The boundaries of every {kind} of Italy come in one file: give no code.")
        name = "province.geojson.gz" if kind == Territory.Kind.PROVINCIA else "regioni.geojson.gz"
    else:
        raise ValueError(f"There are no boundaries of kind {kind!r}: only comune, provincia and regione.")
    return Path(settings.WELFARELAB_DATA_DIR) / BOUNDARIES_DIR / name


def boundaries(kind: str, within_code: str | None = None) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the comuni of a regione, or of all province or regioni.

    The dictionary is shared by every caller in the process: read it, never change it.
    Raises BoundariesMissing, naming the file and how to build it, when the file is not there.
    """
    return _read(boundaries_file(kind, within_code))


@functools.lru_cache(maxsize=32)
def _read(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            collection: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        raise BoundariesMissing(
            f"The map boundaries {path} are missing: build them with scripts/build_boundaries.py "
            "(see data/README.md), or point WELFARELAB_DATA_DIR at the bundled data."
        ) from None
    return collection
