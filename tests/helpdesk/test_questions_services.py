"""Questions to the desk, through the services: asking, the reference, the receipt, the desk's work,
the emails (sent once), an answer turned into an anonymised article, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import UserFactory
from tests.helpdesk.conftest import QUESTION_TEXT, pdf_bytes, stored_files
from welfarelab.helpdesk import question_services as services
from welfarelab.helpdesk.attachments import check_attachment
from welfarelab.helpdesk.models import Article, Question, QuestionMessage, QuestionReferenceCounter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media")]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.WELFARELAB_SITE_URL = "https://welfare.example.it/"


# Emails are written in the lab's language (Italian here): the tests look for what no translation changes.


def attachment(content: bytes = pdf_bytes(), name: str = "statuto.pdf"):
    from io import BytesIO

    return check_attachment(BytesIO(content), name=name, size=len(content))


def test_a_member_asks_for_its_organisation_and_gets_a_reference_and_a_receipt(
    ask, ets, ets_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(ets_member, organisation=ets, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))

    assert question.reference == "SP-2026-000001"
    assert question.status == Question.Status.NEW
    assert (question.asker, question.asker_email, question.asker_name) == (
        ets_member,
        ets_member.email,
        "Lucia Verdi",
    )
    assert question.organisation == ets
    assert question.text == QUESTION_TEXT
    [receipt] = mail.outbox
    assert receipt.to == [ets_member.email]
    assert "SP-2026-000001" in receipt.subject
    assert "SP-2026-000001" in receipt.body
    assert "lunedì 9 marzo 2026" in receipt.body.lower()  # the due date
    assert QUESTION_TEXT in receipt.body
    assert "https://welfare.example.it/sportello/domande/SP-2026-000001/" in receipt.body
    assert Question.objects.get().receipt_sent_at is not None


def test_references_count_up_within_a_year_and_start_again_the_next(ask, ets_member):
    first = ask(ets_member, now=dt.datetime(2026, 12, 30, 10, tzinfo=dt.UTC))
    second = ask(ets_member, now=dt.datetime(2026, 12, 31, 10, tzinfo=dt.UTC))
    third = ask(ets_member, now=dt.datetime(2027, 1, 2, 10, tzinfo=dt.UTC))

    assert [first.reference, second.reference, third.reference] == [
        "SP-2026-000001",
        "SP-2026-000002",
        "SP-2027-000001",
    ]
    assert dict(QuestionReferenceCounter.objects.values_list("year", "last_number")) == {2026: 2, 2027: 1}


def test_a_person_without_an_account_asks_with_a_verified_address(ask, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(None, verified_email="anna@example.org", asker_name="Anna Neri")

    assert (question.asker, question.asker_email, question.asker_name) == (
        None,
        "anna@example.org",
        "Anna Neri",
    )
    [receipt] = mail.outbox
    # Without an account, the link confirms the address again on the way to the question.
    assert "https://welfare.example.it/sportello/domande/verifica/" in receipt.body


def test_the_attachment_is_stored_under_a_random_name(ask, ets_member, media):
    question = ask(ets_member, attachment=attachment(name="Statuto Rossi.pdf"))

    assert question.attachment_name == "Statuto_Rossi.pdf"
    assert question.attachment_type == "application/pdf"
    assert question.attachment_size == len(pdf_bytes())
    [path] = stored_files(media)
    assert path.startswith("helpdesk/questions/")
    assert "Rossi" not in path
    assert question.attachment.read() == pdf_bytes()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your question: the text is empty."),
        ("   \n\t  ", "Write your question: the text is empty."),
        ("Aiuto?", "The question is too short (6 characters): write at least 10"),
        ("x" * 5001, "The text is 5001 characters long: the limit is 5000."),
        (
            "Domanda <script>alert('x')</script> sul bilancio",
            "The text contains HTML or a script (“<script>”)",
        ),
        (
            "Domanda <img src=x onerror=alert(1)> sul bilancio",
            "The text contains HTML or a script (“<img src=x onerror=alert(1)>”)",
        ),
        ("Domanda con un <b>grassetto</b> inutile", "(“<b>”)"),
        ("Domanda <script sul bilancio non chiusa", "(“<script”)"),
    ],
)
def test_a_bad_text_is_refused_and_nothing_is_stored(ask, ets_member, media, text, message):
    with pytest.raises(ValidationError) as refused:
        ask(ets_member, text=text, attachment=attachment())

    assert message in refused.value.message_dict["text"][0]
    assert Question.objects.count() == 0
    assert QuestionReferenceCounter.objects.filter(last_number__gt=0).count() == 0
    assert stored_files(media) == []
    assert mail.outbox == []


@pytest.mark.parametrize(
    "text", ["Ho meno di 5 dipendenti: a < b?", "scrivete a <lucia@example.it> per favore"]
)
def test_angle_brackets_that_are_not_markup_are_accepted(ask, ets_member, text):
    assert ask(ets_member, text=text).text == text


def test_control_characters_and_windows_line_ends_are_cleaned(ask, ets_member):
    assert ask(ets_member, text="  Prima riga\r\nseconda\x00 riga  ").text == "Prima riga\nseconda riga"


def test_nobody_asks_without_an_account_or_a_verified_address(ask):
    with pytest.raises(PermissionDenied):
        ask(None)
    assert Question.objects.count() == 0


def test_a_member_asks_only_for_its_own_organisations(ask, ets_member, other_member, ets):
    with pytest.raises(ValidationError) as refused:
        ask(other_member, organisation=ets)
    assert refused.value.message_dict == {"organisation": [str(services.NOT_YOUR_ORGANISATION)]}
    with pytest.raises(ValidationError):
        ask(None, verified_email="anna@example.org", organisation=ets)
    assert Question.objects.count() == 0


def test_an_unknown_theme_is_refused(ask, ets_member):
    with pytest.raises(ValidationError) as refused:
        ask(ets_member, theme="astrologia")
    assert "theme" in refused.value.message_dict


def test_a_failure_after_the_file_is_written_leaves_no_file(ask, ets_member, media, monkeypatch):
    # Fault injection: the database refuses the row's last write, after the file is in the storage.
    save = Question.save

    def fails_after_the_file(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["attachment"]:
            assert stored_files(media) != []  # the file is there at this moment
            raise RuntimeError("the database went away")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Question, "save", fails_after_the_file)
    with pytest.raises(RuntimeError):
        ask(ets_member, attachment=attachment())

    assert stored_files(media) == []
    assert Question.objects.count() == 0


# --- the desk's work ---------------------------------------------------------------------------------


@pytest.fixture
def question(ask, ets, ets_member):
    return ask(ets_member, organisation=ets, now=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))


def test_an_operator_takes_replies_and_the_asker_is_emailed(
    question, operator, django_capture_on_commit_callbacks
):
    services.question_take(question=question, operator=operator)
    question.refresh_from_db()
    assert (question.status, question.assigned_to) == (Question.Status.IN_PROGRESS, operator)

    with django_capture_on_commit_callbacks(execute=True):
        message = services.question_reply(
            question=question, operator=operator, text="Sì, entro il 30 giugno."
        )

    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    assert question.answered_at is not None
    assert (message.kind, message.author, message.text) == ("reply", operator, "Sì, entro il 30 giugno.")
    [email] = mail.outbox
    assert email.to == ["lucia.verdi@amicidelparco.example.it"]
    assert "SP-2026-000001" in email.subject
    assert "Sì, entro il 30 giugno." in email.body
    assert QuestionMessage.objects.get().emailed_at is not None


def test_an_email_is_sent_once_however_often_the_task_runs(
    question, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.question_reply(question=question, operator=operator, text="Risposta.")

    assert services.question_message_send(message_id=message.pk) is False
    assert services.question_receipt_send(question_id=question.pk) is True  # the receipt was not sent yet
    assert services.question_receipt_send(question_id=question.pk) is False
    assert len(mail.outbox) == 2


def test_an_email_that_cannot_leave_is_tried_again_later(question, operator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens

    assert services.question_receipt_send(question_id=question.pk) is False
    assert Question.objects.get().receipt_sent_at is None


def test_asking_for_more_information_pauses_the_due_date(
    question, operator, ets_member, django_capture_on_commit_callbacks
):
    assert question.due_on == dt.date(2026, 3, 9)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_request_information(
            question=question,
            operator=operator,
            text="Quante entrate avete avuto?",
            today=dt.date(2026, 3, 4),
        )
    question.refresh_from_db()
    assert (question.status, question.paused_on) == (Question.Status.WAITING, dt.date(2026, 3, 4))
    assert mail.outbox[-1].to == [question.asker_email]
    assert "Quante entrate avete avuto?" in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer_by_asker(
            question=question, user=ets_member, text="Circa 80.000 euro.", today=dt.date(2026, 3, 6)
        )

    question.refresh_from_db()
    # Waited Thursday 5 and Friday 6: the due date moves from Monday 9 to Wednesday 11 March.
    assert (question.status, question.paused_on, question.due_on) == (
        Question.Status.IN_PROGRESS,
        None,
        dt.date(2026, 3, 11),
    )
    assert mail.outbox[-1].to == [operator.email]
    assert "SP-2026-000001" in mail.outbox[-1].subject
    assert "Circa 80.000 euro." in mail.outbox[-1].body


def test_only_the_asking_side_answers_and_only_when_asked(question, operator, colleague, other_member):
    with pytest.raises(ValidationError, match="not waiting"):
        services.question_answer_by_asker(question=question, user=colleague, text="Altre informazioni.")
    services.question_request_information(question=question, operator=operator, text="Quante entrate?")
    with pytest.raises(PermissionDenied):
        services.question_answer_by_asker(question=question, user=other_member, text="Intrusione.")
    with pytest.raises(PermissionDenied):
        services.question_answer_by_asker(
            question=question, user=None, verified_email="someone@else.org", text="Intrusione."
        )
    services.question_answer_by_asker(question=question, user=colleague, text="Le entrate sono 80.000 euro.")
    assert list(QuestionMessage.objects.values_list("kind", flat=True)) == ["info_request", "asker_answer"]


def test_only_operators_work_on_questions(question, ets_member, member):
    for user in (ets_member, member):
        with pytest.raises(PermissionDenied):
            services.question_take(question=question, operator=user)
        with pytest.raises(PermissionDenied):
            services.question_reply(question=question, operator=user, text="Risposta")
        with pytest.raises(PermissionDenied):
            services.question_close(question=question, operator=user)
    assert QuestionMessage.objects.count() == 0
    assert Question.objects.get().status == Question.Status.NEW


def test_a_closed_question_takes_no_more_messages(question, operator):
    services.question_close(question=question, operator=operator)

    with pytest.raises(ValidationError, match="closed"):
        services.question_reply(question=question, operator=operator, text="Tardi.")
    with pytest.raises(ValidationError, match="closed"):
        services.question_take(question=question, operator=operator)
    assert Question.objects.get().closed_at is not None


# --- from an answer to an article ----------------------------------------------------------------------

PERSONAL_QUESTION = (
    "Sono Lucia Verdi dell'Associazione Amici del Parco APS (CF 97123450011). Dobbiamo depositare il "
    "bilancio al RUNTS? Chiamatemi al 333 123 4567 o scrivete a lucia.verdi@amicidelparco.example.it. "
    "Il nostro IBAN è IT60 X054 2811 1010 0000 0123 456."
)


@pytest.fixture
def answered(ask, ets, ets_member, operator):
    question = ask(ets_member, organisation=ets, text=PERSONAL_QUESTION)
    services.question_reply(
        question=question,
        operator=operator,
        text="Cara Lucia, sì: gli Amici del Parco depositano il bilancio entro il 30 giugno. Giulia Bianchi",
    )
    return Question.objects.get(pk=question.pk)


def test_the_draft_of_an_article_is_anonymised(answered):
    draft = services.article_draft(question=answered)

    assert draft.code == "sp-001"
    assert draft.theme == "amministrativa"
    assert draft.ets_types == ["aps"]
    assert draft.question == (
        "Sono [nome] dell'[ente] (CF [partita IVA]). Dobbiamo depositare il bilancio al RUNTS? Chiamatemi al "
        "[telefono] o scrivete a [email]. Il nostro IBAN è [IBAN]."
    )
    assert draft.title == "Sono [nome] dell'[ente] (CF [partita IVA])."
    # The operator's signature goes too: an article names nobody.
    assert (
        draft.answer_markdown
        == "Cara [nome], sì: gli [ente] depositano il bilancio entro il 30 giugno. [nome]"
    )
    assert draft.replaced == {
        "[nome]": 3,
        "[ente]": 2,
        "[partita IVA]": 1,
        "[telefono]": 1,
        "[email]": 1,
        "[IBAN]": 1,
    }


def article_fields(**changes):
    fields = {
        "code": "sp-001",
        "title": "Deposito del bilancio al RUNTS",
        "question_text": "Un'APS deve depositare il bilancio al RUNTS?",
        "answer_markdown": "Sì: il bilancio si deposita entro il **30 giugno**.",
        "theme": "amministrativa",
        "ets_types": ["aps"],
    }
    return {**fields, **changes}


def test_an_answer_becomes_an_unpublished_article_in_the_review_queue(answered, operator):
    article = services.article_from_question(question=answered, operator=operator, **article_fields())

    assert (article.code, article.is_published, article.needs_review) == ("sp-001", False, True)
    assert article.author == operator
    assert "Written from question SP-" in article.review_reason
    answered.refresh_from_db()
    assert answered.article == article
    assert services.next_article_code() == "sp-002"


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("answer_markdown", "Chiedete a Lucia: 333 123 4567.", "[telefono], [nome]"),
        ("question_text", "Gli Amici del Parco devono depositare il bilancio?", "[ente]"),
        ("title", "Bilancio di lucia.verdi@amicidelparco.example.it", "[email]"),
        ("answer_markdown", "Firmato: Giulia Bianchi, sportello.", "[nome]"),
    ],
)
def test_an_article_with_personal_data_left_is_refused(answered, operator, field, value, found):
    with pytest.raises(ValidationError) as refused:
        services.article_from_question(
            question=answered, operator=operator, **article_fields(**{field: value})
        )

    [message] = next(iter(refused.value.message_dict.values()))
    assert f"still contains personal data ({found})" in message
    assert Article.objects.count() == 0


def test_an_article_needs_a_reply_and_is_written_once(ask, ets_member, answered, operator):
    unanswered = ask(ets_member)
    with pytest.raises(ValidationError, match="no reply yet"):
        services.article_from_question(question=unanswered, operator=operator, **article_fields())
    services.article_from_question(question=answered, operator=operator, **article_fields())
    with pytest.raises(ValidationError, match="already become the article sp-001"):
        services.article_from_question(question=answered, operator=operator, **article_fields(code="sp-002"))
    assert Article.objects.count() == 1


def test_a_reviewed_article_is_published(answered, operator):
    article = services.article_from_question(question=answered, operator=operator, **article_fields())
    reviewer = UserFactory(is_desk_operator=True)

    services.article_publish(article=article, operator=reviewer)

    article.refresh_from_db()
    assert (article.is_published, article.needs_review, article.reviewed_by) == (True, False, reviewer)


def test_publication_is_refused_if_personal_data_came_back(answered, operator):
    article = services.article_from_question(question=answered, operator=operator, **article_fields())
    Article.objects.filter(pk=article.pk).update(answer_markdown="Chiamate Lucia Verdi al 333 1234567.")

    with pytest.raises(ValidationError, match="personal data"):
        services.article_publish(article=article, operator=operator)
    assert not Article.objects.get(pk=article.pk).is_published


def test_only_operators_turn_answers_into_articles(answered, ets_member):
    with pytest.raises(PermissionDenied):
        services.article_from_question(question=answered, operator=ets_member, **article_fields())
    assert Article.objects.count() == 0
