"""The rounds' pages: the coordinators' list, form, members and board; the members' pages; who gets 403/404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.rounds.conftest import PERIOD, member_of, person, written
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import Observation
from welfarelab.reports.tabular import XLSX_CONTENT_TYPE
from welfarelab.rounds import services
from welfarelab.rounds.models import Round, RoundMember, RoundSubmission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def board_url(round) -> str:
    return reverse("rounds:round-board", kwargs={"pk": round.pk})


def member_url(round, organisation, name: str = "rounds:member") -> str:
    return reverse(name, kwargs={"pk": round.pk, "organisation_pk": organisation.pk})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the coordinators' pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rounds:round-list", "rounds:round-create"])
def test_coordinator_pages_are_403_for_members_and_ask_visitors_to_sign_in(client, bodies, name):
    url = reverse(name)
    assert client.get(url).status_code == 302

    client.force_login(person(bodies["roma"], role=Membership.Role.ADMIN))

    assert client.get(url).status_code == 403


def test_the_board_is_403_for_members_and_404_for_an_unknown_round(client, lab_round, bodies, coordinator):
    client.force_login(person(bodies["roma"]))
    assert client.get(board_url(lab_round)).status_code == 403
    assert client.post(reverse("rounds:round-close", kwargs={"pk": lab_round.pk})).status_code == 403

    client.force_login(coordinator)
    assert client.get(reverse("rounds:round-board", kwargs={"pk": 9999})).status_code == 404
    lab_round.refresh_from_db()
    assert lab_round.status == Round.Status.OPEN


def test_the_list_shows_every_round(client, lab_round, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("rounds:round-list"))

    assert response.status_code == 200
    assert "Servizi 2024" in response.text
    assert board_url(lab_round) in response.text


def test_a_coordinator_creates_a_round(client, coordinator, indicators):
    client.force_login(coordinator)

    response = client.post(
        reverse("rounds:round-create"),
        {
            "title": "Povertà 2025",
            "period": "2025",
            "opens_on": "2026-01-10",
            "deadline": "2026-02-28",
            "indicators": [indicators["share"].pk, indicators["count"].pk],
            "note": "",
        },
    )

    round = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rounds:round-members", kwargs={"pk": round.pk})
    assert (round.title, round.period, round.status, round.deadline) == (
        "Povertà 2025",
        2025,
        Round.Status.DRAFT,
        dt.date(2026, 2, 28),
    )


def test_the_form_offers_only_the_labs_own_indicators(client, coordinator, indicators):
    client.force_login(coordinator)

    response = client.get(reverse("rounds:round-create"))

    assert "minori_in_carico" in response.text or "Minori in carico" in response.text
    assert "Popolazione" not in response.text


def test_the_coordinator_adds_every_comune_of_a_provincia(
    client, coordinator, indicators, bodies, places, today
):
    round = services.round_create(
        created_by=coordinator,
        title="Bozza",
        period=PERIOD,
        opens_on=today,
        deadline=today,
        indicators=[indicators["share"]],
    )
    client.force_login(coordinator)

    response = client.post(
        reverse("rounds:round-members", kwargs={"pk": round.pk}),
        {"action": "within", "within-within": places["roma_provincia"].pk},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["2 members added."]
    assert set(round.members.values_list("organisation__name", flat=True)) == {
        "Roma Capitale",
        "Comune di Fiumicino",
    }


def test_codes_that_name_nothing_are_shown_on_the_form(client, coordinator, lab_round):
    client.force_login(coordinator)

    response = client.post(
        reverse("rounds:round-members", kwargs={"pk": lab_round.pk}),
        {"action": "codes", "codes-codes": "123456"},
    )

    assert response.status_code == 200
    assert "123456 is not the code of a comune, ambito, provincia or regione." in response.text
    assert lab_round.members.count() == 2


def test_refused_organisations_are_said_with_the_reason(client, coordinator, lab_round):
    client.force_login(coordinator)

    response = client.post(
        reverse("rounds:round-members", kwargs={"pk": lab_round.pk}),
        {"action": "codes", "codes-codes": "058091 058120"},
    )

    assert messages_of(response) == ["1 member added.", "Roma Capitale: Already a member of the round."]


def test_the_board_shows_who_sent_what_in_words(client, coordinator, lab_round, bodies):
    services.round_submit_form(
        member=member_of(lab_round, bodies["aglie"]),
        user=coordinator,
        entries={
            "minori_in_carico": services.FormEntry(value="5"),
            "accessi_pua": services.FormEntry(value="3"),
        },
    )
    client.force_login(coordinator)

    response = client.get(board_url(lab_round))

    assert response.status_code == 200
    text = response.text
    assert "Values sent: 2 of 4 (50 %). Members that have sent everything: 1 of 2." in text
    roma_row = text.split("Roma Capitale</a>")[1].split("</tr>")[0]
    assert roma_row.count(">missing<") == 2
    assert "0/2" in roma_row
    aglie_row = text.split("Comune di Agliè</a>")[1].split("</tr>")[0]
    assert aglie_row.count(">sent<") == 2
    assert "100 %" in aglie_row


def test_the_missing_only_filter_and_its_htmx_fragment(client, coordinator, lab_round, bodies):
    services.round_submit_form(
        member=member_of(lab_round, bodies["aglie"]),
        user=coordinator,
        entries={
            "minori_in_carico": services.FormEntry(value="5"),
            "accessi_pua": services.FormEntry(value="3"),
        },
    )
    client.force_login(coordinator)

    page = client.get(board_url(lab_round), {"mancanti": "on"})
    fragment = client.get(
        board_url(lab_round), {"mancanti": "on"}, headers={"HX-Request": "true", "HX-Target": "board-table"}
    )

    assert "Roma Capitale" in page.text and "Comune di Agliè</a>" not in page.text
    assert fragment.text.lstrip().startswith('<div id="board-table"')
    assert "<html" not in fragment.text
    assert "Roma Capitale" in fragment.text and "Comune di Agliè</a>" not in fragment.text


def test_open_and_close_from_the_board(client, coordinator, lab_round):
    client.force_login(coordinator)

    client.post(reverse("rounds:round-close", kwargs={"pk": lab_round.pk}))
    lab_round.refresh_from_db()
    assert lab_round.status == Round.Status.CLOSED

    client.post(reverse("rounds:round-open", kwargs={"pk": lab_round.pk}))
    lab_round.refresh_from_db()
    assert lab_round.status == Round.Status.OPEN


def test_send_reminders_now(client, coordinator, lab_round, bodies, django_capture_on_commit_callbacks):
    person(bodies["roma"], user__email="editor@roma.example.it")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rounds:round-remind", kwargs={"pk": lab_round.pk}))

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["editor@roma.example.it"]]


# --- the members' pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Membership.Role.EDITOR, 200),
        (Membership.Role.ADMIN, 200),
        ("coordinator", 200),
        (Membership.Role.VIEWER, 403),
        ("editor_elsewhere", 404),
        ("stranger", 404),
    ],
)
def test_the_member_page_by_role(client, lab_round, bodies, role, expected):
    if role == "coordinator":
        user = UserFactory(is_lab_coordinator=True)
    elif role == "editor_elsewhere":
        user = person(bodies["fiumicino"])
    elif role == "stranger":
        user = UserFactory()
    else:
        user = person(bodies["roma"], role=role)
    client.force_login(user)

    assert client.get(member_url(lab_round, bodies["roma"])).status_code == expected
    assert client.get(member_url(lab_round, bodies["roma"], "rounds:member-template")).status_code == expected


def test_the_member_page_asks_visitors_to_sign_in(client, lab_round, bodies):
    response = client.get(member_url(lab_round, bodies["roma"]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_draft_or_a_non_member_is_404(client, lab_round, bodies):
    editor = person(bodies["fiumicino"])
    client.force_login(editor)
    assert client.get(member_url(lab_round, bodies["fiumicino"])).status_code == 404  # not asked

    Round.objects.filter(pk=lab_round.pk).update(status=Round.Status.DRAFT)
    client.force_login(person(bodies["roma"]))
    assert client.get(member_url(lab_round, bodies["roma"])).status_code == 404


def test_my_rounds_lists_what_is_owed_with_the_days_left(client, lab_round, bodies):
    client.force_login(person(bodies["roma"]))

    response = client.get(reverse("rounds:my-rounds"))

    assert response.status_code == 200
    assert "Servizi 2024" in response.text
    assert "7 days left" in response.text
    assert "Accessi al PUA, Minori in carico" in response.text
    assert member_url(lab_round, bodies["roma"]) in response.text


def test_my_rounds_leaves_out_drafts(client, lab_round, bodies):
    Round.objects.filter(pk=lab_round.pk).update(status=Round.Status.DRAFT)
    client.force_login(person(bodies["roma"]))

    response = client.get(reverse("rounds:my-rounds"))

    assert "Servizi 2024" not in response.text


def test_a_member_sends_the_form(client, lab_round, bodies):
    editor = person(bodies["roma"])
    client.force_login(editor)
    url = member_url(lab_round, bodies["roma"])

    response = client.post(url, {"minori_in_carico-numerator": "25", "minori_in_carico-denominator": "200"})

    assert response.status_code == 302
    assert response["Location"] == url
    assert messages_of(response) == ["1 value received, thank you."]
    observation = Observation.objects.get(indicator__code="minori_in_carico", territory__code="058091")
    assert observation.value == 12.5
    assert RoundSubmission.objects.get().user == editor


def test_a_wrong_form_shows_the_error_on_its_field_and_writes_nothing(client, lab_round, bodies):
    client.force_login(person(bodies["roma"]))
    before = written()

    response = client.post(
        member_url(lab_round, bodies["roma"]),
        {"accessi_pua-value": "12", "minori_in_carico-numerator": "25"},
    )

    assert response.status_code == 200
    assert "Indicator minori_in_carico is a proportion: the numerator needs its denominator." in response.text
    assert 'id="id_minori_in_carico-denominator_errors"' in response.text
    assert written() == before


def test_the_template_download(client, lab_round, bodies):
    client.force_login(person(bodies["roma"]))

    response = client.get(member_url(lab_round, bodies["roma"], "rounds:member-template"))

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="rilevazione-{lab_round.pk}-comune-058091.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["dati"]
    assert [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("accessi_pua", "comune", "058091", PERIOD),
        ("minori_in_carico", "comune", "058091", PERIOD),
    ]


def test_an_upload_outside_the_round_lists_the_errors(client, lab_round, bodies):
    client.force_login(person(bodies["roma"]))
    content = b"codice_indicatore,codice_territorio,periodo,valore\naccessi_pua,001001,2024,3\n"

    response = client.post(
        member_url(lab_round, bodies["roma"], "rounds:member-upload"),
        {"file": io.BytesIO(content)},
    )

    assert response.status_code == 200
    assert "The file was rejected: 1 error. Nothing was saved." in response.text
    assert "This round asks Roma Capitale only for Roma (comune 058091)." in response.text
    assert written().observations == 0


def test_a_good_upload(client, lab_round, bodies):
    client.force_login(person(bodies["roma"]))
    upload = io.BytesIO(b"codice_indicatore,codice_territorio,periodo,valore\naccessi_pua,058091,2024,3\n")
    upload.name = "valori.csv"

    response = client.post(member_url(lab_round, bodies["roma"], "rounds:member-upload"), {"file": upload})

    assert response.status_code == 302
    assert RoundSubmission.objects.get().channel == RoundSubmission.Channel.FILE
    assert RoundMember.objects.filter(round=lab_round).count() == 2
