"""Alerts in a real browser, with the emails going through a real SMTP server (aiosmtpd) on the loopback:
subscribe to a theme, confirm by the emailed link, see a new call of that theme arrive in the digest; the
iCal feed parses with icalendar and the RSS feed with feedparser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import feedparser
import icalendar
import pytest
from django.core.management import call_command

from tests.alerts.conftest import CallFactory, SmtpServer, point_django_at
from tests.e2e.conftest import Visit, assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def smtp_server(settings, live_server, transactional_db) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    point_django_at(settings, server.port)
    settings.WELFARELAB_SITE_URL = live_server.url  # the links in the emails lead to this server
    yield server
    server.stop()


def test_subscribe_confirm_and_receive_a_new_call_in_the_digest(desktop: Visit, smtp_server, live_server):
    page = desktop.page
    desktop.open("/avvisi/")
    assert_accessible(desktop, "alerts-index")
    page.locator("#subscribe-form input[name=email]").fill("anna.rossi@example.org")
    page.locator(
        "#subscribe-form label", has_text="Politiche giovanili"
    ).click()  # Bootstrap Italia's label covers the box
    page.locator("#subscribe-form select[name=frequency]").select_option("daily")
    desktop.screenshot("alerts-subscribe")
    page.locator("#subscribe-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/avvisi/iscrizione-inviata/")

    [confirmation] = smtp_server.inbox.wait_for(1)
    assert confirmation["To"] == "anna.rossi@example.org"
    [link] = re.findall(re.escape(live_server.url) + r"/avvisi/conferma/\S+", confirmation.get_content())
    page.goto(link)
    assert_accessible(desktop, "alerts-confirm")
    page.locator("#confirm-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/avvisi/gestisci/" in page.url
    assert_accessible(desktop, "alerts-manage")
    desktop.screenshot("alerts-manage")

    call = CallFactory(title="Spazi giovani 2026", themes=["politiche-giovanili"])
    CallFactory(title="Impianti sportivi", themes=["sport"])
    call_command("send_digests", "--frequency", "daily", "--now")
    digest = smtp_server.inbox.wait_for(2)[-1]
    text = digest.get_content()
    assert "Spazi giovani 2026" in text and f"/bandi/{call.pk}/" in text
    assert "Impianti sportivi" not in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    calendar = icalendar.Calendar.from_ical(
        page.request.get(live_server.url + "/avvisi/calendario.ics").body()
    )
    assert {str(event["uid"]).split("@")[0] for event in calendar.walk("VEVENT")} >= {f"call-{call.pk}"}
    rss = feedparser.parse(
        page.request.get(live_server.url + "/avvisi/feed/tema/politiche-giovanili/rss/").body()
    )
    assert rss.bozo == 0
    assert [entry.title for entry in rss.entries] == ["Spazi giovani 2026"]


def test_the_coordinator_writes_news_and_retries_a_failed_delivery(desktop: Visit, smtp_server):
    from tests.factories import UserFactory
    from welfarelab.alerts.models import OutboxMessage

    coordinator = UserFactory(is_lab_coordinator=True)
    failed = OutboxMessage.objects.create(
        channel="email",
        recipient="bruno@example.org",
        subject="Bandi della settimana",
        body="Testo",
        idempotency_key="digest:99:2026-W22",
        status="failed",
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    page = desktop.page
    desktop.open("/account/accedi/")
    page.locator("input[name=username]").fill(coordinator.email)
    page.locator("input[name=password]").fill("a-long-test-password")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    desktop.open("/avvisi/notizie/nuova/")
    assert_accessible(desktop, "alerts-news-form")
    page.locator("input[name=title]").fill("Sportello bandi aperto il giovedì")
    page.locator("textarea[name=body]").fill("Dalle **15** alle 18, su appuntamento.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == "Sportello bandi aperto il giovedì"
    assert page.locator("main strong").inner_text() == "15"
    assert_accessible(desktop, "alerts-news-detail")

    desktop.open("/avvisi/consegne/")
    assert_accessible(desktop, "alerts-deliveries")
    desktop.screenshot("alerts-deliveries")
    assert "SMTPServerDisconnected" in page.locator("main").inner_text()
    page.locator(f"form[action='/avvisi/consegne/{failed.pk}/riprova/'] button").click()
    page.wait_for_load_state("networkidle")
    smtp_server.inbox.wait_for(1)
    failed.refresh_from_db()
    assert failed.status == "sent"
    assert smtp_server.inbox.received_keys() == ["digest:99:2026-W22"]
