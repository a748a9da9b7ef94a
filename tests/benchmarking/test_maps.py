"""The maps of the community profile: the bundled boundaries, the quantile classes and the map's JSON."""

from __future__ import annotations

import gzip
import itertools
import re
from collections import defaultdict

import polars as pl
import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import IndicatorFactory, TerritoryFactory
from welfarelab.analytics.quantiles import ValueClass, class_index, quantile_classes
from welfarelab.benchmarking.maps import BoundariesMissing, boundaries, boundaries_file
from welfarelab.indicators.models import Indicator, Observation
from welfarelab.indicators.open_data import open_data_indicators_compute
from welfarelab.territories.loaders import open_data_load
from welfarelab.territories.models import Territory

ASTI = "005005"
PIEMONTE = "01"
# Italy with its islands, in WGS84 longitude/latitude.
ITALY_BOUNDS = (6.6, 35.4, 18.6, 47.1)


def _comuni_list() -> pl.DataFrame:
    return pl.read_csv(settings.BASE_DIR / "data" / "istat" / "comuni_2023.csv", infer_schema=False)


def _rings(geometry: dict) -> list[tuple[bool, list[list[float]]]]:
    """(is outer ring, coordinates) of every ring of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [(i == 0, ring) for polygon in polygons for i, ring in enumerate(polygon)]


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace formula: positive when the ring runs counter-clockwise (x east, y north)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


# ---- the bundled boundaries ----


def test_each_regione_file_holds_exactly_its_comuni_of_the_2023_list_with_their_names():
    comuni = _comuni_list()
    expected: dict[str, dict[str, str]] = defaultdict(dict)
    for row in comuni.iter_rows(named=True):
        expected[row["codice_regione"]][row["codice_comune"]] = row["comune"]

    assert len(expected) == 20
    for regione, names in expected.items():
        features = boundaries("comune", regione)["features"]
        found = {f["id"]: f["properties"]["name"] for f in features}
        assert len(features) == len(found), f"duplicate ids in regione {regione}"
        assert found == names, f"regione {regione}"
    assert sum(len(names) for names in expected.values()) == 7899


def test_province_and_regioni_files_hold_every_one_of_the_list():
    comuni = _comuni_list()
    province = dict(comuni.select("codice_provincia", "provincia").unique().iter_rows())
    regioni = dict(comuni.select("codice_regione", "regione").unique().iter_rows())

    found_province = {f["id"]: f["properties"]["name"] for f in boundaries("provincia")["features"]}
    found_regioni = {f["id"]: f["properties"]["name"] for f in boundaries("regione")["features"]}

    assert found_province == province and len(province) == 107
    assert found_regioni == regioni and len(regioni) == 20
    assert found_regioni["03"] == "Lombardia" and found_province["058"] == "Roma"


@pytest.mark.parametrize(
    ("kind", "within"), [("comune", "01"), ("comune", "19"), ("provincia", None), ("regione", None)]
)
def test_shapes_are_closed_clockwise_polygons_inside_italy_with_a_label_point(kind, within):
    west, south, east, north = ITALY_BOUNDS
    for feature in boundaries(kind, within)["features"]:
        rings = _rings(feature["geometry"])
        xs = [x for _, ring in rings for x, _y in ring]
        ys = [y for _, ring in rings for _x, y in ring]
        assert west <= min(xs) and max(xs) <= east and south <= min(ys) and max(ys) <= north, feature["id"]
        for outer, ring in rings:
            assert ring[0] == ring[-1] and len(ring) >= 4, feature["id"]
            # Plotly's geo maps (d3-geo) read a counter-clockwise outer ring as "everything but this".
            assert (_signed_area(ring) < 0) == outer, feature["id"]
        lon, lat = feature["properties"]["label_point"]
        assert min(xs) <= lon <= max(xs) and min(ys) <= lat <= max(ys), feature["id"]


def test_the_boundaries_are_compact_enough_to_commit():
    folder = settings.BASE_DIR / "data" / "istat" / "confini"
    files = sorted(folder.glob("*.geojson.gz"))

    assert len(files) == 22  # 20 regioni of comuni, province, regioni
    assert sum(f.stat().st_size for f in files) < 3_000_000
    with gzip.open(folder / "comuni_03.geojson.gz") as handle:  # Lombardia, the most comuni
        assert len(handle.read()) < 1_200_000


def test_a_missing_file_is_named_with_how_to_build_it(settings, tmp_path):
    settings.WELFARELAB_DATA_DIR = tmp_path

    with pytest.raises(BoundariesMissing) as raised:
        boundaries("comune", "03")

    assert str(tmp_path / "istat" / "confini" / "comuni_03.geojson.gz") in str(raised.value)
    assert "scripts/build_boundaries.py" in str(raised.value)


@pytest.mark.parametrize(
    ("kind", "within", "message"),
    [
        ("comune", None, "give its 2-digit code"),
        ("comune", "../../etc", "give its 2-digit code"),
        ("provincia", "01", "come in one file"),
        ("ambito", "01", "no boundaries of kind 'ambito'"),
    ],
)
def test_a_wrong_request_for_boundaries_says_what_is_wrong(kind, within, message):
    with pytest.raises(ValueError, match=message):
        boundaries_file(kind, within)


# ---- quantile classes ----


def test_quantile_classes_split_ten_values_in_five_pairs():
    classes = quantile_classes([10, 1, 2, 3, 4, 5, 6, 7, 8, 9])

    assert classes == [
        ValueClass(1, 2, 2),
        ValueClass(3, 4, 2),
        ValueClass(5, 6, 2),
        ValueClass(7, 8, 2),
        ValueClass(9, 10, 2),
    ]
    assert [class_index(v, classes) for v in (1, 4, 10, 11)] == [0, 1, 4, None]


def test_ties_are_never_split_and_leave_fewer_classes():
    assert quantile_classes([1, 1, 1, 1, 2, 3]) == [
        ValueClass(1, 1, 4),
        ValueClass(2, 2, 1),
        ValueClass(3, 3, 1),
    ]
    assert quantile_classes([7.5, 7.5]) == [ValueClass(7.5, 7.5, 2)]
    assert quantile_classes([1, 2, 3]) == [ValueClass(1, 1, 1), ValueClass(2, 2, 1), ValueClass(3, 3, 1)]


def test_no_value_gives_no_class_and_nan_is_not_a_value():
    assert quantile_classes([]) == []
    assert quantile_classes([float("nan"), 4.0]) == [ValueClass(4.0, 4.0, 1)]
    with pytest.raises(ValueError, match="at least 1"):
        quantile_classes([1.0], classes=0)


# ---- the map's JSON ----


@pytest.fixture
def slice_loaded(db, slice_data_dir):
    """Asti, Trapani, Rimini and Roma loaded from the bundled data, with the built-in indicators."""
    open_data_load(data_dir=slice_data_dir)
    open_data_indicators_compute(data_dir=slice_data_dir)
    return slice_data_dir


def _map(client, kind, code, indicator, headers=None, **params):
    return client.get(
        reverse("benchmarking:indicator-map", args=[kind, code, indicator]), params, headers=headers
    )


def _residents_2023(slice_dir, codes):
    population = pl.read_csv(
        slice_dir / "istat" / "popolazione_eta_sesso_comuni_2022_2023.csv.gz", infer_schema=False
    )
    ages = [f"a{age}" for age in range(101)]
    rows = population.filter(pl.col("anno") == "2023", pl.col("codice_comune").is_in(codes))
    totals = rows.select("codice_comune", pl.sum_horizontal(pl.col(ages).cast(pl.Int64)).alias("n"))
    return dict(totals.group_by("codice_comune").agg(pl.col("n").sum()).iter_rows())


def test_a_comune_is_mapped_among_the_comuni_of_its_regione_with_their_values(client, slice_loaded):
    response = _map(client, "comune", ASTI, "pop_total")

    assert response.status_code == 200
    data = response.json()
    piemonte = _comuni_list().filter(pl.col("codice_regione") == PIEMONTE)
    asti_province = piemonte.filter(pl.col("codice_provincia") == "005")["codice_comune"].to_list()
    # Every comune of Piemonte is drawn; only those of the slice (province of Asti) have a value.
    assert {f["id"] for f in data["geojson"]["features"]} == set(piemonte["codice_comune"])
    assert [v["code"] for v in data["values"]] == sorted(asti_province)
    residents = _residents_2023(slice_loaded, asti_province)
    assert {v["code"]: v["value"] for v in data["values"]} == residents
    asti = next(v for v in data["values"] if v["code"] == ASTI)
    assert asti["name"] == "Asti" and asti["label"] == "73.421\u00a0persone"
    assert residents[ASTI] == 73_421
    assert data["period"] == 2023 and data["periods"] == [2023, 2022]
    assert data["title"].endswith("2023") and "Piemonte" in data["title"]
    assert data["no_value"]["count"] == piemonte.height - len(asti_province)
    assert data["separators"] == ",."
    assert data["highlight"]["codes"] == [ASTI] and data["highlight"]["name"] == "Asti"
    assert data["highlight"]["group"] is False
    # Asti, the capoluogo, is the largest comune of its province: the top class of five.
    assert data["highlight"]["class"] == 5 and data["highlight"]["classes"] == 5
    assert "Asti" in data["note"] and asti["label"] in data["note"]


def test_classes_cover_every_value_and_match_their_bins(client, slice_loaded):
    data = _map(client, "comune", ASTI, "share_65_plus").json()

    assert len(data["bins"]) == 5
    # The province of Asti has 116 comuni in the 2023 list, all with residents.
    assert sum(b["count"] for b in data["bins"]) == len(data["values"]) == 116
    for value in data["values"]:
        bin_ = data["bins"][value["class"]]
        assert bin_["lower"] <= value["value"] <= bin_["upper"]
    assert [b["upper"] for b in data["bins"]] == sorted(b["upper"] for b in data["bins"])
    assert data["bins"][-1]["upper"] == max(v["value"] for v in data["values"])
    first = data["bins"][0]
    assert f"{first['lower']:.1f}".replace(".", ",") in first["label"]  # Italian: decimal comma
    # Where one decimal would show a class ending where the next begins, the legend shows more.
    limits = [re.findall(r"\d+,\d+", b["label"])[:2] for b in data["bins"]]
    assert all(low[1] != high[0] for low, high in itertools.pairwise(limits))


def test_an_earlier_period_is_chosen_with_periodo(client, slice_loaded):
    data = _map(client, "comune", ASTI, "pop_total", periodo="2022").json()
    asti_2022 = Observation.objects.get(
        indicator__code="pop_total", territory__kind="comune", territory__code=ASTI, period=2022
    )

    assert data["period"] == 2022
    assert next(v["value"] for v in data["values"] if v["code"] == ASTI) == asti_2022.value


def test_a_period_that_is_not_a_year_is_refused_with_its_name(client, slice_loaded):
    response = _map(client, "comune", ASTI, "pop_total", periodo="ultimo")

    assert response.status_code == 422
    assert "periodo" in response.json()["error"] and "ultimo" in response.json()["error"]


def test_an_ambito_outlines_its_member_comuni_and_has_its_own_value_in_the_note(client, slice_loaded):
    asti = Territory.objects.get(kind="comune", code=ASTI)
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="ATS-AT1", name="Ambito di Asti", regione=asti.regione
    )
    members = ["005001", "005005", "005006"]
    Territory.objects.filter(kind="comune", code__in=members).update(ambito=ambito)
    indicator = Indicator.objects.get(code="pop_total")
    expected = sum(
        Observation.objects.get(indicator=indicator, territory__code=c, period=2023).value for c in members
    )
    Observation.objects.create(indicator=indicator, territory=ambito, period=2023, value=expected)

    data = _map(client, "ambito", "ATS-AT1", "pop_total").json()

    assert data["kind"] == "comune" and len(data["values"]) == 116
    assert data["highlight"]["codes"] == members and data["highlight"]["name"] == "Ambito di Asti"
    assert data["highlight"]["group"] is True
    assert data["highlight"]["class"] is None  # an ambito is not one of the comuni classified
    assert data["highlight"]["label_point"] in [
        f["properties"]["label_point"] for f in data["geojson"]["features"] if f["id"] in members
    ]
    assert "Ambito di Asti" in data["note"] and f"{expected:,.0f}".replace(",", ".") in data["note"]


def test_a_provincia_is_mapped_among_all_province_and_a_regione_among_all_regioni(client, slice_loaded):
    provincia = _map(client, "provincia", "005", "pop_total").json()
    regione = _map(client, "regione", PIEMONTE, "pop_total").json()

    assert len(provincia["geojson"]["features"]) == 107
    assert [v["code"] for v in provincia["values"]] == ["005", "058", "081", "099"]
    assert provincia["highlight"]["codes"] == ["005"] and provincia["no_value"]["count"] == 103
    assert len(regione["geojson"]["features"]) == 20
    assert [v["code"] for v in regione["values"]] == ["01", "08", "12", "19"]
    assert regione["highlight"]["codes"] == [PIEMONTE]


def test_italy_is_mapped_by_regione_with_nothing_outlined(client, slice_loaded):
    data = _map(client, "italia", "IT", "pop_total").json()

    assert data["kind"] == "regione" and data["highlight"] is None
    assert len(data["values"]) == 4


def test_unknown_territory_or_unpublished_indicator_is_not_found(client, slice_loaded):
    IndicatorFactory(code="draft_indicator", is_published=False)

    assert _map(client, "comune", "999999", "pop_total").status_code == 404
    assert _map(client, "comune", ASTI, "no_such_indicator").status_code == 404
    assert _map(client, "comune", ASTI, "draft_indicator").status_code == 404


def test_the_json_is_gzipped_for_browsers_that_accept_it(client, slice_loaded):
    plain = _map(client, "comune", ASTI, "pop_total")
    response = _map(client, "comune", ASTI, "pop_total", headers={"Accept-Encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(plain.content) / 3


def test_an_indicator_without_values_draws_every_shape_as_unknown(client, slice_loaded):
    IndicatorFactory(code="lab_indicator")

    data = _map(client, "comune", ASTI, "lab_indicator").json()

    assert data["period"] is None and data["values"] == [] and data["bins"] == []
    assert data["no_value"]["count"] == len(data["geojson"]["features"]) == 1179  # the comuni of Piemonte
    assert data["highlight"]["codes"] == [ASTI] and data["highlight"]["label"] is None
