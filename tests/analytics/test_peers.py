"""Peer groups: distances, ranks and explanations worked by hand, their properties, and all of Italy."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.peers import (
    AMBITO_VARIABLES,
    DEFAULT_VARIABLES,
    PeerVariable,
    explain_neighbour,
    peer_groups,
    structural_variables,
    with_weights,
)

DATA = Path(__file__).resolve().parents[2] / "data"

# Three territories whose z-scores equal their values: x and y have mean 0 and sample sd 1.
X, Y = PeerVariable("x"), PeerVariable("y")
TRIANGLE = pl.DataFrame({"territory": ["A", "B", "C"], "x": [-1.0, 0.0, 1.0], "y": [0.0, 1.0, -1.0]})


def _pairs(result: pl.DataFrame) -> list[tuple[str, int, str]]:
    return list(result.select("territory", "rank", "peer").iter_rows())


def _distances(result: pl.DataFrame) -> dict[tuple[str, str], float]:
    return {(row["territory"], row["peer"]): row["distance"] for row in result.iter_rows(named=True)}


# --- hand-worked examples ---------------------------------------------------------------------------


def test_distances_ranks_and_similarity_by_hand():
    # d² = (Δx² + Δy²) / 2: A–B (1 + 1)/2 = 1, A–C (4 + 1)/2 = 2.5, B–C (1 + 4)/2 = 2.5.
    result = peer_groups(TRIANGLE, variables=[X, Y], k=2)

    assert _pairs(result) == [
        ("A", 1, "B"),
        ("A", 2, "C"),
        ("B", 1, "A"),
        ("B", 2, "C"),
        ("C", 1, "A"),  # A and C, B and C are tied at √2.5: the lower code first
        ("C", 2, "B"),
    ]
    assert result["distance"].to_list() == pytest.approx(
        [1, math.sqrt(2.5), 1, math.sqrt(2.5)] + [math.sqrt(2.5)] * 2
    )
    # similarity = 100 × (1 − d²/2): 50 for d² = 1, and 0 (not −25) for d² = 2.5.
    assert result["similarity"].to_list() == pytest.approx([50, 0, 50, 0, 0, 0])
    assert result["variables_used"].to_list() == [2] * 6


def test_contributions_are_shares_of_the_squared_distance():
    result = peer_groups(TRIANGLE, variables=[X, Y], k=2).filter(pl.col("territory") == "A")

    # A–B: Δx² = 1, Δy² = 1 → half each. A–C: Δx² = 4, Δy² = 1 → 0.8 and 0.2.
    assert result["contribution_x"].to_list() == pytest.approx([0.5, 0.8])
    assert result["contribution_y"].to_list() == pytest.approx([0.5, 0.2])
    assert result["differs_most_on"].to_list() == ["x", "x"]  # a tie (A–B) goes to the first variable
    # A–C agree better than random on y (1 < 2) and worse on x (4 > 2): close on y only.
    assert result["closest_on"].to_list() == [["y"], ["y"]]


def test_weights_change_the_ranking():
    # x three times y: C–B (3·1 + 4)/4 = 1.75 < C–A (3·4 + 1)/4 = 3.25. y three times x: C–A (4 + 3·1)/4 =
    # 1.75 < C–B (1 + 3·4)/4 = 3.25. Only the ratio of the weights counts.
    x_heavy = peer_groups(TRIANGLE, variables=with_weights([X, Y], {"x": 3}), k=1)
    y_heavy = peer_groups(TRIANGLE, variables=with_weights([X, Y], {"x": 2, "y": 6}), k=1)

    assert x_heavy.filter(pl.col("territory") == "C")["peer"].to_list() == ["B"]
    assert x_heavy.filter(pl.col("territory") == "C")["distance"].to_list() == pytest.approx(
        [math.sqrt(1.75)]
    )
    assert y_heavy.filter(pl.col("territory") == "C")["peer"].to_list() == ["A"]
    assert y_heavy.filter(pl.col("territory") == "C")["distance"].to_list() == pytest.approx(
        [math.sqrt(1.75)]
    )


def test_a_weight_of_zero_leaves_the_variable_out_even_without_its_column():
    result = peer_groups(TRIANGLE, variables=[X, PeerVariable("absent", weight=0)], k=1)

    assert "contribution_absent" not in result.columns
    assert _pairs(result) == [("A", 1, "B"), ("B", 1, "A"), ("C", 1, "B")]


def test_within_keeps_peers_in_the_same_group():
    frame = pl.DataFrame(
        {
            "territory": ["001", "002", "003", "004", "005"],
            "regione": ["N", "S", "N", "S", "N"],
            "x": [1.0, 1.1, 5.0, 9.0, 9.5],
        }
    )

    result = peer_groups(frame, variables=[X], k=2, within="regione")

    # 002 has only 004 in its group: one peer, although 001 is nearer.
    assert _pairs(result) == [
        ("001", 1, "003"),
        ("001", 2, "005"),
        ("002", 1, "004"),
        ("003", 1, "001"),
        ("003", 2, "005"),
        ("004", 1, "002"),
        ("005", 1, "003"),
        ("005", 2, "001"),
    ]


def test_a_missing_value_is_compared_on_the_variables_present_never_as_zero():
    # z_x = [-1, 0, 1, —]; y = [0, 2, 0, 0] has mean 0.5 and sd 1, so z_y = [-0.5, 1.5, -0.5, -0.5].
    frame = pl.DataFrame(
        {"territory": ["A", "B", "C", "D"], "x": [-1.0, 0.0, 1.0, None], "y": [0.0, 2.0, 0.0, 0.0]}
    )

    result = peer_groups(frame, variables=[X, Y], k=3)

    d = result.filter(pl.col("territory") == "D")
    # On y alone (half the weight: enough), rescaled to the weight present: D–A 0, D–C 0, D–B 2.
    # Read as 0 (the mean), x would have put B at √((0 + 4)/2) = √2 instead.
    assert d["peer"].to_list() == ["A", "C", "B"]
    assert d["distance"].to_list() == pytest.approx([0, 0, 2])
    assert d["variables_used"].to_list() == [1, 1, 1]
    assert d["contribution_x"].to_list() == [None, None, None]
    assert d["contribution_y"].to_list() == [None, None, 1.0]  # nothing to share at distance 0
    assert d["differs_most_on"].to_list() == [None, None, "y"]
    a = result.filter(pl.col("territory") == "A")
    assert a["peer"].to_list() == ["D", "C", "B"]
    assert a["distance"].to_list() == pytest.approx([0, math.sqrt(2), math.sqrt(2.5)])
    assert a["variables_used"].to_list() == [1, 2, 2]


def test_pairs_sharing_too_little_weight_are_not_compared():
    frame = pl.DataFrame(
        {"territory": ["A", "B", "C", "D"], "x": [-1.0, 0.0, 1.0, None], "y": [0.0, 2.0, 0.0, 0.0]}
    )

    result = peer_groups(frame, variables=with_weights([X, Y], {"x": 2}), k=2)

    # D shares y only, a third of the weight (< one half): it has no peers and is nobody's.
    assert "D" not in result["territory"].to_list()
    assert "D" not in result["peer"].to_list()
    assert (
        peer_groups(frame, variables=with_weights([X, Y], {"x": 2}), k=2, min_shared_weight=0.3)["territory"]
        .to_list()
        .count("D")
        == 2
    )


def test_ties_are_broken_by_code_whatever_the_order_of_the_rows():
    frame = pl.DataFrame({"territory": ["003", "010", "001", "002", "004"], "x": [5.0, 0.0, 5.0, 5.0, 5.0]})

    result = peer_groups(frame, variables=[X], k=3)
    shuffled = peer_groups(frame.reverse(), variables=[X], k=3)
    brute = peer_groups(frame, variables=[X], k=3, method="brute")

    assert result.filter(pl.col("territory") == "010")["peer"].to_list() == ["001", "002", "003"]
    assert result.filter(pl.col("territory") == "002")["peer"].to_list() == ["001", "003", "004"]
    assert result.equals(shuffled)
    assert result.equals(brute)


def test_categories_ordinal_and_one_hot():
    frame = pl.DataFrame(
        {"territory": ["A", "B", "C", "D"], "zone": [1, 2, 5, 3], "kind": ["p", "p", "q", "r"]}
    )
    zone = PeerVariable("zone", "categorical_ordinal", levels={"1": 0, "2": 0, "3": 1, "4": 1, "5": 2})
    kind = PeerVariable("kind", "one_hot")

    by_zone = peer_groups(frame, variables=[zone], k=1)
    by_kind = peer_groups(frame, variables=[kind], k=3)

    # Inland (1) and coastal (2) mountain score alike: A and B are at distance 0.
    assert _distances(by_zone)[("A", "B")] == 0
    # One-hot: two distinct territories differ with chance q = 1 − (2·1)/(4·3) = 5/6; a mismatch is √(2/q).
    assert _distances(by_kind)[("A", "B")] == 0
    assert _distances(by_kind)[("A", "C")] == pytest.approx(math.sqrt(2.4))
    assert _distances(by_kind)[("C", "D")] == pytest.approx(math.sqrt(2.4))


def test_explain_neighbour_names_what_is_close_and_what_differs():
    frame = TRIANGLE.with_columns(z=pl.Series([1.0, 2.0, 3.0]))

    table = explain_neighbour(frame, territory="A", peer="C", variables=[X, Y, PeerVariable("z")])

    # Δx = 2, Δy = −1, Δz = 2 (sd 1): shares 4/9, 1/9, 4/9; y is the only one closer than random.
    assert table["variable"].to_list() == ["x", "y", "z"]
    assert table["difference"].to_list() == pytest.approx([2, -1, 2])
    assert table["contribution"].to_list() == pytest.approx([4 / 9, 1 / 9, 4 / 9])
    assert table["explanation"].to_list() == ["differs_most", "closest", None]
    assert table["territory_value"].to_list() == ["-1.0", "0.0", "1.0"]


def test_structural_variables_for_comuni_and_their_sums():
    counts = pl.DataFrame(
        {
            "territory": ["001", "002"],
            "population": [1000, 3000],
            "population_0_14": [100, 0],
            "population_65_plus": [250, 900],
            "area_km2": [10.0, 20.0],
            "taxable_income_eur": [20_000_000.0, 40_000_000.0],
            "taxable_income_taxpayers": [800, 2000],
            "altimetric_zone": ["1", "5"],
            "degurba": ["3", "2"],
            "inner_area_class": ["E", "C"],
        }
    )
    membership = pl.DataFrame({"territory": ["001", "002"], "parent": ["ATS1", "ATS1"]})

    comuni = structural_variables(counts)
    ambiti = structural_variables(counts, membership=membership)

    assert comuni.row(0, named=True) == {
        "territory": "001",
        "population": 1000.0,
        "old_age_index": 250.0,
        "share_0_14": pytest.approx(100.5 / 1001),
        "mean_taxable_income": 25_000.0,
        "density": 100.0,
        "altimetric_zone": "1",
        "degurba": "3",
        "inner_area_class": "E",
    }
    assert comuni["old_age_index"].to_list()[1] is None  # no children: not a number
    # Sums: 4000 residents, 100 children, 1150 elderly, 30 km², 60M / 2800; scores weighted 1:3.
    assert ambiti.row(0, named=True) == pytest.approx(
        {
            "territory": "ATS1",
            "population": 4000.0,
            "old_age_index": 1150.0,
            "share_0_14": 100.5 / 4001,
            "mean_taxable_income": 60_000_000 / 2800,
            "density": 4000 / 30,
            "altimetric_score": (1000 * 0 + 3000 * 2) / 4000,
            "degurba_score": (1000 * 3 + 3000 * 2) / 4000,
            "inner_area_score": (1000 * 4 + 3000 * 2) / 4000,
        }
    )
    assert {variable.name for variable in AMBITO_VARIABLES} <= set(ambiti.columns)


def test_an_unknown_part_makes_the_sum_unknown():
    counts = pl.DataFrame(
        {
            "territory": ["001", "002"],
            "population": [1000, None],
            "population_0_14": [100, 200],
            "population_65_plus": [250, 300],
            "area_km2": [10.0, 20.0],
            "taxable_income_eur": [1.0, 1.0],
            "taxable_income_taxpayers": [1, 1],
            "altimetric_zone": ["1", "5"],
            "degurba": ["3", "2"],
            "inner_area_class": ["E", None],
        }
    )
    membership = pl.DataFrame({"territory": ["001", "002", "003"], "parent": ["P", "P", "Q"]})

    ambiti = structural_variables(counts, membership=membership)

    p, q = ambiti.row(0, named=True), ambiti.row(1, named=True)
    assert p["population"] is None and p["altimetric_score"] is None and p["inner_area_score"] is None
    assert p["old_age_index"] == pytest.approx(100 * 550 / 300)  # both parts known
    assert q["population"] is None  # comune 003 has no counts at all


def test_the_input_frame_is_left_as_it_was():
    before = TRIANGLE.clone()

    peer_groups(TRIANGLE, variables=[X, Y], k=2)
    explain_neighbour(TRIANGLE, territory="A", peer="B", variables=[X, Y])

    assert TRIANGLE.equals(before)


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "x", "weight": -1}, "Variable 'x' has weight -1; a weight must be a finite number ≥ 0."),
        ({"name": "x", "weight": float("nan")}, "Variable 'x' has weight nan"),
        ({"name": "x", "transform": "sqrt"}, "The transform of variable 'x' must be one of identity, log, "),
        (
            {"name": "x", "missing": "impute"},
            "The missing rule of 'x' must be one of skip, raise; got 'impute'.",
        ),
        (
            {"name": "x", "transform": "categorical_ordinal"},
            "Variable 'x' is categorical_ordinal: give its levels",
        ),
        ({"name": "x", "levels": ["a", "b"]}, "Variable 'x' has levels but transform 'identity'"),
        ({"name": "x", "transform": "one_hot", "levels": ["a", "a"]}, "Variable 'x' repeats a level: a, a."),
        ({"name": "territory"}, "A peer variable needs a column name other than 'territory'"),
    ],
)
def test_a_bad_variable_is_refused(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PeerVariable(**arguments)


@pytest.mark.parametrize(
    ("frame", "variables", "kwargs", "message"),
    [
        (
            TRIANGLE.with_columns(x=pl.Series([1.0, 0.0, 2.0])),
            [PeerVariable("x", "log")],
            {"k": 1},
            "Row 1 (territory B) has x = 0.0; the log transform needs a value > 0.",
        ),
        (
            TRIANGLE.with_columns(x=pl.Series([0.1, 12.5, 0.2])),
            [PeerVariable("x", "logit_share")],
            {"k": 1},
            "Row 1 (territory B) has x = 12.5; logit_share needs a proportion strictly between 0 and 1",
        ),
        (TRIANGLE, [X], {"k": 3}, "k = 3 peers need at least 4 territories; the frame has 3."),
        (TRIANGLE, [X], {"k": 0}, "k must be a whole number ≥ 1; got 0."),
        (TRIANGLE, [X, PeerVariable("w")], {"k": 1}, "The frame lacks the column(s) w"),
        (TRIANGLE, [X, X], {"k": 1}, "The variables repeat x; each column counts once."),
        (TRIANGLE, [PeerVariable("x", weight=0)], {"k": 1}, "Every variable has weight 0"),
        (
            pl.concat([TRIANGLE, TRIANGLE.head(1)]),
            [X],
            {"k": 1},
            "Territory A appears more than once",
        ),
        (
            TRIANGLE.with_columns(x=pl.Series([1.0, None, 2.0])),
            [PeerVariable("x", missing="raise")],
            {"k": 1},
            "Row 1 (territory B) has no value of x, whose missing rule is 'raise'.",
        ),
        (
            TRIANGLE.with_columns(zone=pl.Series(["1", "9", "5"])),
            [PeerVariable("zone", "categorical_ordinal", levels=["1", "5"])],
            {"k": 1},
            "Row 1 (territory B) has zone '9', not one of its levels (1, 5).",
        ),
        (
            TRIANGLE.with_columns(x=pl.Series(["1", "two", "3"])),
            [X],
            {"k": 1},
            "Row 1 (territory B) has x 'two'; x must be a number.",
        ),
        (
            TRIANGLE.with_columns(regione=pl.Series(["N", None, "N"])),
            [X],
            {"k": 1, "within": "regione"},
            "Row 1 (territory B) has no value of regione.",
        ),
        (
            TRIANGLE.with_columns(x=pl.Series([None, None, None], dtype=pl.Float64)),
            [X, Y],
            {"k": 1},
            "Variable 'x' has no value in any row: nothing to compare.",
        ),
        (TRIANGLE, [X], {"k": 1, "method": "annoy"}, "The search method must be one of auto, brute"),
        (TRIANGLE, [X], {"k": 1, "min_shared_weight": 1.5}, "min_shared_weight must be a share from 0 to 1"),
    ],
)
def test_bad_input_is_refused_naming_the_variable_and_row(frame, variables, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        peer_groups(frame, variables=variables, **kwargs)


def test_with_weights_refuses_an_unknown_variable():
    with pytest.raises(ValueError, match="No variable named populaton; the variables are population, "):
        with_weights(DEFAULT_VARIABLES, {"populaton": 2})


# --- properties -----------------------------------------------------------------------------------


@st.composite
def frames(draw: st.DrawFn) -> tuple[pl.DataFrame, list[PeerVariable], int]:
    """3–12 territories, 1–3 variables of small integers (many ties) with some values missing."""
    size = draw(st.integers(3, 12))
    count = draw(st.integers(1, 3))
    codes = draw(st.permutations([f"{code:03d}" for code in range(size)]))
    columns = {
        f"v{index}": draw(st.lists(st.none() | st.integers(-3, 3), min_size=size, max_size=size))
        for index in range(count)
    }
    for values in columns.values():  # a variable with no value at all is refused
        if all(value is None for value in values):
            values[0] = 0
    weights = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=count, max_size=count))
    variables = [PeerVariable(name, weight=weight) for name, weight in zip(columns, weights, strict=True)]
    frame = pl.DataFrame({"territory": codes, **columns}, schema_overrides=dict.fromkeys(columns, pl.Float64))
    return frame, variables, draw(st.integers(1, size - 1))


@PROPERTY
@given(frames())
def test_peers_never_include_themselves_and_distances_grow_with_rank(case):
    frame, variables, k = case

    result = peer_groups(frame, variables=variables, k=k, min_shared_weight=0)

    assert (result["territory"] != result["peer"]).all()
    for _, group in result.group_by("territory"):
        assert group["rank"].to_list() == list(range(1, group.height + 1))
        assert group.height <= k
        assert np.all(np.diff(group["distance"].to_numpy()) >= -1e-12)
    similarity = result["similarity"].to_numpy()
    assert np.all((similarity >= 0) & (similarity <= 100))


@PROPERTY
@given(frames())
def test_distance_is_symmetric(case):
    frame, variables, _ = case

    result = peer_groups(frame, variables=variables, k=frame.height - 1, min_shared_weight=0)

    distances = _distances(result)
    for (territory, peer), distance in distances.items():
        assert distances[(peer, territory)] == pytest.approx(distance, abs=1e-12)


@PROPERTY
@given(frames())
def test_contributions_sum_to_one_and_both_searches_agree(case):
    frame, variables, k = case

    result = peer_groups(frame, variables=variables, k=k, min_shared_weight=0)
    brute = peer_groups(frame, variables=variables, k=k, min_shared_weight=0, method="brute")

    contributions = result.select(pl.sum_horizontal(pl.col("^contribution_.*$")).alias("sum"), "distance")
    apart = contributions.filter(pl.col("distance") > 0)
    assert np.allclose(apart["sum"].to_numpy(), 1.0)
    assert result.equals(brute)


# --- all of Italy ---------------------------------------------------------------------------------


def _italy() -> pl.DataFrame:
    """The default variables of the 7,899 comuni of 2023, read from the bundled files with Polars."""
    ages = [f"a{age}" for age in range(101)]
    population = (
        pl.read_csv(DATA / "istat/popolazione_eta_sesso_comuni_2022_2023.csv.gz", infer_schema=False)
        .filter(pl.col("anno") == "2023")
        .with_columns(pl.col(ages).cast(pl.Int64))
        .group_by("codice_comune")
        .agg(
            population=pl.sum_horizontal(ages).sum(),
            population_0_14=pl.sum_horizontal(ages[:15]).sum(),
            population_65_plus=pl.sum_horizontal(ages[65:]).sum(),
        )
    )
    registry = pl.read_csv(DATA / "istat/comuni_2023.csv", infer_schema=False)
    classes = pl.read_csv(DATA / "istat/classificazioni_comuni_2023.csv", infer_schema=False).select(
        "codice_comune",
        pl.col("superficie_kmq").cast(pl.Float64).alias("area_km2"),
        pl.col("zona_altimetrica").alias("altimetric_zone"),
        pl.col("grado_urbanizzazione").alias("degurba"),
    )
    irpef = pl.read_csv(DATA / "mef/irpef_comuni_2021.csv", infer_schema=False).select(
        "codice_comune",
        pl.col("reddito_imponibile_eur").cast(pl.Float64).alias("taxable_income_eur"),
        pl.col("reddito_imponibile_freq").cast(pl.Float64).alias("taxable_income_taxpayers"),
    )
    inner = pl.read_csv(DATA / "dpcoe/classificazione_aree_interne_2020.csv", infer_schema=False).select(
        "codice_comune", pl.col("cod_ai_2020").alias("inner_area_class")
    )
    counts = (
        registry.select("codice_comune", "comune")
        .join(population, on="codice_comune", how="left")
        .join(classes, on="codice_comune", how="left")
        .join(irpef, on="codice_comune", how="left")
        .join(inner, on="codice_comune", how="left")
        .rename({"codice_comune": "territory"})
    )
    return structural_variables(counts).join(counts.select("territory", "comune"), on="territory")


def test_peers_of_all_italy_on_the_bundled_data():
    started = time.perf_counter()
    italy = _italy()

    result = peer_groups(italy, k=15)
    elapsed = time.perf_counter() - started

    assert italy.height == 7899
    assert elapsed < 10
    # Misiliscemi, Montecopiolo and Sassofeltrio have no population: they share less than half the weight.
    assert result["territory"].n_unique() == 7896
    assert result.height == 7896 * 15
    peers = result.join(italy.rename({"territory": "peer"}), on="peer")
    milano = peers.filter(pl.col("territory") == "015146")
    assert set(milano["comune"].head(3)) == {"Roma", "Torino", "Bologna"}
    assert (milano["population"] > 100_000).all()
    assert set(milano["degurba"]) == {"1"}  # cities
    # Morterone (LC), 32 residents in the mountains: peers are tiny rural mountain comuni in inner areas.
    morterone = peers.filter(pl.col("territory") == "097055")
    assert (morterone["population"] < 500).all()
    assert set(morterone["altimetric_zone"]) <= {"1", "2"}
    assert set(morterone["degurba"]) == {"3"}
    assert set(morterone["inner_area_class"]) <= {"D", "E", "F"}
    assert peers.filter(pl.col("territory") == "037006")["comune"].first() == "Firenze"
