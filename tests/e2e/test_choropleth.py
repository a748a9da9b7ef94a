"""The map of an indicator on the community profile, drawn by choropleth.js in headless Chromium.

The page must draw every comune of the regione from the bundled boundaries with nothing fetched beyond
127.0.0.1 (plotly.js would ask cdn.plot.ly for the world's coastlines), outline the territory, and say in
words what the colours say.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, Visit, assert_accessible
from welfarelab.indicators.open_data import open_data_indicators_compute
from welfarelab.territories.loaders import open_data_load

pytestmark = pytest.mark.e2e

ASTI_PAGE = "/profili/comune/005005/indicatori/share_65_plus/"
PIEMONTE_COMUNI = 1179


@pytest.fixture
def slice_loaded(transactional_db, slice_data_dir):
    open_data_load(data_dir=slice_data_dir)
    open_data_indicators_compute(data_dir=slice_data_dir)


def _wait_for_the_map(visit: Visit) -> None:
    visit.page.wait_for_selector("[data-choropleth-ready]", timeout=30_000)
    assert visit.page.get_attribute("[data-choropleth-url]", "data-choropleth-ready") == "true"


def test_the_map_draws_the_comuni_of_the_regione_and_outlines_the_comune(desktop: Visit, slice_loaded):
    page = desktop.page
    desktop.open(ASTI_PAGE)
    _wait_for_the_map(desktop)

    map_ = page.locator("[data-choropleth-url]")
    # One filled shape per comune of Piemonte (coloured or grey), plus Asti's halo and outline.
    assert map_.locator("path.choroplethlocation").count() == PIEMONTE_COMUNI + 2
    expect(map_.locator("text", has_text="Asti")).to_be_visible()
    legend = page.locator(".wl-map-legend")
    expect(legend.locator("li")).to_have_count(5 + 1 + 1)  # five classes, no value, the outlined comune
    expect(legend.locator("li").first).to_contain_text("1. ")
    expect(legend).to_contain_text("Asti")
    expect(legend).to_contain_text("%")
    # The map as one image, labelled with what it shows and where Asti stands.
    assert "Asti" in (map_.get_attribute("aria-label") or "")

    map_.scroll_into_view_if_needed()
    desktop.screenshot("choropleth-desktop")
    # The map with its legend and note, as a reader sees them.
    map_.locator("xpath=..").screenshot(path=str(SCREENSHOTS / "choropleth-map.png"))
    assert_accessible(desktop, "choropleth")


def test_hovering_a_comune_tells_its_name_value_and_class(desktop: Visit, slice_loaded):
    page = desktop.page
    desktop.open(ASTI_PAGE)
    _wait_for_the_map(desktop)

    page.locator("[data-choropleth-url]").scroll_into_view_if_needed()
    label = page.locator("[data-choropleth-url] text", has_text="Asti").first
    box = label.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] + 14)

    # Just below the label's dot: Asti itself, with its value and class.
    hover = page.locator("[data-choropleth-url] .hoverlayer").first
    expect(hover).to_contain_text("Asti")
    expect(hover).to_contain_text("26,5\u00a0% (2/5)")


def test_the_map_fits_a_phone(phone: Visit, slice_loaded):
    phone.open(ASTI_PAGE)
    _wait_for_the_map(phone)

    svg = phone.page.locator("[data-choropleth-url] svg.main-svg").first
    box = svg.bounding_box()
    assert box is not None and box["width"] <= 390
    map_ = phone.page.locator("[data-choropleth-url]")
    map_.scroll_into_view_if_needed()
    phone.screenshot("choropleth-phone")
    map_.locator("xpath=..").screenshot(path=str(SCREENSHOTS / "choropleth-map-phone.png"))
