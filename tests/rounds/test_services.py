"""Rounds: opening and closing, members, completeness, and what members send (by form or by file)."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from tests.factories import OrganisationFactory, UserFactory
from tests.rounds.conftest import PERIOD, member_of, person, written
from welfarelab.accounts.models import Membership
from welfarelab.core.importing import ImportRejected
from welfarelab.indicators.models import ImportBatch, Observation
from welfarelab.indicators.services import observations_store
from welfarelab.organisations.models import Organisation
from welfarelab.rounds import services
from welfarelab.rounds.models import Round, RoundMember, RoundSubmission
from welfarelab.rounds.selectors import round_progress, rounds_owed_by, territories_from_codes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def draft(coordinator, catalogue, today, **changes) -> Round:
    fields = {
        "created_by": coordinator,
        "title": "Bozza",
        "period": PERIOD,
        "opens_on": today,
        "deadline": today + dt.timedelta(days=20),
        "indicators": [catalogue["share"]],
    }
    return services.round_create(**{**fields, **changes})


def store(indicator, territory, *, numerator: float, denominator: float | None = None, period: int = PERIOD):
    frame = pl.DataFrame(
        {
            "territory_id": [territory.pk],
            "period": [period],
            "numerator": [numerator],
            "denominator": [denominator],
        },
        schema={
            "territory_id": pl.Int64,
            "period": pl.Int64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )
    observations_store(indicator=indicator, frame=frame, batch=None)


# --- the round ----------------------------------------------------------------------------------------


def test_a_new_round_is_a_draft_with_its_indicators(coordinator, indicators, today):
    round = draft(coordinator, indicators, today, indicators=[indicators["share"], indicators["count"]])

    assert round.status == Round.Status.DRAFT
    assert round.created_by == coordinator
    assert sorted(round.indicators.values_list("code", flat=True)) == ["accessi_pua", "minori_in_carico"]


def test_only_coordinators_create_rounds(bodies, indicators, today):
    editor = person(bodies["roma"])

    with pytest.raises(PermissionDenied):
        draft(editor, indicators, today)

    assert not Round.objects.exists()


def test_a_round_cannot_ask_for_a_builtin_indicator(coordinator, indicators, today):
    with pytest.raises(ValidationError) as refused:
        draft(coordinator, indicators, today, indicators=[indicators["share"], indicators["builtin"]])

    assert refused.value.message_dict["indicators"] == [
        "pop_total: computed by the platform from open data, so a round cannot ask for it."
    ]
    assert not Round.objects.exists()


def test_a_round_cannot_ask_for_a_year_to_come(coordinator, indicators, today):
    with pytest.raises(ValidationError) as refused:
        draft(coordinator, indicators, today, period=today.year + 2)

    assert refused.value.message_dict["period"] == [
        f"A round cannot ask for the year {today.year + 2}: the latest year is {today.year + 1}."
    ]
    assert not Round.objects.exists()


def test_the_deadline_cannot_come_before_the_opening(coordinator, indicators, today):
    with pytest.raises(ValidationError):
        draft(coordinator, indicators, today, deadline=today - dt.timedelta(days=1))

    assert not Round.objects.exists()


def test_opening_needs_indicators_members_and_a_deadline_to_come(coordinator, indicators, today):
    round = draft(coordinator, indicators, today, indicators=[], deadline=today)

    with pytest.raises(ValidationError) as refused:
        services.round_open(round=round, opened_by=coordinator, today=today + dt.timedelta(days=1))

    assert refused.value.messages == [
        str(services.NO_INDICATORS),
        str(services.NO_MEMBERS),
        str(services.DEADLINE_PASSED),
    ]
    round.refresh_from_db()
    assert round.status == Round.Status.DRAFT


def test_open_then_close(lab_round, coordinator):
    assert lab_round.status == Round.Status.OPEN

    services.round_close(round=lab_round, closed_by=coordinator)

    lab_round.refresh_from_db()
    assert lab_round.status == Round.Status.CLOSED
    with pytest.raises(ValidationError):
        services.round_close(round=lab_round, closed_by=coordinator)


def test_an_open_round_keeps_its_year(lab_round, coordinator, indicators):
    with pytest.raises(ValidationError) as refused:
        services.round_update(
            round=lab_round,
            changed_by=coordinator,
            title="Altro",
            period=PERIOD - 1,
            opens_on=lab_round.opens_on,
            deadline=lab_round.deadline,
            indicators=[indicators["share"]],
        )

    assert refused.value.message_dict == {"period": [str(services.PERIOD_LOCKED)]}
    lab_round.refresh_from_db()
    assert (lab_round.title, lab_round.period) == ("Servizi 2024", PERIOD)


# --- members ------------------------------------------------------------------------------------------


def test_members_are_public_bodies_with_a_territory_once_each(coordinator, indicators, bodies, today):
    round = draft(coordinator, indicators, today)
    without_territory = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune senza territorio")
    twin = OrganisationFactory(
        kind=Organisation.Kind.COMUNE, name="Doppione di Roma", territory=bodies["roma"].territory
    )

    services.round_members_add(round=round, organisations=[bodies["aglie"]], added_by=coordinator)
    result = services.round_members_add(
        round=round,
        organisations=[bodies["roma"], bodies["ets"], without_territory, bodies["aglie"], twin],
        added_by=coordinator,
    )

    assert [member.organisation for member in result.added] == [bodies["roma"]]
    assert [(refusal.name, refusal.reason) for refusal in result.refused] == [
        ("Associazione Solidale", str(services.NOT_A_PUBLIC_BODY)),
        ("Comune senza territorio", str(services.NO_TERRITORY)),
        ("Comune di Agliè", str(services.ALREADY_MEMBER)),
        ("Doppione di Roma", "Roma Capitale already answers for Roma (Municipality) in this round."),
    ]
    assert set(RoundMember.objects.filter(round=round).values_list("organisation__name", flat=True)) == {
        "Roma Capitale",
        "Comune di Agliè",
    }
    assert (
        RoundMember.objects.get(round=round, organisation=bodies["roma"]).territory
        == bodies["roma"].territory
    )


def test_every_comune_of_a_provincia_at_once(coordinator, indicators, bodies, places, today):
    round = draft(coordinator, indicators, today)

    result = services.round_members_add_within(
        round=round, within=places["roma_provincia"], added_by=coordinator
    )

    assert sorted(member.organisation.name for member in result.added) == [
        "Comune di Fiumicino",
        "Roma Capitale",
    ]
    assert result.refused == ()


def test_a_comune_without_a_public_body_is_reported(coordinator, indicators, bodies, places, today):
    round = draft(coordinator, indicators, today)
    bodies["fiumicino"].delete()

    result = services.round_members_add_within(round=round, within=places["ambito"], added_by=coordinator)

    assert [member.organisation.name for member in result.added] == ["Roma Capitale"]
    assert [(refusal.name, refusal.reason) for refusal in result.refused] == [
        ("Fiumicino (Municipality)", str(services.NO_PUBLIC_BODY))
    ]


def test_codes_name_territories(places):
    found, problems = territories_from_codes("058091, 58120\nRM-1 ambito:rm-1 999999 provincia:058091")

    assert [territory.code for territory in found] == ["058091", "058120", "RM-1"]
    assert problems == [
        "999999 is not the code of a comune, ambito, provincia or regione.",
        "provincia:058091 is not the code of a comune, ambito, provincia or regione.",
    ]


def test_no_member_is_added_to_a_closed_round(lab_round, coordinator, bodies):
    services.round_close(round=lab_round, closed_by=coordinator)

    with pytest.raises(ValidationError):
        services.round_members_add(round=lab_round, organisations=[bodies["fiumicino"]], added_by=coordinator)

    assert lab_round.members.count() == 2


# --- completeness -------------------------------------------------------------------------------------


def test_completeness_counts_the_values_reported_for_each_member(lab_round, bodies, indicators, places):
    store(indicators["share"], places["roma"], numerator=30, denominator=600)
    store(indicators["count"], places["aglie"], numerator=5, period=PERIOD - 1)  # another year: not counted
    store(indicators["other"], places["aglie"], numerator=1, denominator=100)  # not asked: not counted

    progress = round_progress(round=lab_round)

    by_name = {row.member.organisation.name: row for row in progress.members}
    assert [code.code for code in progress.indicators] == ["accessi_pua", "minori_in_carico"]
    assert [(indicator.code, done) for indicator, done in by_name["Roma Capitale"].cells] == [
        ("accessi_pua", False),
        ("minori_in_carico", True),
    ]
    assert (by_name["Roma Capitale"].sent_count, by_name["Roma Capitale"].owed) == (1, 2)
    assert by_name["Roma Capitale"].percent == 50.0
    assert by_name["Comune di Agliè"].percent == 0.0
    assert [(item.indicator.code, item.sent, item.owed, item.percent) for item in progress.by_indicator] == [
        ("accessi_pua", 0, 2, 0.0),
        ("minori_in_carico", 1, 2, 50.0),
    ]
    assert (progress.sent, progress.owed, progress.percent, progress.complete_members) == (1, 4, 25.0, 0)


def test_a_sum_of_comuni_does_not_answer_for_an_ambito(coordinator, indicators, bodies, places, today):
    round = draft(coordinator, indicators, today)
    services.round_members_add(round=round, organisations=[bodies["ambito"]], added_by=coordinator)
    store(indicators["share"], places["roma"], numerator=30, denominator=600)  # summed into RM-1
    assert Observation.objects.filter(
        territory=places["ambito"], origin=Observation.Origin.AGGREGATED
    ).exists()

    (ambito,) = round_progress(round=round).members

    assert ambito.sent_count == 0


# --- sending by form ----------------------------------------------------------------------------------


def test_a_member_sends_values_by_form(lab_round, bodies):
    editor = person(bodies["roma"])
    member = member_of(lab_round, bodies["roma"])

    submission = services.round_submit_form(
        member=member,
        user=editor,
        entries={
            "minori_in_carico": services.FormEntry(numerator="25", denominator="200"),
            "accessi_pua": services.FormEntry(value="1250"),
        },
        decimal_comma=True,
    )

    share = Observation.objects.get(
        indicator__code="minori_in_carico", territory=member.territory, period=PERIOD
    )
    count = Observation.objects.get(indicator__code="accessi_pua", territory=member.territory, period=PERIOD)
    assert (share.numerator, share.denominator, share.value) == (25, 200, 12.5)
    assert share.lower_95 is not None and share.lower_95 < 12.5 < share.upper_95
    assert count.value == 1250
    assert submission.channel == RoundSubmission.Channel.FORM
    assert (submission.user, submission.organisation, submission.round) == (editor, bodies["roma"], lab_round)
    assert submission.batch.origin == ImportBatch.Origin.ROUND
    assert submission.batch.rows == 2
    assert submission.batch.created_by == editor
    (roma,) = [row for row in round_progress(round=lab_round).members if row.member == member]
    assert roma.is_complete


def test_a_decimal_comma_is_read_in_italian(lab_round, bodies):
    member = member_of(lab_round, bodies["roma"])

    services.round_submit_form(
        member=member,
        user=person(bodies["roma"]),
        entries={"minori_in_carico": services.FormEntry(value="12,5")},
        decimal_comma=True,
    )

    assert (
        Observation.objects.get(indicator__code="minori_in_carico", territory=member.territory).value == 12.5
    )


def test_a_wrong_value_in_the_form_writes_nothing(lab_round, bodies):
    member = member_of(lab_round, bodies["roma"])
    before = written()

    with pytest.raises(services.FormRejected) as refused:
        services.round_submit_form(
            member=member,
            user=person(bodies["roma"]),
            entries={
                "accessi_pua": services.FormEntry(value="40"),  # good, but the whole form is refused
                "minori_in_carico": services.FormEntry(numerator="300", denominator="200"),
            },
            decimal_comma=False,
        )

    assert refused.value.by_indicator == {
        "minori_in_carico": [
            (
                "numeratore",
                "The numerator 300 is larger than the denominator 200: a proportion counts a part of its whole.",
            )
        ]
    }
    assert refused.value.general == []
    assert written() == before


def test_an_empty_form_is_refused(lab_round, bodies):
    member = member_of(lab_round, bodies["roma"])

    with pytest.raises(services.FormRejected) as refused:
        services.round_submit_form(
            member=member, user=person(bodies["roma"]), entries={"accessi_pua": services.FormEntry()}
        )

    assert refused.value.general == [str(services.NOTHING_FILLED)]
    assert written().submissions == 0


@pytest.mark.parametrize("role", [Membership.Role.VIEWER, "editor_elsewhere", "stranger"])
def test_only_its_editors_send_a_members_values(lab_round, bodies, role):
    if role == "stranger":
        user = UserFactory()
    elif role == "editor_elsewhere":
        user = person(bodies["aglie"])
    else:
        user = person(bodies["roma"], role=role)
    before = written()

    with pytest.raises(PermissionDenied):
        services.round_submit_form(
            member=member_of(lab_round, bodies["roma"]),
            user=user,
            entries={"accessi_pua": services.FormEntry(value="40")},
        )

    assert written() == before


def test_a_round_closed_while_the_member_was_typing_takes_nothing(lab_round, coordinator, bodies):
    member = member_of(lab_round, bodies["roma"])  # read while the round was open
    Round.objects.filter(pk=lab_round.pk).update(status=Round.Status.CLOSED)

    with pytest.raises(ValidationError):
        services.round_submit_form(
            member=member, user=person(bodies["roma"]), entries={"accessi_pua": services.FormEntry(value="4")}
        )

    assert written().observations == 0


def test_a_closed_round_or_one_not_yet_open_accepts_nothing(lab_round, coordinator, bodies, today):
    editor = person(bodies["roma"])
    entries = {"accessi_pua": services.FormEntry(value="40")}
    Round.objects.filter(pk=lab_round.pk).update(opens_on=today + dt.timedelta(days=1))

    with pytest.raises(ValidationError):
        services.round_submit_form(member=member_of(lab_round, bodies["roma"]), user=editor, entries=entries)

    Round.objects.filter(pk=lab_round.pk).update(opens_on=today)
    services.round_close(round=lab_round, closed_by=coordinator)
    with pytest.raises(ValidationError) as refused:
        services.round_submit_form(member=member_of(lab_round, bodies["roma"]), user=editor, entries=entries)

    assert refused.value.messages == [str(services.NOT_ACCEPTING)]
    assert written().submissions == 0


# --- sending a file -----------------------------------------------------------------------------------


def filled_template(member, values: dict[str, tuple]) -> bytes:
    """The member's template with `values` (valore, numeratore, denominatore) written on each indicator's row."""
    workbook = load_workbook(io.BytesIO(services.round_template_xlsx(member=member)))
    sheet = workbook["dati"]
    for row in sheet.iter_rows(min_row=2):
        for column, number in zip((4, 5, 6), values.get(row[0].value, (None, None, None)), strict=True):
            row[column].value = number
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_template_has_a_row_per_indicator_for_the_members_territory_and_year(lab_round, bodies):
    member = member_of(lab_round, bodies["aglie"])

    workbook = load_workbook(io.BytesIO(services.round_template_xlsx(member=member)), read_only=True)

    rows = list(workbook["dati"].iter_rows(values_only=True))
    assert rows[0][:4] == ("codice_indicatore", "tipo_territorio", "codice_territorio", "periodo")
    assert [row[:4] for row in rows[1:]] == [
        ("accessi_pua", "comune", "001001", PERIOD),
        ("minori_in_carico", "comune", "001001", PERIOD),
    ]


def test_a_member_uploads_the_filled_template(lab_round, bodies):
    editor = person(bodies["aglie"], role=Membership.Role.ADMIN)
    member = member_of(lab_round, bodies["aglie"])

    submission = services.round_submit_file(
        member=member,
        user=editor,
        content=filled_template(member, {"minori_in_carico": (None, 3, 60)}),  # accessi_pua left empty
        filename="rilevazione.xlsx",
    )

    assert submission.channel == RoundSubmission.Channel.FILE
    assert submission.batch.filename == "rilevazione.xlsx"
    assert submission.batch.rows == 1
    observation = Observation.objects.get(territory=member.territory, period=PERIOD)
    assert (observation.indicator.code, observation.value) == ("minori_in_carico", 5.0)
    (aglie,) = [row for row in round_progress(round=lab_round).members if row.member == member]
    assert [indicator.code for indicator in aglie.missing] == ["accessi_pua"]


def test_rows_outside_the_round_are_refused_by_row_and_column(lab_round, bodies):
    member = member_of(lab_round, bodies["aglie"])
    before = written()
    content = (
        b"codice_indicatore,tipo_territorio,codice_territorio,periodo,valore\n"
        b"minori_in_carico,comune,1001,2024,5\n"  # good: the leading zeros come back
        b"sfratti_1000,comune,001001,2024,2\n"  # in the catalogue, not in the round
        b"minori_in_carico,comune,001001,2023,5\n"  # another year
        b"accessi_pua,comune,058091,2024,7\n"  # another member's territory
        b"accessi_pua,provincia,001,2024,7\n"  # the provincia around it
    )

    with pytest.raises(ImportRejected) as refused:
        services.round_submit_file(
            member=member, user=person(bodies["aglie"]), content=content, filename="x.csv"
        )

    other_territory = "This round asks Comune di Agliè only for Agliè (comune 001001)."
    assert [(error.row, error.column, error.message) for error in refused.value.errors] == [
        (
            3,
            "codice_indicatore",
            "“sfratti_1000” is not an indicator of this round: it asks for accessi_pua, minori_in_carico.",
        ),
        (4, "periodo", "This round collects the year 2024, not 2023."),
        (5, "codice_territorio", other_territory),
        (6, "codice_territorio", other_territory),
    ]
    assert written() == before


def test_the_imports_own_checks_are_listed_with_the_rounds(lab_round, bodies):
    member = member_of(lab_round, bodies["aglie"])
    content = (
        b"codice_indicatore,codice_territorio,periodo,valore\n"
        b"minori_in_carico,001001,2024,abc\n"
        b"nessuno,001001,2024,1\n"
    )

    with pytest.raises(ImportRejected) as refused:
        services.round_submit_file(
            member=member, user=person(bodies["aglie"]), content=content, filename="x.csv"
        )

    assert [(error.row, error.column) for error in refused.value.errors] == [
        (2, "valore"),
        (3, "codice_indicatore"),
    ]
    assert refused.value.errors[1].message.startswith("“nessuno” is not an indicator of this round")
    assert written().submissions == 0


def test_a_coordinator_may_send_for_a_member(lab_round, bodies, coordinator):
    member = member_of(lab_round, bodies["roma"])

    services.round_submit_form(
        member=member, user=coordinator, entries={"accessi_pua": services.FormEntry(value="3")}
    )

    assert RoundSubmission.objects.get().user == coordinator


def test_my_rounds_lists_what_each_of_my_organisations_owes(lab_round, bodies, today, indicators, places):
    editor = person(bodies["roma"])
    person(bodies["aglie"], user=editor)  # the same person edits Agliè too
    store(indicators["count"], places["aglie"], numerator=4)

    owed = rounds_owed_by(user=editor, today=today)

    assert [
        (o.member.organisation.name, o.days_left, [i.code for i in o.progress.missing]) for o in owed
    ] == [
        ("Roma Capitale", 7, ["accessi_pua", "minori_in_carico"]),
        ("Comune di Agliè", 7, ["minori_in_carico"]),
    ]
