"""Questions to the desk in a real browser, with the emails going through a real SMTP server (aiosmtpd) on
the loopback: asked by an ETS operator, answered by an operator, turned into an anonymised article;
asked by a person without an account who confirms the address by the emailed link; a disguised
attachment refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import Visit, assert_accessible
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.helpdesk.models import Article, Question
from welfarelab.helpdesk.question_services import question_submit
from welfarelab.helpdesk.seed import knowledge_base_seed

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"  # the factories' password
QUESTION = (
    "Buongiorno, sono Lucia Verdi dell'Associazione Amici del Parco APS. Dobbiamo depositare il bilancio "
    "al RUNTS anche se le entrate sono sotto i 220.000 euro? Potete chiamarmi al 333 123 4567."
)
REPLY = "Sì: ogni ETS iscritto deposita il bilancio al RUNTS entro il 30 giugno; sotto 220.000 euro basta il rendiconto per cassa."
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- a real SMTP server on the loopback ------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepts."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(Received(recipients=list(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"

    def about(self, reference: str, count: int, timeout: float = 10) -> list[Received]:
        """The `count` messages whose subject names `reference`, in the order they arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [received for received in self.received if reference in received.subject]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) about {reference} expected, {len(found)} received")

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) expected, {len(self.received)} received")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings, live_server) -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.WELFARELAB_SITE_URL = live_server.url  # the links in the emails lead to this server
    yield inbox
    controller.stop()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def knowledge_base(transactional_db) -> None:
    knowledge_base_seed()


# --- helpers ---------------------------------------------------------------------------------------------


def log_in(visit: Visit, user) -> None:
    visit.open("/account/accedi/")
    visit.page.locator("input[name=username]").fill(user.email)
    visit.page.locator("input[name=password]").fill(PASSWORD)
    visit.page.locator("main button[type=submit]").click()
    visit.page.wait_for_load_state("networkidle")


def log_out(visit: Visit) -> None:
    visit.page.locator("form[action='/account/esci/'] button").click()
    visit.page.wait_for_load_state("networkidle")


def write_question(visit: Visit, text: str) -> None:
    """Step 1: theme and text, typed so that the similar articles come as they would for a person."""
    page = visit.page
    page.locator("select[name=theme]").select_option("amministrativa")
    area = page.locator("textarea[name=text]")
    head, last = text.rsplit(" ", 1)
    area.fill(head)
    area.press_sequentially(" " + last)  # keystrokes: htmx asks for the similar articles
    expect(page.locator("#similar-articles li a").first).to_be_visible()


def click_and_wait(visit: Visit, selector: str) -> None:
    visit.page.locator(selector).click()
    visit.page.wait_for_load_state("networkidle")


# --- the tests -----------------------------------------------------------------------------------------


