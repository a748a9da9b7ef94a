"""observations_store and observations_withdraw: counts, sums after changes, batches that cannot vanish."""

from __future__ import annotations

import polars as pl
import pytest
from django.db.models import ProtectedError

from tests.factories import make_italy_slice
from welfarelab.indicators.models import ImportBatch, Indicator, Observation
from welfarelab.indicators.selectors import compared_with
from welfarelab.indicators.services import observations_store, observations_withdraw

pytestmark = pytest.mark.django_db


def _indicator(statistic: str, multiplier: float = 1) -> Indicator:
    return Indicator.objects.create(
        code=f"test_{statistic}",
        name_it=statistic,
        definition_it="…",
        polarity="lower_is_better",
        statistic=statistic,
        multiplier=multiplier,
        source="test",
        licence="CC BY 4.0",
        period_type="calendar_year",
    )


def _values(frame: dict) -> pl.DataFrame:
    return pl.DataFrame(frame)


def test_a_count_given_as_its_value_is_its_own_numerator_and_is_summed():
    italy = make_italy_slice()
    indicator = _indicator("count")
    frame = _values(
        {
            "territory_id": [italy["roma"].pk, italy["aglie"].pk],
            "period": [2024, 2024],
            "value": [120.0, 30.0],
        }
    )

    observations_store(indicator=indicator, frame=frame, batch=None)

    roma = Observation.objects.get(indicator=indicator, territory=italy["roma"])
    assert roma.numerator == 120 and roma.lower_95 < 120 < roma.upper_95
    total = Observation.objects.get(indicator=indicator, territory=italy["italia"])
    assert (total.numerator, total.value, total.coverage) == (150, 150, 1.0)


def test_counts_are_not_compared_with_italy():
    italy = make_italy_slice()
    indicator = _indicator("count")
    observations_store(
        indicator=indicator,
        frame=_values({"territory_id": [italy["roma"].pk], "period": [2024], "value": [5.0]}),
        batch=None,
    )
    roma = Observation.objects.get(indicator=indicator, territory=italy["roma"])
    national = Observation.objects.get(indicator=indicator, territory=italy["italia"])
    assert [c.comparison for c in compared_with([roma], comparator=national, indicator=indicator)] == [
        "not_comparable"
    ]


def test_withdrawing_a_parents_own_value_brings_back_the_sum_of_its_comuni():
    italy = make_italy_slice()
    indicator = _indicator("proportion", 100)
    comuni = _values(
        {"territory_id": [italy["roma"].pk], "period": [2024], "numerator": [30.0], "denominator": [100.0]}
    )
    observations_store(indicator=indicator, frame=comuni, batch=None)
    own = _values(
        {"territory_id": [italy["lazio"].pk], "period": [2024], "numerator": [90.0], "denominator": [200.0]}
    )
    observations_store(indicator=indicator, frame=own, batch=None)
    assert Observation.objects.get(indicator=indicator, territory=italy["lazio"]).origin == "reported"

    withdrawn = observations_withdraw(indicator=indicator, territory_ids=[italy["lazio"].pk], period=2024)

    lazio = Observation.objects.get(indicator=indicator, territory=italy["lazio"])
    assert withdrawn == 1
    assert (lazio.origin, lazio.numerator, lazio.denominator) == ("aggregated", 30, 100)


def test_a_batch_with_values_cannot_be_deleted_behind_the_sums_back():
    italy = make_italy_slice()
    indicator = _indicator("proportion", 100)
    batch = ImportBatch.objects.create(origin=ImportBatch.Origin.UPLOAD, filename="a.csv")
    frame = _values(
        {"territory_id": [italy["roma"].pk], "period": [2024], "numerator": [1.0], "denominator": [2.0]}
    )
    observations_store(indicator=indicator, frame=frame, batch=batch)
    with pytest.raises(ProtectedError):
        batch.delete()
