"""The calls catalogue in the browser: the list with its filters, a call's page, an editor's history,
and an organisation's matching calls — all without a serious or critical accessibility violation."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.calls.conftest import CallFactory
from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import OrganisationFactory, UserFactory
from welfarelab.calls.models import OrganisationProfile, Theme
from welfarelab.calls.services import call_update, pnrr_import
from welfarelab.territories.models import Territory

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password


@pytest.fixture
def catalogue(italy):
    """The 245 real PNRR calls (all closed by now but a few open-ended ones) and two open calls."""
    pnrr_import()
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
    youth = CallFactory(
        title="Giovani protagonisti in Piemonte",
        summary="Contributi per spazi e attività di aggregazione giovanile.",
        themes=["politiche-giovanili", "cultura"],
        applicants=["aps", "odv"],
        places=[italy["piemonte"]],
        max_grant=40000,
        cofinancing_percent=20,
    )
    CallFactory(
        title="Comunità che curano",
        themes=["politiche-sociali"],
        applicants=["aps", "comune"],
        closes_at=soon,
    )
    return youth


def test_the_list_and_a_call_page_are_accessible(desktop: Visit, catalogue):
    desktop.open("/bandi/")
    expect(desktop.page.get_by_role("link", name="Giovani protagonisti in Piemonte")).to_be_visible()
    assert_accessible(desktop, "calls-list")
    desktop.screenshot("calls-list")

    desktop.page.locator("select[name=theme]").select_option("politiche-giovanili")
    desktop.page.locator("main form[role=search] button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")
    expect(desktop.page.locator("#call-results")).to_contain_text("Giovani protagonisti in Piemonte")
    expect(desktop.page.locator("#call-results")).not_to_contain_text("Comunità che curano")

    desktop.page.get_by_role("link", name="Giovani protagonisti in Piemonte").click()
    desktop.page.wait_for_load_state("networkidle")
    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Giovani protagonisti in Piemonte")
    expect(desktop.page.locator("main")).to_contain_text("Piemonte")
    assert_accessible(desktop, "call-detail")
    desktop.screenshot("call-detail")


def test_a_pnrr_call_page_and_closed_calls_are_accessible(desktop: Visit, catalogue):
    desktop.open("/bandi/?status=closed&q=servizio+civile")
    expect(desktop.page.locator("#call-results")).to_contain_text("servizio civile")
    assert_accessible(desktop, "calls-closed-search")
    desktop.page.locator("#call-results h3 a").first.click()
    desktop.page.wait_for_load_state("networkidle")
    desktop.page.locator("details summary").first.click()  # the record as published by the source
    assert_accessible(desktop, "call-detail-pnrr")


def test_an_editor_sees_the_history_of_a_corrected_call(desktop: Visit, catalogue):
    coordinator = UserFactory(is_lab_coordinator=True)
    call_update(
        call=catalogue, changed_by=coordinator, data={"title": "Giovani protagonisti in Piemonte 2026"}
    )

    desktop.open("/account/accedi/")
    desktop.page.locator("input[name=username]").fill(coordinator.email)
    desktop.page.locator("input[name=password]").fill(PASSWORD)
    desktop.page.locator("main button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")
    desktop.open(f"/bandi/{catalogue.pk}/")

    expect(desktop.page.locator("#history-heading")).to_be_visible()
    expect(desktop.page.locator("main table").last).to_contain_text("Giovani protagonisti in Piemonte 2026")
    assert_accessible(desktop, "call-history")
    desktop.open(f"/bandi/{catalogue.pk}/modifica/")
    assert_accessible(desktop, "call-form")


def test_an_organisation_page_shows_the_calls_it_may_apply_to(desktop: Visit, catalogue, italy):
    organisation = OrganisationFactory(
        name="APS Giovani di Agliè", legal_form="aps", territory=italy["aglie"]
    )
    profile = OrganisationProfile.objects.create(organisation=organisation)
    profile.themes.set(Theme.objects.filter(slug="politiche-giovanili"))
    assert Territory.objects.get(pk=italy["aglie"].pk).regione == italy["piemonte"]

    desktop.open(f"/organizzazioni/{organisation.pk}/")

    section = desktop.page.locator("section[aria-labelledby=calls-heading]")
    expect(section).to_contain_text("Giovani protagonisti in Piemonte")
    assert_accessible(desktop, "organisation-calls")
