"""Good practices in the browser: the list and a practice are accessible; a member proposes one through
the form and a reviewer of a partner institution approves it, after which the public sees it.

Selectors use names, values and addresses, not the words on the page (the catalogue translates them).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import MembershipFactory, OrganisationFactory
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import NeedDomain
from welfarelab.organisations.models import Organisation
from welfarelab.practices import services
from welfarelab.practices.models import Practice

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password


@pytest.fixture
def lab(italy):
    """A comune with an editor, a university with a reviewer, two need domains, a published practice
    and an example."""
    ageing = NeedDomain.objects.create(
        code="invecchiamento_non_autosufficienza", name_it="Invecchiamento e non autosufficienza", position=1
    )
    NeedDomain.objects.create(
        code="poverta_inclusione", name_it="Povertà, reddito e inclusione sociale", position=2
    )
    comune = OrganisationFactory(
        kind=Organisation.Kind.COMUNE, name="Comune di Agliè", territory=italy["aglie"]
    )
    university = OrganisationFactory(
        kind=Organisation.Kind.UNIVERSITY, name="Università di Torino", legal_form=""
    )
    proposer = MembershipFactory(organisation=comune, role=Membership.Role.EDITOR).user
    reviewer = MembershipFactory(organisation=university, role=Membership.Role.EDITOR).user
    content = services.PracticeData(
        title="Portierato di comunità",
        summary="Un punto di ascolto in piazza per gli anziani che vivono soli.",
        territory=italy["aglie"],
        need_domains=[ageing],
        owner_organisation=comune,
        problem="Molti anziani vivono soli.",
        actions="Volontari del paese telefonano ogni settimana.",
        start_year=2022,
        total_cost=None,
        partners=[
            services.PartnerData(name="Farmacia del paese", kind="sanita", contribution="Segnala i casi.")
        ],
        contacts=[services.ContactData(name="Anna Verdi", email="anna@example.org", consent=True)],
    )
    practice = services.practice_propose(proposer=proposer, data=content)
    services.practice_start_review(practice=practice, reviewer=reviewer)
    services.practice_publish(practice=practice, reviewer=reviewer)
    example, _created = services.practice_example_load(
        data=services.PracticeData(**{**content.__dict__, "title": "Esempio — Emporio solidale"}),
        slug="esempio-emporio-solidale",
    )
    return {"proposer": proposer, "reviewer": reviewer, "practice": practice, "example": example}


def log_in(visit: Visit, email: str) -> None:
    visit.open("/account/accedi/")
    visit.page.locator("input[name=username]").fill(email)
    visit.page.locator("input[name=password]").fill(PASSWORD)
    visit.page.locator("main button[type=submit]").click()
    visit.page.wait_for_load_state("networkidle")


def log_out(visit: Visit) -> None:
    visit.page.locator("header form[action$='/esci/'] button[type=submit]").click()
    visit.page.wait_for_load_state("networkidle")


def test_the_list_and_a_practice_are_accessible(desktop: Visit, lab):
    desktop.open("/buone-pratiche/")
    cards = desktop.page.locator("main .wl-practice-card")
    expect(cards).to_have_count(2)
    expect(desktop.page.locator("main .wl-example-badge")).to_have_count(1)  # the example is marked
    assert_accessible(desktop, "practices-list")
    desktop.screenshot("practices-list")

    desktop.page.locator("main select[name=need_domain]").select_option("invecchiamento_non_autosufficienza")
    desktop.page.locator("main form[role=search] button[type=submit]").click()
    desktop.page.wait_for_load_state("networkidle")
    expect(cards).to_have_count(2)
    desktop.page.locator(f"main a[href='/buone-pratiche/{lab['practice'].slug}/']").click()
    desktop.page.wait_for_load_state("networkidle")

    expect(desktop.page.get_by_role("heading", level=1)).to_have_text("Portierato di comunità")
    expect(desktop.page.locator("main")).to_contain_text("anna@example.org")
    expect(desktop.page.locator("main table caption")).to_have_count(1)  # partners, with a caption
    assert_accessible(desktop, "practice-detail")
    desktop.screenshot("practice-detail")

    desktop.open(f"/buone-pratiche/{lab['example'].slug}/")
    expect(desktop.page.locator("main .alert-warning[role=note]")).to_be_visible()
    assert_accessible(desktop, "practice-example")


def test_a_proposal_goes_through_the_form_and_a_reviewer_publishes_it(desktop: Visit, lab):
    page = desktop.page
    log_in(desktop, lab["proposer"].email)
    desktop.open("/buone-pratiche/proponi/")
    expect(page.locator("input[name=territory]")).to_have_value("001001")  # its comune, filled in

    page.locator("main form button[type=submit]").click()  # empty: every required field says so
    page.wait_for_load_state("networkidle")
    expect(page.locator("main .alert-danger").first).to_be_visible()
    assert_accessible(desktop, "practice-form-errors")
    assert Practice.objects.count() == 2

    page.locator("input[name=title]").fill("Taxi sociale per le visite mediche")
    page.locator("textarea[name=summary]").fill("Volontari accompagnano alle visite chi non guida.")
    page.locator("label[for=id_need_domains_0]").click()
    page.locator("input[name=start_year]").fill("2021")
    page.locator("textarea[name=problem]").fill("Gli anziani senza auto non raggiungono l'ospedale.")
    page.locator("textarea[name=actions]").fill("Un'auto del Comune e dieci volontari.")
    page.locator("select[name=partners-0-kind]").select_option("volontari")
    page.locator("input[name=partners-0-name]").fill("Auser del paese")
    page.locator("input[name=contacts-0-name]").fill("Carla Bianchi")
    page.locator("input[name=contacts-0-phone]").fill("0124 000000")
    assert_accessible(desktop, "practice-form")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")

    proposal = Practice.objects.get(title="Taxi sociale per le visite mediche")
    assert proposal.status == Practice.Status.PROPOSED
    assert page.url.endswith(f"/buone-pratiche/{proposal.slug}/")
    expect(page.locator("main .wl-practice-proposed").first).to_be_visible()
    desktop.screenshot("practice-proposed")
    log_out(desktop)

    log_in(desktop, lab["reviewer"].email)
    desktop.open("/buone-pratiche/revisione/")
    assert_accessible(desktop, "practices-review-queue")
    page.locator(f"main a[href='/buone-pratiche/{proposal.slug}/#review']").click()
    page.wait_for_load_state("networkidle")
    page.locator("form[action$='/revisione/inizia/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.locator("textarea[name=comment]").fill("Chiara e completa.")
    assert_accessible(desktop, "practice-review")
    page.locator("button[name=decision][value=publish]").click()
    page.wait_for_load_state("networkidle")

    proposal.refresh_from_db()
    assert proposal.status == Practice.Status.PUBLISHED
    assert [e.action for e in proposal.events.order_by("pk")] == ["submitted", "review_started", "published"]
    log_out(desktop)
    desktop.open("/buone-pratiche/")
    expect(page.locator(f"main a[href='/buone-pratiche/{proposal.slug}/']")).to_be_visible()
    desktop.screenshot("practices-after-publication")
