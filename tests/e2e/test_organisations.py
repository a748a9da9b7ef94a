"""The directory and the editing of one's own organisation, as a member does it in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import MembershipFactory, OrganisationFactory
from welfarelab.accounts.models import Membership
from welfarelab.organisations.models import Organisation

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password


def test_directory_and_an_organisation_page_are_accessible(desktop: Visit, italy):
    organisation = Organisation.objects.filter(territory=italy["aglie"]).first()

    desktop.open("/organizzazioni/?q=associazione")
    expect(desktop.page.get_by_role("link", name=organisation.name)).to_be_visible()
    assert_accessible(desktop, "directory")
    desktop.page.get_by_role("link", name=organisation.name).click()
    desktop.page.wait_for_load_state("networkidle")

    expect(desktop.page.get_by_role("heading", level=1)).to_have_text(organisation.name)
    assert_accessible(desktop, "organisation")


def test_an_editor_logs_in_and_changes_its_organisation(desktop: Visit, italy):
    organisation = OrganisationFactory(territory=italy["aglie"], name="Associazione Ponte")
    editor = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR).user

    desktop.open("/account/accedi/")
    assert_accessible(desktop, "login")
    desktop.page.locator("input[name=username]").fill(editor.email)
    desktop.page.locator("input[name=password]").fill(PASSWORD)
    desktop.page.locator("main button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")
    desktop.open(f"/organizzazioni/{organisation.pk}/modifica/")
    assert_accessible(desktop, "organisation-form")
    desktop.page.locator("textarea[name=description]").fill("Doposcuola e trasporto sociale per gli anziani.")
    desktop.page.locator("main button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")

    expect(desktop.page.locator("main")).to_contain_text("Doposcuola e trasporto sociale per gli anziani.")
    organisation.refresh_from_db()
    assert organisation.description == "Doposcuola e trasporto sociale per gli anziani."
    desktop.screenshot("organisation-after-edit")
