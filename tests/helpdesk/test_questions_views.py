"""The pages of the questions: asking in two steps (with the articles that may already answer), bad input
refused with a clear message and nothing stored, the email link, the queue, the desk's actions, the
article drafted from an answer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.helpdesk.conftest import QUESTION_TEXT, image_bytes, pdf_bytes, stored_files
from welfarelab.helpdesk import question_services as services
from welfarelab.helpdesk.models import Article, Question, QuestionReferenceCounter
from welfarelab.helpdesk.question_services import email_token
from welfarelab.helpdesk.sessions import VERIFIED_EMAIL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media", "seeded")]

NEW = "/en/sportello/domande/nuova/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The one-link-a-minute throttle lives in the cache: each test starts without it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def asker_client(ets_member) -> Client:
    client = Client()
    client.force_login(ets_member)
    return client


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def send(client, *, text=QUESTION_TEXT, theme="amministrativa", attachment=None, **extra):
    data = {"step": "send", "theme": theme, "text": text, **extra}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post(NEW, data)


def nothing_stored(media) -> bool:
    return (
        Question.objects.count() == 0
        and stored_files(media) == []
        and not QuestionReferenceCounter.objects.filter(last_number__gt=0).exists()
        and mail.outbox == []
    )


# --- asking ------------------------------------------------------------------------------------------


def test_a_visitor_is_asked_to_log_in_or_confirm_an_address(client):
    response = client.get(NEW)

    assert response.status_code == 200
    assert "Log in and ask" in response.text
    assert 'action="/en/sportello/domande/verifica/"' in response.text


def test_the_first_step_then_the_articles_that_may_answer_then_sending(
    asker_client, ets, django_capture_on_commit_callbacks
):
    first = asker_client.get(NEW)
    assert first.status_code == 200
    assert f'<option value="{ets.pk}" selected>' in first.text  # the only organisation, chosen already
    assert 'hx-get="/en/sportello/domande/simili/"' in first.text

    check = asker_client.post(
        NEW, {"step": "check", "theme": "amministrativa", "text": QUESTION_TEXT, "organisation": ets.pk}
    )
    assert check.status_code == 200
    assert "Articles that may already answer" in check.text
    assert "/sportello/articoli/ts-" in check.text  # the knowledge base has answers on the social report
    assert 'type="file" name="attachment"' in check.text
    assert Question.objects.count() == 0  # nothing is stored before "send"

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(
            asker_client, organisation=ets.pk, attachment=SimpleUploadedFile("statuto.pdf", pdf_bytes())
        )

    question = Question.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == f"/en/sportello/domande/{question.reference}/"
    assert question.organisation == ets
    assert question.attachment_name == "statuto.pdf"
    assert len(mail.outbox) == 1 and question.reference in mail.outbox[0].subject
    page = asker_client.get(sent["Location"])
    assert f"Its reference is {question.reference}" in page.text


def test_changing_the_question_goes_back_with_what_was_written(asker_client):
    response = asker_client.post(
        NEW, {"step": "edit", "theme": "fiscale", "text": "Il mio testo da cambiare"}
    )

    assert response.status_code == 200
    assert "Il mio testo da cambiare</textarea>" in response.text
    assert '<option value="fiscale" selected>' in response.text


def test_similar_articles_appear_as_the_text_is_typed(client):
    response = client.get("/en/sportello/domande/simili/", {"text": "come si iscrive una odv al runts"})

    assert response.status_code == 200
    assert "may already answer your question" in response.text
    assert 'href="/sportello/articoli/ts-007/"' in response.text or "/articoli/ts-007/" in response.text
    assert client.get("/en/sportello/domande/simili/", {"text": "runts"}).text.strip() == ""  # too short yet


@pytest.mark.parametrize(
    ("text", "attachment", "message"),
    [
        ("", None, "Write your question: the text is empty."),
        ("   ", None, "Write your question: the text is empty."),
        (
            "Come si fa? <script>alert(document.cookie)</script>",
            None,
            "The text contains HTML or a script (“&lt;script&gt;”): write it as plain text",
        ),
        (
            QUESTION_TEXT,
            SimpleUploadedFile("bilancio.pdf", b"<html><body><script>alert(1)</script></body></html>"),
            "The attachment “bilancio.pdf” is named as a PDF but its content is an HTML or XML page",
        ),
        (
            QUESTION_TEXT,
            SimpleUploadedFile("bilancio.pdf", b"MZ\x90\x00" + b"\x00" * 500),
            "The attachment “bilancio.pdf” is named as a PDF but its content is a Windows program",
        ),
        (
            QUESTION_TEXT,
            SimpleUploadedFile("setup.exe", pdf_bytes()),
            "The attachment “setup.exe” is not a PDF, PNG or JPEG file",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(
    asker_client, media, text, attachment, message
):
    response = send(asker_client, text=text, attachment=attachment)

    assert response.status_code == 422
    assert message in response.text
    assert 'role="alert"' in response.text
    assert "nothing was sent" in response.text
    assert nothing_stored(media)


def test_an_oversized_attachment_is_refused_and_nothing_is_stored(asker_client, media, settings):
    settings.WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES = 1024 * 1024

    response = send(
        asker_client,
        attachment=SimpleUploadedFile("scansione.png", image_bytes("PNG") + b"\x00" * (2 * 1024 * 1024)),
    )

    assert response.status_code == 422
    assert (
        "The attachment “scansione.png” is 2.0 MB: the limit is 1.0 MB. Attach a smaller file."
        in response.text
    )
    assert nothing_stored(media)
    # The question itself is kept on the page, to attach a smaller file and send.
    assert 'name="text"' in response.text and "220.000 euro" in response.text


def test_script_in_the_text_is_never_shown_as_markup(asker_client, operator_client):
    # The guard refuses tags; text that slips past it (here: written by hand) is escaped on every page.
    send(asker_client)
    question = Question.objects.get()
    Question.objects.filter(pk=question.pk).update(text="<script>alert(1)</script> & <b>bold</b>")

    for client in (asker_client, operator_client):
        page = client.get(question.get_absolute_url()).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    queue = operator_client.get("/en/sportello/domande/").text
    assert "<b>bold</b>" not in queue


# --- the email link ------------------------------------------------------------------------------------


def test_a_visitor_confirms_an_address_by_the_emailed_link_and_asks(
    client, settings, django_capture_on_commit_callbacks
):
    settings.WELFARELAB_SITE_URL = "http://testserver"

    response = client.post("/en/sportello/domande/verifica/", {"email": "Anna@Example.org"})
    assert response.status_code == 200
    assert "We have sent a link to Anna@example.org" in response.text
    [email] = mail.outbox
    link = re.search(r"http://testserver(\S+)", email.body).group(1)

    confirmed = client.get(link)
    assert confirmed.status_code == 302
    assert client.session[VERIFIED_EMAIL] == "Anna@example.org"

    with django_capture_on_commit_callbacks(execute=True):
        sent = send(client, asker_name="Anna Neri")
    question = Question.objects.get()
    assert sent.status_code == 302
    assert (question.asker, question.asker_email, question.asker_name) == (
        None,
        "Anna@example.org",
        "Anna Neri",
    )
    assert mail.outbox[-1].to == ["Anna@example.org"]


def test_one_link_a_minute_per_address(client):
    client.post("/en/sportello/domande/verifica/", {"email": "anna@example.org"})
    client.post("/en/sportello/domande/verifica/", {"email": "anna@example.org"})

    assert len(mail.outbox) == 1


@pytest.mark.parametrize("tampered", [True, False])
def test_a_bad_or_expired_link_confirms_nothing(client, settings, tampered):
    token = email_token(email="anna@example.org")
    if tampered:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        message = "The link is not valid"
    else:
        settings.WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS = 0
        message = "The link has expired"

    response = client.get(f"/en/sportello/domande/verifica/{token}/")

    assert response.status_code == 400
    assert message in response.text
    assert VERIFIED_EMAIL not in client.session


def test_the_link_in_a_guest_email_opens_its_question(client, ask):
    question = ask(None, verified_email="anna@example.org")
    token = email_token(email="anna@example.org", reference=question.reference)

    response = client.get(f"/en/sportello/domande/verifica/{token}/", follow=True)

    assert response.status_code == 200
    assert question.text in response.text


def test_an_invalid_address_is_refused(client):
    response = client.post("/en/sportello/domande/verifica/", {"email": "not-an-address"})

    assert response.status_code == 422
    assert "Enter a valid email address." in response.text
    assert mail.outbox == []


# --- the queue ---------------------------------------------------------------------------------------


@pytest.fixture
def queue(ask, ets_member, operator):
    """Four questions around today: past due, due today, due later, and one waiting for the asker."""
    today = timezone.localdate()
    past = ask(ets_member, text="Domanda scaduta sul bilancio sociale")
    due_today = ask(ets_member, text="Domanda in scadenza oggi", theme="fiscale")
    later = ask(ets_member, text="Domanda con tempo davanti")
    waiting = ask(ets_member, text="Domanda in attesa di risposta")
    Question.objects.filter(pk=past.pk).update(due_on=today - dt.timedelta(days=10))
    Question.objects.filter(pk=due_today.pk).update(due_on=today)
    Question.objects.filter(pk=later.pk).update(due_on=today + dt.timedelta(days=30))
    services.question_take(question=later, operator=operator)
    services.question_request_information(question=waiting, operator=operator, text="Quali entrate?")
    return {"past": past, "today": due_today, "later": later, "waiting": waiting}


def references(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">(SP-\d{4}-\d{6})</a>', response.text)


def test_the_queue_shows_past_and_near_due_in_words(operator_client, queue):
    response = operator_client.get("/en/sportello/domande/")

    assert response.status_code == 200
    assert references(response) == [queue[key].reference for key in ("past", "today", "waiting", "later")]
    assert "Past due" in response.text and "working days late" in response.text
    assert "Due today" in response.text
    assert "waiting for the asker" in response.text
    assert "<caption>4 questions, the nearest due date first</caption>" in response.text


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"scadenza": "past"}, ["past"]),
        ({"scadenza": "near"}, ["today"]),
        ({"tema": "fiscale"}, ["today"]),
        ({"stato": "waiting"}, ["waiting"]),
        ({"mie": "on"}, ["waiting", "later"]),
        ({"q": "tempo davanti"}, ["later"]),
        ({"stato": "closed"}, []),
    ],
)
def test_the_queue_filters(operator_client, queue, filters, expected):
    response = operator_client.get("/en/sportello/domande/", filters)

    assert references(response) == [queue[key].reference for key in expected]


def test_the_queue_answers_htmx_with_its_table_only(operator_client, queue):
    response = operator_client.get("/en/sportello/domande/", {"scadenza": "past"}, HTTP_HX_REQUEST="true")

    assert response.text.lstrip().startswith('<div id="question-queue"')
    assert references(response) == [queue["past"].reference]


# --- the desk's actions and the asker's answer ------------------------------------------------------------


def test_an_operator_takes_asks_and_the_asker_answers_by_the_pages(
    asker_client, operator_client, operator, django_capture_on_commit_callbacks
):
    send(asker_client)
    question = Question.objects.get()
    url = question.get_absolute_url()

    operator_client.post(url + "prendi/")
    with django_capture_on_commit_callbacks(execute=True):
        asked = operator_client.post(url + "risposta/", {"action": "ask", "text": "Quante entrate avete?"})
    assert asked.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.assigned_to) == ("waiting", operator)

    page = asker_client.get(url)
    assert "The desk asks you for more information" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        answered = asker_client.post(url + "rispondi/", {"text": "Circa 80.000 euro."})
    assert answered.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            url + "risposta/", {"action": "reply_close", "text": "Allora basta il rendiconto per cassa."}
        )
    question.refresh_from_db()
    assert question.status == "closed"
    assert [message.kind for message in question.messages.all()] == ["info_request", "asker_answer", "reply"]
    assert [message.to for message in mail.outbox] == [
        ["lucia.verdi@amicidelparco.example.it"],
        [operator.email],
        ["lucia.verdi@amicidelparco.example.it"],
    ]


def test_an_empty_reply_is_refused_and_nothing_is_sent(asker_client, operator_client):
    send(asker_client)
    question = Question.objects.get()

    response = operator_client.post(
        question.get_absolute_url() + "risposta/", {"action": "reply", "text": "  "}
    )

    assert response.status_code == 422
    assert "Write the message: the text is empty." in response.text
    assert question.messages.count() == 0


def test_an_answer_becomes_an_article_in_one_step_then_is_published(
    asker_client, operator_client, client, django_capture_on_commit_callbacks
):
    send(asker_client, text="Sono Lucia Verdi, tel. 333 123 4567: l'APS deve fare il bilancio sociale?")
    question = Question.objects.get()
    operator_client.post(
        question.get_absolute_url() + "risposta/",
        {"action": "reply", "text": "No, sotto 1 milione di euro di entrate non è obbligatorio."},
    )

    draft = operator_client.get(question.get_absolute_url() + "articolo/")
    assert draft.status_code == 200
    assert "Sono [nome], tel. [telefono]: l&#x27;APS deve fare il bilancio sociale?" in draft.text
    assert "Lucia" not in draft.text.split("<main", 1)[1].split("Replaced in the draft")[1]

    created = operator_client.post(
        question.get_absolute_url() + "articolo/",
        {
            "code": "sp-001",
            "title": "Bilancio sociale delle APS",
            "question": "L'APS deve fare il bilancio sociale?",
            "answer_markdown": "No, sotto 1 milione di euro di entrate non è obbligatorio.",
            "theme": "amministrativa",
            "ets_types": ["aps"],
        },
    )
    assert created.status_code == 302
    article = Article.objects.get(code="sp-001")
    assert (article.is_published, article.needs_review) == (False, True)
    assert client.get(article.get_absolute_url()).status_code == 404  # not public before review
    assert "sp-001" in operator_client.get("/en/sportello/revisione/").text

    operator_client.post(f"/en/sportello/articoli/{article.code}/pubblica/")

    article.refresh_from_db()
    assert article.is_published
    public = client.get(article.get_absolute_url())
    assert public.status_code == 200
    assert "Lucia" not in public.text and "333" not in public.text


def test_a_draft_with_personal_data_left_is_refused_on_the_page(asker_client, operator_client):
    send(asker_client)
    question = Question.objects.get()
    operator_client.post(question.get_absolute_url() + "risposta/", {"action": "reply", "text": "Sì."})

    response = operator_client.post(
        question.get_absolute_url() + "articolo/",
        {
            "code": "sp-001",
            "title": "Bilancio",
            "question": "Lucia Verdi chiede del bilancio",
            "answer_markdown": "Sì.",
            "theme": "amministrativa",
        },
    )

    assert response.status_code == 422
    assert "The question still contains personal data ([nome])" in response.text
    assert not Article.objects.filter(code="sp-001").exists()


def test_my_questions_lists_mine_and_my_organisations(
    asker_client, colleague, other_member, ask, ets, ets_member
):
    mine = ask(ets_member, organisation=ets)
    client = Client()
    client.force_login(colleague)
    assert mine.reference in client.get("/en/sportello/domande/mie/").text
    client.force_login(other_member)
    assert mine.reference not in client.get("/en/sportello/domande/mie/").text
