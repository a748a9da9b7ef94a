"""The indicator pages: the catalogue by need domain, and one indicator with its values."""

from __future__ import annotations

import polars as pl
import pytest

from tests.factories import make_italy_slice
from welfarelab.indicators.catalogue import catalogue_load
from welfarelab.indicators.models import Indicator
from welfarelab.indicators.services import observations_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def italy():
    territories = make_italy_slice()
    catalogue_load()
    frame = pl.DataFrame(
        {
            "territory_id": [territories["aglie"].pk, territories["roma"].pk],
            "period": [2023, 2023],
            "numerator": [600.0, 650_000.0],
            "denominator": [2_500.0, 2_750_000.0],
        }
    )
    observations_store(indicator=Indicator.objects.get(code="share_65_plus"), frame=frame, batch=None)
    return territories


def test_the_catalogue_page_groups_indicators_by_need_domain(client, italy):
    page = client.get("/indicatori/").content.decode()
    assert "Invecchiamento e non autosufficienza" in page
    assert 'href="/indicatori/old_age_index/"' in page


def test_the_indicator_page_shows_its_definition_source_and_values(client, italy):
    page = client.get("/indicatori/share_65_plus/", {"kind": "comune"}).content.decode()
    assert "residenti di 65 anni e più" in page  # numerator
    assert "Wilson" in page
    assert "CC BY 4.0" in page
    # Roma 23.6% against Italy 23.6%: the sum of the two comuni, shown as Italy's figure.
    assert "23,6" in page and "Agliè" in page
    assert "/api/v1/indicators/share_65_plus/values?period=2023&amp;kind=comune&amp;format=csv" in page


def test_the_indicator_page_compares_each_territory_with_italy(client, italy):
    page = client.get("/indicatori/share_65_plus/", {"kind": "comune", "order": "desc"}).content.decode()
    # Agliè: 24.0% (600 / 2,500) with a wide interval: similar to Italy; the ordering puts it first.
    assert page.index("Agliè") < page.index(">Roma<")
    assert "wl-comparison-similar" in page


def test_the_english_page_uses_the_english_texts(client, italy):
    page = client.get("/en/indicatori/share_65_plus/").content.decode()
    assert "People aged 65 and over, share" in page


def test_an_unknown_or_unpublished_indicator_is_404(client, italy):
    Indicator.objects.filter(code="mean_age").update(is_published=False)
    assert client.get("/indicatori/mean_age/").status_code == 404
    assert client.get("/indicatori/nothing_here/").status_code == 404


def test_an_indicator_without_values_says_so(client, italy):
    page = client.get("/indicatori/old_age_index/").content.decode()
    assert "non è stato ancora caricato nessun valore" in page


def test_the_pages_own_kind_filter_does_not_leak_into_the_header_search(client, italy):
    page = client.get("/indicatori/share_65_plus/", {"kind": "comune"}).content.decode()
    assert '<label for="">' not in page


def test_a_bad_filter_falls_back_to_the_defaults(client, italy):
    response = client.get("/indicatori/share_65_plus/", {"period": "1900", "kind": "pianeta"})
    assert response.status_code == 200
