"""The API of the questions: what a question says, its filters, and the schema kept equal to the models."""

from __future__ import annotations

import datetime as dt
import typing

import pytest
from django.test import Client

from welfarelab.api.v1 import questions as api
from welfarelab.helpdesk import question_services as services
from welfarelab.helpdesk.models import Question, QuestionMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


@pytest.fixture
def answered(ask, ets, ets_member, operator):
    question = ask(ets_member, organisation=ets, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    services.question_request_information(question=question, operator=operator, text="Quante entrate?")
    services.question_answer_by_asker(question=question, user=ets_member, text="80.000 euro.")
    services.question_reply(question=question, operator=operator, text="Basta il rendiconto per cassa.")
    return question


def test_a_question_with_its_thread(answered, ets_member):
    client = Client()
    client.force_login(ets_member)

    body = client.get(f"/api/v1/helpdesk/questions/{answered.reference}").json()

    assert body["reference"] == "SP-2026-000001"
    assert (body["theme"], body["status"], body["due"]) == ("amministrativa", "answered", "done")
    assert body["due_on"] == "2026-03-09"
    assert body["organisation"] == "Associazione Amici del Parco APS"
    assert (body["asker_name"], body["asker_email"]) == (
        "Lucia Verdi",
        "lucia.verdi@amicidelparco.example.it",
    )
    assert body["attachment"] is None
    assert body["article"] is None
    assert [(m["kind"], m["from_desk"], m["text"]) for m in body["messages"]] == [
        ("info_request", True, "Quante entrate?"),
        ("asker_answer", False, "80.000 euro."),
        ("reply", True, "Basta il rendiconto per cassa."),
    ]
    assert "author" not in body["messages"][0]  # the operators' names stay on the desk's side
    assert body["url"] == "/sportello/domande/SP-2026-000001/"


def test_the_list_filters_by_status_and_theme(ask, answered, operator):
    newer = ask(operator, theme="fiscale", now=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC))
    client = Client()
    client.force_login(operator)

    def references(**params):
        return [
            item["reference"] for item in client.get("/api/v1/helpdesk/questions", params).json()["results"]
        ]

    assert references() == [newer.reference, answered.reference]  # the newest first
    assert references(status="answered") == [answered.reference]
    assert references(status="open") == [newer.reference]
    assert references(theme="fiscale") == [newer.reference]
    assert client.get("/api/v1/helpdesk/questions", {"status": "lost"}).status_code == 422


def test_the_schema_lists_the_models_values():
    assert set(typing.get_args(api.Status)) == set(Question.Status.values)
    assert set(typing.get_args(api.StatusFilter)) == {*Question.Status.values, "open"}
    assert set(typing.get_args(api.MessageKind)) == set(QuestionMessage.Kind.values)


def test_the_openapi_document_describes_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "/api/v1/helpdesk/questions" in paths
    detail = paths["/api/v1/helpdesk/questions/{reference}"]["get"]
    assert {"200", "403", "404", "422"} <= set(detail["responses"])
