"""Reminders: to the editors and administrators of members with missing values, on the schedule's days
before the deadline, never twice a day, never for a closed round; run as a django-tasks task."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from tests.rounds.conftest import member_of, person
from welfarelab.accounts.models import Membership
from welfarelab.rounds import services
from welfarelab.rounds.models import Round, RoundMember
from welfarelab.rounds.services import reminder_day, round_reminders_send
from welfarelab.rounds.tasks import send_round_reminders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DEADLINE = dt.date(2025, 3, 20)


@pytest.fixture(autouse=True)
def _schedule(settings):
    settings.WELFARELAB_ROUND_REMINDER_DAYS = [7, 1]
    settings.WELFARELAB_SITE_URL = "https://welfare.example.it/"


@pytest.fixture
def people(bodies):
    """Who belongs to Roma and Agliè: editors and administrators are reminded, viewers are not."""
    return {
        "roma_editor": person(bodies["roma"], user__email="editor@roma.example.it"),
        "roma_admin": person(bodies["roma"], role=Membership.Role.ADMIN, user__email="admin@roma.example.it"),
        "roma_viewer": person(
            bodies["roma"], role=Membership.Role.VIEWER, user__email="viewer@roma.example.it"
        ),
        "aglie_editor": person(bodies["aglie"], user__email="editor@aglie.example.it"),
    }


def send_everything(lab_round, organisation, user) -> None:
    services.round_submit_form(
        member=member_of(lab_round, organisation),
        user=user,
        entries={
            "minori_in_carico": services.FormEntry(numerator="3", denominator="60"),
            "accessi_pua": services.FormEntry(value="12"),
        },
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 3, 12), None),  # 8 days before: not yet
        (dt.date(2025, 3, 13), dt.date(2025, 3, 13)),  # 7 days before
        (dt.date(2025, 3, 15), dt.date(2025, 3, 13)),  # a missed day is caught up
        (dt.date(2025, 3, 19), dt.date(2025, 3, 19)),  # 1 day before
        (dt.date(2025, 3, 20), dt.date(2025, 3, 19)),
        (dt.date(2025, 3, 21), None),  # after the deadline
    ],
)
def test_the_day_of_the_schedule_that_has_come(today, expected):
    assert reminder_day(deadline=DEADLINE, today=today, days=[7, 1]) == expected


def test_members_with_missing_values_are_reminded_7_days_before(lab_round, people, bodies, today):
    send_everything(lab_round, bodies["aglie"], people["aglie_editor"])

    reminded = round_reminders_send(today=today)  # the round's deadline is in 7 days

    assert reminded == 1
    assert recipients() == ["admin@roma.example.it", "editor@roma.example.it"]
    # The text is the lab's language (Italian, with or without its translation yet): only data is compared.
    message = mail.outbox[0]
    assert "“Servizi 2024”" in message.subject
    assert "Roma Capitale" in message.body
    assert "- Accessi al PUA (accessi_pua)\n- Minori in carico (minori_in_carico)\n" in message.body
    link = f"https://welfare.example.it/rilevazioni/{lab_round.pk}/enti/{bodies['roma'].pk}/"
    assert link in message.body
    roma = member_of(lab_round, bodies["roma"])
    assert timezone.localdate(roma.last_reminder_sent_at) == today
    assert member_of(lab_round, bodies["aglie"]).last_reminder_sent_at is None


def test_the_email_lists_only_what_is_missing(lab_round, people, bodies, today):
    services.round_submit_form(
        member=member_of(lab_round, bodies["roma"]),
        user=people["roma_editor"],
        entries={"accessi_pua": services.FormEntry(value="12")},
    )

    round_reminders_send(today=today)

    roma = next(message for message in mail.outbox if message.to == ["editor@roma.example.it"])
    assert "- Minori in carico (minori_in_carico)\n" in roma.body
    assert "accessi_pua" not in roma.body


def test_a_member_is_not_reminded_twice_the_same_day(lab_round, people, today):
    assert round_reminders_send(today=today) == 2

    assert round_reminders_send(today=today) == 0
    assert round_reminders_send(today=today, round_id=lab_round.pk, manual=True) == 0
    assert len(mail.outbox) == 3  # Roma's editor and admin, Agliè's editor: once each


def test_reminded_again_on_the_next_day_of_the_schedule_only(lab_round, people, today):
    round_reminders_send(today=today)  # 7 days before
    mail.outbox.clear()

    assert round_reminders_send(today=today + dt.timedelta(days=1)) == 0
    assert round_reminders_send(today=today + dt.timedelta(days=5)) == 0
    assert round_reminders_send(today=today + dt.timedelta(days=6)) == 2  # 1 day before
    assert len(mail.outbox) == 3


def test_nobody_is_reminded_after_sending_everything(lab_round, people, bodies, today):
    send_everything(lab_round, bodies["roma"], people["roma_editor"])
    send_everything(lab_round, bodies["aglie"], people["aglie_editor"])

    assert round_reminders_send(today=today) == 0
    assert mail.outbox == []


def test_no_reminder_for_a_closed_round_or_a_draft(lab_round, people, coordinator, today):
    services.round_close(round=lab_round, closed_by=coordinator)

    assert round_reminders_send(today=today) == 0
    assert round_reminders_send(today=today, round_id=lab_round.pk, manual=True) == 0

    Round.objects.filter(pk=lab_round.pk).update(status=Round.Status.DRAFT)
    assert round_reminders_send(today=today) == 0
    assert mail.outbox == []
    assert not RoundMember.objects.filter(last_reminder_sent_at__isnull=False).exists()


def test_no_reminder_outside_the_schedule(lab_round, people, today):
    assert round_reminders_send(today=today - dt.timedelta(days=1)) == 0  # 8 days before
    assert round_reminders_send(today=lab_round.deadline + dt.timedelta(days=1)) == 0  # after the deadline
    assert mail.outbox == []


def test_a_member_without_editors_is_skipped_and_not_marked(lab_round, bodies, today):
    person(bodies["roma"], role=Membership.Role.VIEWER)

    assert round_reminders_send(today=today) == 0
    assert mail.outbox == []
    assert member_of(lab_round, bodies["roma"]).last_reminder_sent_at is None


def test_emails_are_written_in_the_labs_language(lab_round, people, today):
    round_reminders_send(today=today)  # under English pages (the `english` fixture): no request to ask

    month = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ][lab_round.deadline.month - 1]
    assert f"{lab_round.deadline.day} {month} {lab_round.deadline.year}" in mail.outbox[0].subject.lower()
    assert f"https://welfare.example.it/rilevazioni/{lab_round.pk}/" in mail.outbox[0].body


def test_the_task_runs_through_the_immediate_backend(lab_round, people):
    result = send_round_reminders.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 2
    assert len(mail.outbox) == 3


def test_the_coordinators_button_reminds_at_once_whatever_the_schedule(
    lab_round, people, coordinator, django_capture_on_commit_callbacks
):
    Round.objects.filter(pk=lab_round.pk).update(deadline=lab_round.deadline + dt.timedelta(days=20))
    lab_round.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.round_reminders_request(round=lab_round, requested_by=coordinator)

    assert recipients() == [
        "admin@roma.example.it",
        "editor@aglie.example.it",
        "editor@roma.example.it",
    ]


def test_the_command_runs_the_reminders(lab_round, people):
    out = StringIO()

    call_command("send_round_reminders", stdout=out)

    assert "2 member(s) reminded" in out.getvalue()
    assert len(mail.outbox) == 3


# The worker closes and reopens its database connection: a real transaction. No migration loads rows
# (content types and permissions come back with the flush's post_migrate), so nothing is serialised.
@pytest.mark.django_db(transaction=True)
def test_the_command_queues_the_task_for_the_database_worker(lab_round, people, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    out = StringIO()

    call_command("send_round_reminders", stdout=out)

    assert "Reminders queued" in out.getvalue()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "welfarelab.rounds.tasks.send_round_reminders"
    assert mail.outbox == []  # the worker sends them

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 3


def test_the_subject_is_plain_text_not_html_escaped(lab_round, people, bodies, today):
    lab_round.title = "Servizi per l'infanzia & famiglie"
    lab_round.save(update_fields=["title"])

    round_reminders_send(today=today)

    assert "“Servizi per l'infanzia & famiglie”" in mail.outbox[0].subject