def test_a_question_goes_from_asking_to_answer_to_article(desktop: Visit, knowledge_base, smtp_server, media):
    ets = OrganisationFactory(name="Associazione Amici del Parco APS")
    asker = UserFactory(email="lucia.verdi@amicidelparco.example.it", first_name="Lucia", last_name="Verdi")
    MembershipFactory(user=asker, organisation=ets)
    operator = UserFactory(is_desk_operator=True, first_name="Giulia", last_name="Bianchi")
    page = desktop.page
    # A question asked a month ago and still unanswered: the queue must say it is late.
    late = question_submit(
        theme="fiscale",
        text="Le erogazioni liberali alla nostra associazione sono deducibili per chi dona?",
        asked_by=asker,
        organisation=ets,
        now=timezone.now() - dt.timedelta(days=30),
    )

    # The ETS operator asks; the knowledge base suggests articles as the question is typed.
    log_in(desktop, asker)
    desktop.open("/sportello/domande/nuova/")
    write_question(desktop, QUESTION)
    assert_accessible(desktop, "helpdesk-question-ask")
    desktop.screenshot("helpdesk-question-ask")
    click_and_wait(desktop, "main form[action='/sportello/domande/nuova/'] button[type=submit]")

    # The confirmation step lists the articles that may already answer, and takes the attachment.
    expect(page.locator("main a[href^='/sportello/articoli/ts-']").first).to_be_visible()
    assert_accessible(desktop, "helpdesk-question-check")
    # A page of HTML named .pdf is refused, said in words, and nothing is stored.
    page.locator("input[name=attachment]").set_input_files(
        files=[
            {
                "name": "bilancio.pdf",
                "mimeType": "application/pdf",
                "buffer": b"<html><script>alert(1)</script></html>",
            }
        ]
    )
    click_and_wait(desktop, "button[name=step][value=send]")
    expect(page.locator("main [role=alert]").first).to_contain_text("bilancio.pdf")
    desktop.screenshot("helpdesk-question-disguised-attachment")
    assert Question.objects.count() == 1  # the late one only
    assert stored_files(media) == []
    # The real PDF goes.
    page.locator("input[name=attachment]").set_input_files(
        files=[{"name": "bilancio.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    click_and_wait(desktop, "button[name=step][value=send]")

    question = Question.objects.exclude(pk=late.pk).get()
    assert page.url.endswith(f"/sportello/domande/{question.reference}/")
    expect(page.locator("h1")).to_contain_text(question.reference)
    assert len(stored_files(media)) == 1
    [receipt] = smtp_server.about(question.reference, 1)
    assert receipt.recipients == [asker.email]
    assert question.reference in receipt.subject
    assert question.reference in receipt.body
    assert f"{desktop.base_url}/sportello/domande/{question.reference}/" in receipt.body
    desktop.screenshot("helpdesk-question-asked")

    # An operator finds it in the queue, with its due date in words, takes it and replies.
    log_out(desktop)
    log_in(desktop, operator)
    desktop.open("/sportello/domande/")
    row = page.locator("tbody tr", has=page.locator(f"a:text-is('{question.reference}')"))
    expect(row.locator("[data-due=on_time]")).to_contain_text(f"{question.due_on.day}")
    late_row = page.locator("tbody tr", has=page.locator(f"a:text-is('{late.reference}')"))
    expect(late_row.locator("[data-due=past] .badge")).not_to_be_empty()  # said in words, not by colour only
    expect(page.locator("tbody tr").first).to_contain_text(late.reference)  # the nearest due date first
    assert_accessible(desktop, "helpdesk-question-queue")
    desktop.screenshot("helpdesk-question-queue")
    click_and_wait(desktop, f"a:text-is('{question.reference}')")
    click_and_wait(desktop, "form[action$='/prendi/'] button")
    page.locator("form[action$='/risposta/'] textarea[name=text]").fill(REPLY)
    assert_accessible(desktop, "helpdesk-question-operator")
    click_and_wait(desktop, "button[name=action][value=reply]")

    expect(page.locator("#thread")).to_contain_text(REPLY)
    receipt, reply = smtp_server.about(question.reference, 2)
    assert reply.recipients == [asker.email]
    assert question.reference in reply.subject
    assert REPLY in " ".join(reply.body.split())

    # The answer becomes an article in one step: the draft comes anonymised.
    click_and_wait(desktop, "a[href$='/articolo/']")
    drafted_question = page.locator("textarea[name=question]").input_value()
    assert "[nome]" in drafted_question and "[ente]" in drafted_question and "[telefono]" in drafted_question
    assert "Lucia" not in drafted_question and "333" not in drafted_question
    assert_accessible(desktop, "helpdesk-question-article-draft")
    desktop.screenshot("helpdesk-question-article-draft")
    page.locator("input[name=title]").fill("Deposito del bilancio al RUNTS sotto i 220.000 euro")
    page.locator("textarea[name=question]").fill(
        "Dobbiamo depositare il bilancio al RUNTS se le entrate sono sotto 220.000 euro?"
    )
    click_and_wait(desktop, "main form[action$='/articolo/'] button[type=submit]")

    article = Article.objects.get(code="sp-001")
    assert (article.is_published, article.needs_review) == (False, True)
    assert page.url.endswith("/sportello/articoli/sp-001/")
    click_and_wait(desktop, "form[action='/sportello/articoli/sp-001/pubblica/'] button")
    article.refresh_from_db()
    assert article.is_published

    # Everybody reads it, and nothing in it names the asker.
    log_out(desktop)
    desktop.open("/sportello/articoli/sp-001/")
    expect(page.locator("h1")).to_have_text("Deposito del bilancio al RUNTS sotto i 220.000 euro")
    main = page.locator("main").inner_text()
    assert "rendiconto per cassa" in main
    for personal in ("Lucia", "Verdi", "Amici del Parco", "333", "amicidelparco"):
        assert personal not in main
    assert_accessible(desktop, "helpdesk-question-article")
    desktop.screenshot("helpdesk-question-article")


def test_a_person_without_an_account_confirms_the_address_by_the_emailed_link(
    desktop: Visit, knowledge_base, smtp_server, media
):
    page = desktop.page
    desktop.open("/sportello/domande/nuova/")
    assert_accessible(desktop, "helpdesk-question-start")
    page.locator("input[name=email]").fill("anna.neri@example.org")
    click_and_wait(desktop, "form[action='/sportello/domande/verifica/'] button[type=submit]")
    assert Question.objects.count() == 0

    [link_email] = smtp_server.wait_for(1)
    assert link_email.recipients == ["anna.neri@example.org"]
    link = re.search(re.escape(desktop.base_url) + r"/sportello/domande/verifica/\S+", link_email.body).group(
        0
    )
    page.goto(link)
    page.wait_for_load_state("networkidle")

    write_question(desktop, "Come si iscrive una organizzazione di volontariato al RUNTS e quanto costa?")
    page.locator("input[name=asker_name]").fill("Anna Neri")
    click_and_wait(desktop, "main form[action='/sportello/domande/nuova/'] button[type=submit]")
    click_and_wait(desktop, "button[name=step][value=send]")

    question = Question.objects.get()
    assert (question.asker, question.asker_email, question.asker_name) == (
        None,
        "anna.neri@example.org",
        "Anna Neri",
    )
    expect(page.locator("h1")).to_contain_text(question.reference)
    _, receipt = smtp_server.wait_for(2)
    assert receipt.recipients == ["anna.neri@example.org"]
    assert question.reference in receipt.body
    # Without an account, the receipt's link confirms the address again on the way to the question.
    assert f"{desktop.base_url}/sportello/domande/verifica/" in receipt.body
