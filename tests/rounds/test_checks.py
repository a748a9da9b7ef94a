"""The rounds' system checks: a bad reminder schedule stops the start; a production install linking
its reminders to localhost is warned."""

from __future__ import annotations

from welfarelab.rounds.checks import check_reminder_days, check_site_url


def test_the_reminder_days_are_whole_numbers_not_below_zero(settings):
    settings.WELFARELAB_ROUND_REMINDER_DAYS = [7, 1]
    assert check_reminder_days(None) == []

    settings.WELFARELAB_ROUND_REMINDER_DAYS = [7, -1]
    assert [message.id for message in check_reminder_days(None)] == ["rounds.E001"]


def test_production_warns_when_the_reminders_link_to_localhost(settings):
    settings.PRODUCTION = True
    settings.WELFARELAB_SITE_URL = "http://localhost:8000"
    assert [message.id for message in check_site_url(None)] == ["rounds.W001"]

    settings.WELFARELAB_SITE_URL = "https://welfare.example.it"
    assert check_site_url(None) == []

    settings.PRODUCTION = False
    settings.WELFARELAB_SITE_URL = "http://localhost:8000"
    assert check_site_url(None) == []
