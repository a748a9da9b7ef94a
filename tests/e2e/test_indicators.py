"""Indicator pages in headless Chromium: from a territory's value to its definition and back, accessible."""

from __future__ import annotations

import polars as pl
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from welfarelab.indicators.catalogue import catalogue_load
from welfarelab.indicators.models import Indicator
from welfarelab.indicators.services import observations_store

pytestmark = pytest.mark.e2e


@pytest.fixture
def values(italy):
    catalogue_load()
    frame = pl.DataFrame(
        {
            "territory_id": [italy["aglie"].pk, italy["roma"].pk],
            "period": [2023, 2023],
            "numerator": [700.0, 650_000.0],
            "denominator": [2_500.0, 2_750_000.0],
        }
    )
    observations_store(indicator=Indicator.objects.get(code="share_65_plus"), frame=frame, batch=None)
    return italy


def test_a_value_on_a_territory_page_leads_to_its_definition_and_every_territory(desktop: Visit, values):
    page = desktop.page
    desktop.open("/territori/comune/001001/")
    row = page.locator("#indicators tr", has_text="Anziani di 65 anni e più")
    expect(row).to_contain_text("28,0")  # 700 / 2,500
    expect(row).to_contain_text("Significativamente più alto")
    row.locator("a.wl-value").click()

    expect(page.locator("h1")).to_have_text("Anziani di 65 anni e più sul totale")
    expect(page.locator("aside")).to_contain_text("Wilson")
    page.select_option("#id_kind", "comune")
    page.locator("form.wl-filters button").click()
    expect(page.locator("table.wl-table tbody tr")).to_have_count(2)
    desktop.screenshot("indicator-desktop")
    assert_accessible(desktop, "indicator")


def test_the_catalogue_is_accessible(desktop: Visit, values):
    desktop.open("/indicatori/")
    expect(desktop.page.locator("h2", has_text="Invecchiamento e non autosufficienza")).to_be_visible()
    assert_accessible(desktop, "indicator-catalogue")
