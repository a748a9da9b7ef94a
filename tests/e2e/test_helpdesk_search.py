"""The help-desk search in the browser: as-you-type suggestions by keyboard, results, no JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from welfarelab.helpdesk.seed import knowledge_base_seed

pytestmark = pytest.mark.e2e


@pytest.fixture
def knowledge_base(transactional_db) -> None:
    knowledge_base_seed()


def test_suggestions_appear_as_you_type_and_are_reached_with_the_keyboard(desktop: Visit, knowledge_base):
    desktop.open("/sportello/cerca/")
    field = desktop.page.locator("#kb-q")

    field.press_sequentially("cinque per mi", delay=40)

    first = desktop.page.locator("#kb-suggestions a").first
    expect(first).to_contain_text("5 per mille")
    expect(desktop.page.locator("#kb-status")).not_to_be_empty()  # the live region announces the count
    assert_accessible(desktop, "helpdesk-search-suggestions")
    desktop.screenshot("helpdesk-search-suggestions")

    field.press("ArrowDown")
    expect(first).to_be_focused()
    desktop.page.keyboard.press("Escape")
    expect(field).to_be_focused()
    expect(desktop.page.locator("#kb-suggestions a")).to_have_count(0)


def test_results_page_shows_ranked_articles_with_snippets(desktop: Visit, knowledge_base):
    desktop.open("/sportello/cerca/?q=bilacio+sociale")

    first = desktop.page.locator(".wl-kb-result").first
    expect(first.locator("h3 a")).to_have_text("Bilancio sociale")
    expect(first.locator("mark").first).to_be_visible()
    assert_accessible(desktop, "helpdesk-search-results")
    desktop.screenshot("helpdesk-search-results")


def test_search_works_without_javascript(no_javascript: Visit, knowledge_base):
    no_javascript.open("/sportello/cerca/")

    no_javascript.page.locator("#kb-q").fill("odv e aps differenze")
    no_javascript.page.locator("#kb-q").press("Enter")
    no_javascript.page.wait_for_load_state("networkidle")

    expect(no_javascript.page.locator(".wl-kb-result h3 a").first).to_have_text("Differenze tra ODV e APS")
