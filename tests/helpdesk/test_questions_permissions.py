"""Who reads a question, by page, attachment and API: its asker, the members of its organisation and
the desk's operators. Another organisation's member gets 403; a visitor without an account or a
confirmed address is sent to log in (pages) or gets 404 (API), as for an unknown reference."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpdesk.conftest import pdf_bytes
from welfarelab.helpdesk.attachments import check_attachment
from welfarelab.helpdesk.models import Question
from welfarelab.helpdesk.permissions import MAY_NOT_READ_QUESTION, is_asker_side, may_read_question
from welfarelab.helpdesk.sessions import VERIFIED_EMAIL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]

ROLES = (
    "asker",
    "colleague",
    "operator",
    "coordinator",
    "other_member",
    "signed_in",
    "guest_asker",
    "guest_other",
    "anonymous",
)
PAGE_STATUS = {
    "asker": 200,
    "colleague": 200,
    "operator": 200,
    "coordinator": 200,
    "other_member": 403,
    "signed_in": 403,
    "guest_asker": 200,
    "guest_other": 403,
    "anonymous": 302,  # to the login page
}
API_STATUS = {**PAGE_STATUS, "anonymous": 404}


@pytest.fixture
def question(ask, ets, ets_member):
    from io import BytesIO

    content = pdf_bytes()
    return ask(
        ets_member,
        organisation=ets,
        attachment=check_attachment(BytesIO(content), name="statuto.pdf", size=len(content)),
    )


@pytest.fixture
def guest_question(ask):
    return ask(None, verified_email="anna@example.org", asker_name="Anna Neri")


def visitor(role, *, ets_member, colleague, operator, coordinator, other_member, member) -> Client:
    client = Client()
    users = {
        "asker": ets_member,
        "colleague": colleague,
        "operator": operator,
        "coordinator": coordinator,
        "other_member": other_member,
        "signed_in": member,
    }
    if role in users:
        client.force_login(users[role])
    elif role.startswith("guest"):
        session = client.session
        session[VERIFIED_EMAIL] = (
            "lucia.verdi@amicidelparco.example.it" if role == "guest_asker" else "x@example.org"
        )
        session.save()
    return client


@pytest.fixture
def people(ets_member, colleague, operator, coordinator, other_member, member):
    return {
        "ets_member": ets_member,
        "colleague": colleague,
        "operator": operator,
        "coordinator": coordinator,
        "other_member": other_member,
        "member": member,
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_page_of_a_question(role, question, people):
    response = visitor(role, **people).get(question.get_absolute_url())

    assert response.status_code == PAGE_STATUS[role]
    if response.status_code == 200:
        assert question.text in response.content.decode()
    elif response.status_code == 403:
        assert question.text not in response.content.decode()
    else:
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("role", ROLES)
def test_the_attachment_of_a_question(role, question, people):
    response = visitor(role, **people).get(question.get_absolute_url() + "allegato/")

    assert response.status_code == PAGE_STATUS[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert response["Content-Disposition"] == 'attachment; filename="statuto.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_a_question_as_the_pages_do(role, question, people):
    response = visitor(role, **people).get(f"/api/v1/helpdesk/questions/{question.reference}")

    assert response.status_code == API_STATUS[role]
    body = response.json()
    if response.status_code == 200:
        assert body["reference"] == question.reference
        assert body["text"] == question.text
    elif response.status_code == 403:
        assert body == {"detail": str(MAY_NOT_READ_QUESTION)}
    else:
        assert list(body) == ["detail"]  # in the API's language


@pytest.mark.parametrize("role", ROLES)
def test_the_api_list_holds_only_what_the_caller_may_read(role, question, guest_question, people):
    response = visitor(role, **people).get("/api/v1/helpdesk/questions")

    assert response.status_code == 200
    references = [item["reference"] for item in response.json()["results"]]
    expected = {
        "asker": [question.reference],
        "colleague": [question.reference],
        "guest_asker": [question.reference],
        "operator": [guest_question.reference, question.reference],
        "coordinator": [guest_question.reference, question.reference],
    }.get(role, [])
    assert references == expected


def test_an_unknown_reference_is_404_for_everybody(operator):
    client = Client()
    client.force_login(operator)

    assert client.get("/sportello/domande/SP-2026-999999/").status_code == 404
    assert client.get("/api/v1/helpdesk/questions/SP-2026-999999").status_code == 404
    assert client.get("/api/v1/helpdesk/questions/not-a-reference").status_code == 422


def test_a_guest_reads_only_the_questions_of_its_own_address(guest_question, question):
    client = Client()
    session = client.session
    session[VERIFIED_EMAIL] = "ANNA@example.org"
    session.save()

    assert client.get(guest_question.get_absolute_url()).status_code == 200
    assert client.get(question.get_absolute_url()).status_code == 403


def test_an_account_with_the_address_of_a_guest_question_reads_it(guest_question):
    client = Client()
    client.force_login(UserFactory(email="anna@example.org"))

    assert client.get(guest_question.get_absolute_url()).status_code == 200


def test_an_anonymised_question_has_no_asker_left(question, ets_member, colleague, operator):
    Question.objects.filter(pk=question.pk).update(
        asker=None, asker_email="", organisation=None, anonymised_at=question.created_at
    )
    question.refresh_from_db()

    assert not may_read_question(ets_member, question)
    assert not may_read_question(colleague, question)
    assert not may_read_question(AnonymousUser(), question, verified_email="")
    assert may_read_question(operator, question)
    assert not is_asker_side(ets_member, question, verified_email="lucia.verdi@amicidelparco.example.it")


def test_the_queue_is_for_the_operators(question, operator, ets_member, other_member):
    for user, status in ((operator, 200), (ets_member, 403), (other_member, 403)):
        client = Client()
        client.force_login(user)
        assert client.get("/sportello/domande/").status_code == status
    assert Client().get("/sportello/domande/").status_code == 302


def test_only_operators_act_on_a_question(question, ets_member, other_member):
    actions = ("prendi/", "chiudi/", "risposta/", "articolo/")
    for user in (ets_member, other_member):
        client = Client()
        client.force_login(user)
        for action in actions:
            response = client.post(
                question.get_absolute_url() + action, {"text": "Risposta", "action": "reply"}
            )
            assert response.status_code == 403, action
    question.refresh_from_db()
    assert (question.status, question.assigned_to, question.messages.count()) == ("new", None, 0)
