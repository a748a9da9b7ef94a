"""The pages as a person uses them, in headless Chromium: search, a territory, language, phones, a11y."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible

pytestmark = pytest.mark.e2e

AGLIE = "/territori/comune/001001/"


def test_typing_aglie_in_the_header_suggests_aglie_and_its_page_draws_the_pyramid(desktop: Visit, italy):
    page = desktop.page
    desktop.open("/")

    page.locator("#header-q").press_sequentially("aglie", delay=40)

    suggestion = page.locator("#header-suggestions a").first
    expect(suggestion).to_contain_text("Agliè")
    # The live region announces how many (the words depend on the catalogue; the count does not).
    expect(page.locator("#header-status")).to_have_text(re.compile(r"^1 \w+"))
    desktop.screenshot("suggestions-desktop")
    suggestion.click()

    expect(page).to_have_url(desktop.base_url + AGLIE)
    expect(page.locator("h1")).to_have_text("Agliè")
    # Plotly drew its SVG: one bar per 5-year group (21) for each sex.
    expect(page.locator("#pyramid svg.main-svg").first).to_be_visible()
    expect(page.locator("#pyramid .trace.bars .point")).to_have_count(42)
    desktop.screenshot("territory-desktop")

    page.locator("label[for=pyramid-grouping-1]").click()  # Bootstrap Italia draws the radio on its label
    expect(page.locator("#pyramid-grouping-1")).to_be_checked()
    expect(page.locator("#pyramid .trace.bars .point")).to_have_count(202)


def test_suggestions_are_reached_with_the_keyboard(desktop: Visit, italy):
    page = desktop.page
    desktop.open("/")

    page.locator("#home-q").press_sequentially("agl", delay=40)
    expect(page.locator("#home-suggestions a").first).to_contain_text("Agliè")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#home-suggestions a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#home-q")).to_be_focused()
    expect(page.locator("#home-suggestions a")).to_have_count(0)

    page.keyboard.press("ArrowDown")  # nothing to reach now: focus stays in the field
    expect(page.locator("#home-q")).to_be_focused()
    page.keyboard.type("i")
    expect(page.locator("#home-suggestions a").first).to_contain_text("Agliè")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(desktop.base_url + AGLIE)


def test_search_works_without_javascript(no_javascript: Visit, italy):
    page = no_javascript.page
    no_javascript.open("/")

    page.locator("#home-q").fill("aglie")
    page.locator("#home-q").press("Enter")

    expect(page).to_have_url(re.compile(r"/territori/cerca/\?q=aglie$"))
    expect(page.locator(".wl-result-name")).to_have_text(["Agliè"])
    # The pyramid needs JavaScript; its numbers are in the tables all the same.
    page.locator(".wl-result-name").click()
    expect(page.locator("#pyramid svg")).to_have_count(0)
    expect(page.locator("table").filter(has_text="85+")).to_be_attached()


def test_switching_to_english_and_back(desktop: Visit, italy):
    page = desktop.page
    desktop.open(AGLIE)
    expect(page.locator("html")).to_have_attribute("lang", "it")

    page.locator('.wl-lang-switch button[value="en"]').click()

    expect(page).to_have_url(desktop.base_url + "/en" + AGLIE)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#pyramid-heading")).to_have_text("Age structure")
    expect(page.locator(".skiplinks a").first).to_have_text("Skip to main content")
    # Numbers follow the language: 2,525 residents in 2023 (101 ages × 25) in English.
    expect(page.locator(".wl-figure-value").first).to_have_text("2,525")
    desktop.screenshot("territory-desktop-en")

    page.locator('.wl-lang-switch button[value="it"]').click()
    expect(page).to_have_url(desktop.base_url + AGLIE)
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator(".wl-figure-value").first).to_have_text("2.525")
    expect(page.locator("#pyramid-heading")).not_to_have_text("Age structure")  # the Italian catalogue


def test_members_change_page_in_place_and_focus_follows(desktop: Visit, italy):
    from tests.factories import TerritoryFactory

    for n in range(55):
        TerritoryFactory(
            code=f"001{n + 100:03d}",
            name=f"Borgo {n:02d}",
            regione=italy["piemonte"],
            provincia=italy["torino"],
        )
    page = desktop.page
    desktop.open("/territori/provincia/001/")
    expect(page.locator("#members tbody tr")).to_have_count(50)

    page.locator("#members .pagination a", has_text="2").click()

    expect(page.locator("#members tbody tr")).to_have_count(6)
    expect(page).to_have_url(re.compile(r"/territori/provincia/001/\?page=2$"))
    expect(page.locator("#members-heading")).to_be_focused()
    expect(page.locator("#pyramid svg.main-svg").first).to_be_visible()  # the rest of the page stayed


def test_phone_menu_opens_and_pages_fit_the_screen(phone: Visit, italy):
    page = phone.page
    phone.open("/")
    phone.screenshot("home-phone")

    nav_link = page.locator('#main-nav .nav-link[href="/organizzazioni/"]')
    expect(nav_link).to_be_hidden()
    # Bootstrap Italia ignores a close while the menu is still sliding in: wait for its "shown" event.
    page.evaluate(
        "() => { window.menuShown = new Promise(resolve => document.getElementById('main-nav')"
        ".addEventListener('shown.bs.navbarcollapsible', resolve, {once: true})); }"
    )
    page.locator(".custom-navbar-toggler").click()
    page.evaluate("() => window.menuShown.then(() => true)")  # waits for the promise
    expect(nav_link).to_be_visible()
    expect(page.locator(".custom-navbar-toggler")).to_have_attribute("aria-expanded", "true")
    phone.screenshot("menu-phone")
    page.locator("#main-nav .close-menu").click()
    expect(nav_link).to_be_hidden()

    for path, name in (("/territori/cerca/?q=roma", "search-phone"), (AGLIE, "territory-phone")):
        phone.open(path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(name)
    expect(page.locator("#pyramid svg.main-svg").first).to_be_visible()


def test_desktop_screenshots_of_each_page_type(desktop: Visit, italy):
    for path, name in (
        ("/", "home-desktop"),
        ("/territori/cerca/?q=roma", "search-desktop"),
        ("/territori/italia/IT/", "italy-desktop"),
        ("/territori/pianeta/XX/", "not-found-desktop"),
    ):
        desktop.open(path)
        desktop.screenshot(name)
    expect(desktop.page.locator("h1")).to_have_text("Pagina non trovata")  # Django's own catalogue


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/territori/cerca/?q=roma", "search"),
        (AGLIE, "territory"),
        ("/territori/provincia/001/", "provincia"),
        ("/en/territori/comune/001001/", "territory-en"),
        ("/territori/pianeta/XX/", "not-found"),
    ],
)
def test_pages_have_no_serious_accessibility_violations(desktop: Visit, italy, path, name):
    desktop.open(path)

    assert_accessible(desktop, name)


def test_open_suggestions_have_no_serious_accessibility_violations(desktop: Visit, italy):
    desktop.open("/")
    desktop.page.locator("#header-q").press_sequentially("ro", delay=40)
    expect(desktop.page.locator("#header-suggestions a").first).to_be_visible()

    assert_accessible(desktop, "suggestions")


def test_phone_pages_have_no_serious_accessibility_violations(phone: Visit, italy):
    phone.open(AGLIE)

    assert_accessible(phone, "territory-phone")
