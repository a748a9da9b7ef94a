"""The built-in indicators computed from a real slice of the bundled open data, checked against their inputs."""

from __future__ import annotations

import polars as pl
import pytest
from django.db.models import Q, Sum

from welfarelab.indicators.models import ImportBatch, Indicator, Observation
from welfarelab.indicators.open_data import open_data_indicators_compute, open_data_indicators_load
from welfarelab.organisations.loaders import organisations_load
from welfarelab.organisations.models import Organisation
from welfarelab.territories.loaders import open_data_load
from welfarelab.territories.models import DataQualityIssue, PopulationByAge, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(slice_data_dir):
    open_data_load(data_dir=slice_data_dir)
    organisations_load(data_dir=slice_data_dir)
    return open_data_indicators_compute(data_dir=slice_data_dir)


def _people(territory: Territory, year: int, ages: Q | None = None) -> int:
    sums = PopulationByAge.objects.filter(ages or Q(), territory=territory, year=year).aggregate(
        m=Sum("males"), f=Sum("females")
    )
    return sums["m"] + sums["f"]


def test_every_built_in_indicator_gets_values(computed):
    assert [r.indicators for r in computed] == [14, 3, 1]
    empty = Indicator.objects.filter(is_builtin=True, observations__isnull=True)
    assert list(empty.values_list("code", flat=True)) == []


def test_old_age_index_of_italy_and_of_every_comune_agrees_with_the_population_to_the_last_digit(computed):
    territories = [Territory.objects.get(kind="italia"), *Territory.objects.filter(kind="comune")]
    checked = 0
    for territory in territories:
        observation = Observation.objects.filter(
            indicator__code="old_age_index", territory=territory, period=2023
        ).first()
        if not PopulationByAge.objects.filter(territory=territory, year=2023).exists():
            assert observation is None  # Misiliscemi: unknown, never 0
            continue
        old = _people(territory, 2023, Q(age__gte=65))
        young = _people(territory, 2023, Q(age__lte=14))
        assert (observation.numerator, observation.denominator) == (old, young)
        assert observation.value == old / young * 100
        assert (observation.lower_95, observation.upper_95) == (None, None)  # a ratio: no interval
        checked += 1
    # Italy and every comune but the three without residents (Misiliscemi, Montecopiolo, Sassofeltrio).
    assert checked == 1 + Territory.objects.filter(kind="comune").count() - 3


def test_shares_carry_wilson_limits_that_bracket_the_value(computed):
    roma = Observation.objects.get(indicator__code="share_65_plus", territory__code="058091", period=2023)
    assert roma.lower_95 < roma.value < roma.upper_95
    assert roma.upper_95 - roma.lower_95 < 0.2  # 2.7 million residents: a narrow interval


def test_irpef_values_are_the_files_counts_and_provinces_sum_their_comuni(computed, slice_data_dir):
    irpef = pl.read_csv(slice_data_dir / "mef/irpef_comuni_2021.csv", infer_schema=False)
    roma_file = irpef.filter(pl.col("codice_comune") == "058091").row(0, named=True)
    roma = Observation.objects.get(indicator__code="mean_taxable_income", territory__code="058091")
    assert roma.period == 2021
    assert roma.numerator == float(roma_file["reddito_imponibile_eur"])
    assert roma.denominator == float(roma_file["reddito_imponibile_freq"])

    province = Observation.objects.get(
        indicator__code="taxpayers_per_100", territory__kind="provincia", territory__code="058"
    )
    comuni = Observation.objects.filter(indicator__code="taxpayers_per_100", territory__provincia__code="058")
    assert province.origin == Observation.Origin.AGGREGATED
    assert province.numerator == sum(o.numerator for o in comuni)
    assert province.denominator == sum(o.denominator for o in comuni)
    assert province.coverage == 1.0


def test_irpef_codes_outside_the_list_are_reported_not_dropped(computed):
    codes = set(DataQualityIssue.objects.filter(dataset="mef_irpef_2021").values_list("code", flat=True))
    assert codes == {"005079", "005110"}  # merged in 2023 into a comune absent from the list


def test_an_aggregate_over_a_comune_without_population_says_its_coverage(computed):
    trapani = Observation.objects.get(
        indicator__code="taxpayers_per_100", territory__kind="provincia", territory__code="081"
    )
    members = Territory.objects.filter(kind="comune", provincia__code="081").count()
    assert trapani.coverage == pytest.approx((members - 1) / members)  # Misiliscemi has no residents


def test_third_sector_density_counts_the_organisations_of_each_comune(computed):
    roma = Observation.objects.get(indicator__code="ets_per_10000", territory__code="058091")
    count = Organisation.objects.filter(kind="ets", source="5x1000_2022", territory__code="058091").count()
    assert roma.numerator == count
    assert roma.denominator == _people(roma.territory, 2023)
    assert roma.lower_95 < roma.value < roma.upper_95  # Byar limits


def test_computing_again_replaces_the_values_and_the_batch(computed, slice_data_dir):
    before = Observation.objects.count()
    open_data_indicators_compute(data_dir=slice_data_dir)
    assert Observation.objects.count() == before
    assert ImportBatch.objects.filter(origin=ImportBatch.Origin.OPEN_DATA).count() == 3


def test_the_load_step_is_skipped_once_done_unless_forced(computed, slice_data_dir):
    first = open_data_indicators_load(data_dir=slice_data_dir, force=True)
    again = open_data_indicators_load(data_dir=slice_data_dir)
    assert not first.skipped
    assert again.skipped
    assert again.rows == first.rows == Observation.objects.filter(origin="reported").count()
