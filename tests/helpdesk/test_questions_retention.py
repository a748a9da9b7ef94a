"""The retention period: closed questions older than WELFARELAB_QUESTION_RETENTION_DAYS are anonymised —
text and thread scrubbed, asker and organisation unlinked, attachment deleted — by a command and a task."""

from __future__ import annotations

import datetime as dt
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpdesk.conftest import pdf_bytes, stored_files
from welfarelab.helpdesk import question_services as services
from welfarelab.helpdesk.attachments import check_attachment
from welfarelab.helpdesk.models import Question
from welfarelab.helpdesk.tasks import anonymise_questions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEXT = "Sono Lucia Verdi degli Amici del Parco, tel. 333 123 4567, lucia@example.it: come faccio?"


@pytest.fixture(autouse=True)
def _one_year(settings):
    settings.WELFARELAB_QUESTION_RETENTION_DAYS = 365


@pytest.fixture
def closed_long_ago(ask, ets, ets_member, operator):
    content = pdf_bytes()
    question = ask(
        ets_member,
        organisation=ets,
        text=TEXT,
        attachment=check_attachment(BytesIO(content), name="Statuto Verdi.pdf", size=len(content)),
    )
    services.question_request_information(
        question=question, operator=operator, text="Lucia, quanti soci avete?"
    )
    services.question_answer_by_asker(
        question=question, user=ets_member, text="30 soci, scrivete a lucia@example.it"
    )
    services.question_reply(question=question, operator=operator, text="Basta il rendiconto.", close=True)
    Question.objects.filter(pk=question.pk).update(closed_at=timezone.now() - dt.timedelta(days=366))
    return Question.objects.get(pk=question.pk)


@pytest.fixture
def recent(ask, ets_member, operator):
    question = ask(ets_member, text=TEXT)
    services.question_close(question=question, operator=operator)
    Question.objects.filter(pk=question.pk).update(closed_at=timezone.now() - dt.timedelta(days=364))
    return question


@pytest.fixture
def open_old(ask, ets_member):
    question = ask(ets_member, text=TEXT)
    Question.objects.filter(pk=question.pk).update(created_at=timezone.now() - dt.timedelta(days=800))
    return question


def test_a_question_closed_beyond_the_retention_period_is_anonymised(
    closed_long_ago, media, django_capture_on_commit_callbacks
):
    assert len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert services.questions_anonymise() == [closed_long_ago.reference]

    question = Question.objects.get(pk=closed_long_ago.pk)
    assert question.text == "Sono [nome] degli [ente], tel. [telefono], [email]: come faccio?"
    assert [message.text for message in question.messages.all()] == [
        "[nome], quanti soci avete?",
        "30 soci, scrivete a [email]",
        "Basta il rendiconto.",
    ]
    assert (question.asker, question.asker_email, question.asker_name, question.organisation) == (
        None,
        "",
        "",
        None,
    )
    assert (question.attachment.name, question.attachment_name) == ("", "")
    assert question.anonymised_at is not None
    assert stored_files(media) == []
    # What the statistics need stays.
    assert (question.reference, question.theme, question.status) == (
        closed_long_ago.reference,
        "amministrativa",
        "closed",
    )


def test_recent_and_open_questions_are_kept(closed_long_ago, recent, open_old):
    assert services.questions_anonymise() == [closed_long_ago.reference]

    for kept in (recent, open_old):
        question = Question.objects.get(pk=kept.pk)
        assert (question.text, question.anonymised_at) == (TEXT, None)
        assert question.asker_email == "lucia.verdi@amicidelparco.example.it"


def test_running_it_twice_changes_nothing_more(closed_long_ago):
    assert services.questions_anonymise() == [closed_long_ago.reference]
    first = Question.objects.values().get(pk=closed_long_ago.pk)

    assert services.questions_anonymise() == []
    assert Question.objects.values().get(pk=closed_long_ago.pk) == first


def test_the_dry_run_lists_and_changes_nothing(closed_long_ago, recent, media):
    out = StringIO()

    call_command("anonymise_questions", "--dry-run", stdout=out)

    assert closed_long_ago.reference in out.getvalue()
    assert recent.reference not in out.getvalue()
    assert (
        "1 question(s) closed more than 365 days ago would be anonymised (dry run: nothing changed)."
        in out.getvalue()
    )
    assert Question.objects.filter(anonymised_at__isnull=False).count() == 0
    assert len(stored_files(media)) == 2 - 1  # only the old question had an attachment


def test_the_command_runs_the_task(closed_long_ago, media, django_capture_on_commit_callbacks):
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_questions", stdout=out)

    assert (
        f"{closed_long_ago.reference}\n1 question(s) closed more than 365 days ago anonymised."
        in out.getvalue()
    )
    assert Question.objects.get(pk=closed_long_ago.pk).anonymised_at is not None
    assert stored_files(media) == []


# The worker closes and reopens its database connection: a real transaction. No migration loads rows
# (content types and permissions come back with the flush's post_migrate), so nothing is serialised.
@pytest.mark.django_db(transaction=True)
def test_the_command_queues_the_task_for_the_database_worker(closed_long_ago, media, settings):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    out = StringIO()

    call_command("anonymise_questions", stdout=out)

    assert "Anonymisation queued (task" in out.getvalue()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "welfarelab.helpdesk.tasks.anonymise_questions"
    assert Question.objects.get(pk=closed_long_ago.pk).anonymised_at is None  # the worker does it

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert Question.objects.get(pk=closed_long_ago.pk).anonymised_at is not None
    assert stored_files(media) == []  # a real commit: the file went after it


def test_the_task_takes_no_arguments_and_returns_the_references(closed_long_ago):
    result = anonymise_questions.enqueue()

    assert result.return_value == [closed_long_ago.reference]
