"""The community profile in headless Chromium: spine charts, funnel plot, map and PDF, accessible."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from welfarelab.benchmarking.peers import peers_compute
from welfarelab.indicators.open_data import open_data_indicators_compute
from welfarelab.organisations.loaders import organisations_load
from welfarelab.territories.loaders import open_data_load

pytestmark = pytest.mark.e2e

ASTI = "005005"


@pytest.fixture
def profiled(transactional_db, slice_data_dir):
    open_data_load(data_dir=slice_data_dir)
    organisations_load(data_dir=slice_data_dir)
    open_data_indicators_compute(data_dir=slice_data_dir)
    peers_compute(kind="comune")


def test_the_profile_of_a_comune_draws_its_spine_charts_and_exports_a_pdf(desktop: Visit, profiled):
    page = desktop.page
    desktop.open(f"/profili/comune/{ASTI}/")

    expect(page.locator("h1")).to_have_text("Asti")
    expect(page.locator("#learn h2")).to_be_visible()
    spine = page.locator('[data-figure="spine-demografia"]')
    expect(spine.locator("svg.main-svg").first).to_be_visible()
    expect(spine).to_contain_text("Italia")
    expect(page.locator("#domain-demografia table tbody tr").first).to_be_visible()
    desktop.screenshot("profile-desktop")
    assert_accessible(desktop, "profile")

    pdf = page.request.get(urljoin(page.url, page.get_attribute("a[href*='/pdf/']", "href")))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_an_indicator_of_the_profile_shows_trend_funnel_map_and_ranking(desktop: Visit, profiled):
    page = desktop.page
    desktop.open(f"/profili/comune/{ASTI}/indicatori/share_65_plus/")

    expect(page.locator('[data-figure="trend-figure"] svg.main-svg').first).to_be_visible()
    expect(page.locator('[data-figure="funnel-figure"] svg.main-svg').first).to_be_visible()
    expect(page.locator(".wl-map svg.main-svg").first).to_be_visible()
    expect(page.locator("tr.wl-row-this").first).to_contain_text("Asti")
    desktop.screenshot("profile-indicator-desktop")
    assert_accessible(desktop, "profile-indicator")


def test_the_profile_reads_on_a_phone(phone: Visit, profiled):
    phone.open(f"/profili/comune/{ASTI}/")

    expect(phone.page.locator("h1")).to_have_text("Asti")
    phone.screenshot("profile-phone")
    assert_accessible(phone, "profile-phone")
