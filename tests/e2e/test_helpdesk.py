"""The Third Sector help desk in the browser: accessible pages, feedback with htmx and without JavaScript,
an operator's review."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import UserFactory
from welfarelab.helpdesk.models import Article, Feedback
from welfarelab.helpdesk.seed import knowledge_base_seed

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password


@pytest.fixture
def knowledge_base(transactional_db) -> None:
    knowledge_base_seed()


def test_home_themes_and_an_article_are_accessible(desktop: Visit, knowledge_base):
    desktop.open("/sportello/")
    assert_accessible(desktop, "helpdesk-home")
    desktop.page.locator("main a[href='/sportello/temi/fiscale/']").first.click()
    desktop.page.wait_for_load_state("networkidle")
    assert_accessible(desktop, "helpdesk-theme")

    desktop.open("/sportello/articoli/ts-007/")
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Iscrizione al RUNTS")
    expect(desktop.page.locator("main")).not_to_contain_text("da verificare")
    link = desktop.page.locator('a[href$="decreto.legislativo:2017-07-03;117~art45"]')
    expect(link).to_have_attribute("target", "_blank")
    assert_accessible(desktop, "helpdesk-article")
    desktop.screenshot("helpdesk-article")


def test_feedback_is_sent_with_htmx_without_leaving_the_page(desktop: Visit, knowledge_base):
    desktop.open("/sportello/articoli/ts-001/")
    feedback = desktop.page.locator("#kb-feedback")

    feedback.locator("button[value=yes]").click()

    expect(desktop.page.locator("#kb-feedback [role=status]")).to_be_visible()
    assert desktop.page.url.endswith("/sportello/articoli/ts-001/")  # no navigation: the block was swapped
    assert list(Feedback.objects.values_list("article__code", "useful")) == [("ts-001", True)]
    assert_accessible(desktop, "helpdesk-feedback")


def test_feedback_works_without_javascript(no_javascript: Visit, knowledge_base):
    no_javascript.open("/sportello/articoli/ts-001/")

    no_javascript.page.locator("#kb-feedback button[value=no]").click()
    no_javascript.page.wait_for_load_state("networkidle")

    assert no_javascript.page.url.endswith("/sportello/articoli/ts-001/#kb-feedback")
    assert list(Feedback.objects.values_list("useful", flat=True)) == [False]


def test_an_operator_reviews_an_article_from_the_queue(desktop: Visit, knowledge_base):
    operator = UserFactory(is_desk_operator=True)
    desktop.open("/account/accedi/")
    desktop.page.locator("input[name=username]").fill(operator.email)
    desktop.page.locator("input[name=password]").fill(PASSWORD)
    desktop.page.locator("main button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")

    desktop.open("/sportello/revisione/")
    assert_accessible(desktop, "helpdesk-review-queue")
    desktop.page.locator("form[action='/sportello/articoli/ts-007/revisionato/'] button").click()
    desktop.page.wait_for_load_state("networkidle")

    assert desktop.page.url.endswith("/sportello/revisione/")
    assert not Article.objects.get(code="ts-007").needs_review
    expect(desktop.page.locator("form[action='/sportello/articoli/ts-007/revisionato/']")).to_have_count(0)
