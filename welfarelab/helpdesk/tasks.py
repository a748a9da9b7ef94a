"""Background work of the help desk (django-tasks): the emails of the questions, and their anonymisation
after the retention period.

Tasks take ids, never model instances, and are safe to run twice: an email is marked as sent on its row
and never sent again; an anonymised question is skipped. `welfarelab anonymise-questions`, run daily by
cron or a systemd timer, enqueues the scheduled anonymisation; `welfarelab db_worker` runs what is queued.
"""

from __future__ import annotations

from django_tasks import task

from welfarelab.helpdesk import question_services


@task()
def send_question_receipt(question_id: int) -> bool:
    """Email the asker the reference of the question just asked."""
    return question_services.question_receipt_send(question_id=question_id)


@task()
def send_question_message(message_id: int) -> bool:
    """Email a message of a question's thread to the other side."""
    return question_services.question_message_send(message_id=message_id)


@task()
def send_email_verification(email: str, reference: str = "") -> bool:
    """Email the link that proves `email` belongs to whoever asked for it."""
    return question_services.email_verification_send(email=email, reference=reference)


@task()
def anonymise_questions() -> list[str]:
    """Anonymise the closed questions past the retention period; return their references."""
    return question_services.questions_anonymise()
