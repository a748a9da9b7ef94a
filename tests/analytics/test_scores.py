import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.analytics.properties import PROPERTY
from welfarelab.analytics.scores import quantile_group, quintile, z_score


def test_z_scores_by_hand():
    # Mean 3, sample standard deviation √2.5 = 1.581139.
    frame = pl.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0, None]})

    result = z_score(frame, value="value")

    assert result["z_score"].round(6).to_list() == [-1.264911, -0.632456, 0.0, 0.632456, 1.264911, None]


def test_z_scores_within_groups_and_without_spread():
    frame = pl.DataFrame({"year": [2022, 2022, 2023, 2023, 2024], "value": [1.0, 3.0, 5.0, 5.0, 7.0]})

    result = z_score(frame, value="value", by="year")

    assert result["z_score"].round(6).to_list() == [-0.707107, 0.707107, None, None, None]


def test_quintiles_of_ten_values():
    frame = pl.DataFrame({"value": [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]})

    assert quintile(frame, value="value")["quintile"].to_list() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert quintile(frame, value="value", descending=True)["quintile"].to_list() == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


def test_tied_values_share_a_quintile_and_nulls_stay_null():
    # Nine values; the two 2s both take rank 2: 6 − ⌈(10 − 2)·5/9⌉ = 6 − 5 = 1.
    frame = pl.DataFrame({"value": [5.0, 1.0, 2.0, 2.0, 3.0, 4.0, None, 7.0, 8.0, float("nan"), 9.0]})

    result = quintile(frame, value="value")

    assert result["quintile"].to_list() == [3, 1, 1, 1, 2, 3, None, 4, 4, None, 5]


def test_a_group_with_fewer_values_than_groups_gets_no_quantile():
    frame = pl.DataFrame({"region": ["a"] * 5 + ["b"] * 4, "value": [1, 2, 3, 4, 5, 1, 2, 3, 4]})

    result = quintile(frame, value="value", by="region")

    assert result["quintile"].to_list() == [1, 2, 3, 4, 5, None, None, None, None]


def test_deciles():
    frame = pl.DataFrame({"value": list(range(20))})

    assert quantile_group(frame, value="value", groups=10)["quantile"].to_list() == [
        group for group in range(1, 11) for _ in range(2)
    ]


def _phe_quantile(values: list[float], groups: int, *, descending: bool) -> list[int | None]:
    """PHEindicatormethods `phe_quantile`, in exact arithmetic: floor(q + 1 − ceiling((m + 1 − rank)/(m/q)))."""
    present = [v for v in values if v is not None]
    m = len(present)
    result: list[int | None] = []
    for v in values:
        if v is None or m < groups:
            result.append(None)
            continue
        rank = 1 + sum(1 for other in present if (other > v if descending else other < v))
        quantile = groups + 1 - math.ceil(Fraction((m + 1 - rank) * groups, m))
        result.append(max(quantile, 1))
    return result


values = st.lists(st.one_of(st.none(), st.integers(-50, 50)), min_size=0, max_size=60)


@PROPERTY
@given(values=values, groups=st.sampled_from([4, 5, 10]), descending=st.booleans())
def test_quantiles_follow_phes_algorithm(values, groups, descending):
    frame = pl.DataFrame({"value": values}, schema={"value": pl.Int64})

    result = quantile_group(frame, value="value", groups=groups, descending=descending)

    assert result["quantile"].to_list() == _phe_quantile(values, groups, descending=descending)


@PROPERTY
@given(values=values, seed=st.randoms())
def test_quintiles_do_not_depend_on_row_order_and_never_decrease_with_the_value(values, seed):
    frame = pl.DataFrame(
        {"row": range(len(values)), "value": values}, schema={"row": pl.Int64, "value": pl.Int64}
    )
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed.randint(0, 2**32 - 1))

    ordered = quintile(frame, value="value")
    reordered = quintile(shuffled, value="value").sort("row")

    assert ordered["quintile"].to_list() == reordered["quintile"].to_list()
    ranked = ordered.drop_nulls("quintile").sort("value")
    assert (ranked["quintile"].diff().drop_nulls() >= 0).all()


@PROPERTY
@given(values=st.lists(st.integers(-1_000_000, 1_000_000), min_size=2, max_size=60, unique=True))
def test_z_scores_have_mean_zero_and_standard_deviation_one(values):
    result = z_score(pl.DataFrame({"value": values}), value="value")["z_score"]

    assert result.mean() == pytest.approx(0.0, abs=1e-9)
    assert result.std() == pytest.approx(1.0, rel=1e-9)
