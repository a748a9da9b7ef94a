from __future__ import annotations

import pytest

from welfarelab.indicators.catalogue import INDICATORS_FILE, NEED_DOMAINS_FILE, CatalogueError, catalogue_load
from welfarelab.indicators.models import Indicator, NeedDomain

pytestmark = pytest.mark.django_db


def test_the_catalogue_loads_and_loading_again_updates_in_place():
    assert catalogue_load() == (11, 18)
    first_pk = Indicator.objects.get(code="old_age_index").pk
    Indicator.objects.filter(code="old_age_index").update(name_it="changed")
    catalogue_load()
    indicator = Indicator.objects.get(code="old_age_index")
    assert indicator.pk == first_pk
    assert indicator.name_it == "Indice di vecchiaia"
    assert indicator.is_builtin
    assert set(indicator.need_domains.values_list("code", flat=True)) == {
        "demografia",
        "invecchiamento_non_autosufficienza",
    }


def test_every_built_in_indicator_states_its_source_licence_and_interval_method():
    catalogue_load()
    for indicator in Indicator.objects.all():
        assert indicator.source and indicator.licence and indicator.definition_en, indicator.code
        assert indicator.need_domains.exists(), indicator.code
        if indicator.statistic not in {"count", "enumeration"}:
            assert indicator.denominator_it, indicator.code


def test_indicators_made_in_the_admin_are_left_alone():
    catalogue_load()
    Indicator.objects.create(
        code="nursery_places",
        name_it="Posti nido",
        definition_it="…",
        polarity="higher_is_better",
        statistic="proportion",
        source="Comuni",
        licence="CC BY 4.0",
        period_type="school_year",
    )
    catalogue_load()
    assert Indicator.objects.filter(code="nursery_places", is_builtin=False).exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- code: x_y\n  colour: red\n", "unknown field(s) colour"),
        ("- name_it: nameless\n", "every entry needs a code"),
        ("- code: x_y\n  need_domains: [nowhere]\n", "unknown need domain(s) nowhere"),
    ],
)
def test_a_malformed_entry_names_the_file_the_entry_and_the_field_and_writes_nothing(
    tmp_path, entry, message
):
    bad = tmp_path / "indicators.yaml"
    bad.write_text(entry)
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        catalogue_load(indicators_file=bad)
    assert NeedDomain.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_an_invalid_value_is_reported_with_the_field(tmp_path):
    bad = tmp_path / "indicators.yaml"
    text = INDICATORS_FILE.read_text().replace("statistic: ratio", "statistic: guess", 1)
    bad.write_text(text)
    with pytest.raises(CatalogueError, match=r"indicator old_age_index: statistic"):
        catalogue_load(indicators_file=bad, need_domains_file=NEED_DOMAINS_FILE)
