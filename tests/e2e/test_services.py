"""Service declarations and LEPS gaps in headless Chromium: an editor declares a nursery, the gap follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import MembershipFactory, OrganisationFactory
from welfarelab.accounts.models import Membership
from welfarelab.organisations.models import Organisation
from welfarelab.services.catalogue import services_catalogue_load
from welfarelab.services.models import SupplyDeclaration

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password


@pytest.fixture
def editor(italy):
    """An editor of the comune of Agliè (2,525 residents in 2023, 75 of them aged 0–2), with the catalogue."""
    services_catalogue_load()
    body = OrganisationFactory(
        kind=Organisation.Kind.COMUNE, name="Comune di Agliè", territory=italy["aglie"]
    )
    return MembershipFactory(organisation=body, role=Membership.Role.EDITOR).user


def log_in(visit: Visit, user) -> None:
    visit.open("/account/accedi/")
    visit.page.locator("input[name=username]").fill(user.email)
    visit.page.locator("input[name=password]").fill(PASSWORD)
    visit.page.locator("main button[type=submit]").click()
    visit.page.wait_for_load_state("networkidle")


def test_an_editor_declares_a_nursery_and_sees_the_gap_from_the_lep(desktop: Visit, editor):
    page = desktop.page
    log_in(desktop, editor)
    desktop.open("/servizi/dichiarazioni/comune/001001/2023/")
    expect(page.locator("h1")).to_contain_text("Agliè")
    assert_accessible(desktop, "services-declaration-form")

    page.select_option("#id_service", "asilo_nido")
    page.locator("#id_places").fill("20")
    page.locator("#id_spending_eur").fill("150000")
    page.locator("label[for=id_management_2]").click()  # agreement with a Third Sector Entity
    page.locator("#declaration-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    expect(page.locator("#declared table tbody tr")).to_have_count(1)
    expect(page.locator("#declared table tbody tr")).to_contain_text("20")
    declaration = SupplyDeclaration.objects.get()
    assert (declaration.places, declaration.management) == (20, "convenzione_ets")
    desktop.screenshot("services-declared")
    assert_accessible(desktop, "services-declared")

    page.locator("main nav a[href*='/servizi/leps/comune/001001/']").click()
    page.wait_for_load_state("networkidle")
    # 33% of 75 children is 24.75 places: with 20 there are 5 missing.
    nursery = page.locator("#leps-numeric tbody tr", has_text="33%")
    expect(nursery).to_have_count(1)
    expect(nursery.locator("td").nth(1)).to_have_text("26,7%")  # 20 / 75
    expect(nursery.locator("td").nth(2)).to_contain_text(re.compile(r"\b5\b"))
    expect(nursery.locator("td").nth(3)).to_contain_text("✗")
    desktop.screenshot("services-leps-comune")
    assert_accessible(desktop, "services-leps-comune")


def test_the_catalogue_and_the_leps_index_are_accessible(desktop: Visit, editor):
    desktop.open("/servizi/catalogo/")
    expect(desktop.page.locator("#service-asilo_nido")).to_be_visible()
    assert_accessible(desktop, "services-catalogue")
    desktop.open("/servizi/leps/")
    expect(desktop.page.locator("#leps-LEP_NIDI_33")).to_be_visible()
    desktop.screenshot("services-leps-index")
    assert_accessible(desktop, "services-leps-index")


def test_the_leps_page_of_a_region_without_declarations_says_there_are_no_data(phone: Visit, editor):
    phone.open("/servizi/leps/regione/01/")
    expect(phone.page.locator("#leps-services tbody tr")).to_have_count(13)
    expect(phone.page.locator("#leps-numeric")).to_contain_text("○")
    phone.screenshot("services-leps-regione-phone")
    assert_accessible(phone, "services-leps-regione-phone")
