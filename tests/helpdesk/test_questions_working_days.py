"""Due dates in working days: weekends and Italian public holidays (Easter Monday, 25 April, Christmas,
Santo Stefano, and 4 October from 2026) are skipped; a province adds its patron saint."""

from __future__ import annotations

import datetime as dt

import pytest

from welfarelab.helpdesk.checks import check_question_settings
from welfarelab.helpdesk.models import Question, ServiceLevel
from welfarelab.helpdesk.question_services import due_date, holiday_calendar, service_level_days
from welfarelab.helpdesk.working_days import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.fixture
def italy():
    return holiday_calendar()


@pytest.mark.parametrize(
    ("asked_on", "due_on", "why"),
    [
        (D(2026, 12, 23), D(2026, 12, 31), "24, then 25 and 26 December and the weekend skipped, 28-31"),
        (D(2027, 3, 26), D(2027, 4, 5), "Easter Monday 29 March 2027 skipped"),
        (D(2027, 4, 1), D(2027, 4, 8), "2, 5, 6, 7, 8 April: Easter Monday is before"),
        (D(2026, 4, 2), D(2026, 4, 10), "Easter Monday 6 April 2026 skipped"),
        (D(2027, 9, 30), D(2027, 10, 8), "4 October (San Francesco) is a holiday again from 2026"),
        (D(2026, 4, 22), D(2026, 4, 29), "25 April 2026 is a Saturday: nothing more is skipped"),
        (D(2026, 5, 29), D(2026, 6, 8), "2 June (Republic Day) skipped"),
        (D(2026, 7, 4), D(2026, 7, 10), "asked on a Saturday: counting starts on Monday"),
        (D(2026, 7, 6), D(2026, 7, 13), "asked on a Monday: due the next Monday"),
    ],
)
def test_five_working_days_skip_weekends_and_italian_holidays(italy, asked_on, due_on, why):
    assert add_working_days(asked_on, 5, holidays=italy) == due_on, why


def test_the_calendar_knows_the_italian_holidays(italy):
    assert D(2027, 3, 29) in italy  # Easter Monday
    assert D(2026, 4, 6) in italy
    assert D(2026, 12, 26) in italy
    assert D(2026, 12, 24) not in italy  # Christmas Eve is a working day
    assert not is_working_day(D(2026, 8, 15), holidays=italy)
    assert is_working_day(D(2026, 8, 14), holidays=italy)


def test_a_province_adds_its_patron_saint(settings):
    settings.WELFARELAB_HOLIDAYS_SUBDIVISION = "RM"
    assert D(2026, 6, 29) in holiday_calendar()  # Santi Pietro e Paolo, Rome
    settings.WELFARELAB_HOLIDAYS_SUBDIVISION = ""
    assert D(2026, 6, 29) not in holiday_calendar()


def test_an_unknown_province_stops_the_start(settings):
    settings.WELFARELAB_HOLIDAYS_SUBDIVISION = "XX"
    assert [message.id for message in check_question_settings(None)] == ["helpdesk.E005"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 12, 23), D(2026, 12, 31), 5),
        (D(2026, 7, 10), D(2026, 7, 13), 1),  # Friday to Monday
        (D(2026, 7, 13), D(2026, 7, 13), 0),
        (D(2026, 7, 13), D(2026, 7, 10), -1),  # Monday back to Friday
        (D(2026, 7, 11), D(2026, 7, 12), 0),  # a weekend
    ],
)
def test_working_days_between_counts_after_the_start(italy, start, end, expected):
    assert working_days_between(start, end, holidays=italy) == expected


def test_working_days_between_undoes_adding(italy):
    start = D(2026, 12, 1)
    for days in range(0, 40):
        assert (
            working_days_between(start, add_working_days(start, days, holidays=italy), holidays=italy) == days
        )


def test_negative_days_are_refused(italy):
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(D(2026, 1, 1), -1, holidays=italy)


@pytest.mark.django_db
def test_the_service_level_of_a_theme_overrides_the_default(settings):
    settings.WELFARELAB_QUESTION_DUE_WORKING_DAYS = 5
    ServiceLevel.objects.create(theme="fiscale", working_days=2)

    assert service_level_days(theme="fiscale") == 2
    assert service_level_days(theme="normativa") == 5
    assert due_date(theme="fiscale", asked_on=D(2026, 12, 23)) == D(2026, 12, 28)
    assert due_date(theme="normativa", asked_on=D(2026, 12, 23)) == D(2026, 12, 31)


@pytest.mark.django_db
def test_a_question_gets_its_due_date_when_asked(ask, ets_member, settings):
    settings.WELFARELAB_QUESTION_DUE_WORKING_DAYS = 5
    asked_at = dt.datetime(2026, 12, 23, 18, 30, tzinfo=dt.UTC)

    question = ask(ets_member, now=asked_at)

    assert question.due_on == D(2026, 12, 31)
    assert Question.objects.get().due_on == D(2026, 12, 31)


@pytest.mark.django_db
def test_the_day_asked_is_the_day_in_rome(ask, ets_member):
    # 23:30 UTC on Friday 3 July 2026 is already Saturday in Rome: counting starts on Monday 6.
    question = ask(ets_member, now=dt.datetime(2026, 7, 3, 23, 30, tzinfo=dt.UTC))

    assert question.reference.startswith("SP-2026-")
    assert question.due_on == D(2026, 7, 10)
