"""RSS/Atom per theme and per saved filter (read back with feedparser) and the iCal feed of deadlines
(read back with icalendar)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from django.urls import reverse

from tests.alerts.conftest import CallFactory
from welfarelab.alerts import services
from welfarelab.calls.models import Theme

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def test_a_themes_rss_and_atom_feeds_hold_its_calls_and_news(client):
    youth = CallFactory(title="Giovani & comunità", themes=["politiche-giovanili"], summary="Per under 35.")
    CallFactory(title="Palestre", themes=["sport"])
    services.news_post_create(
        author=None,
        title="Open day",
        body="Vieni <script>alert(1)</script>**oggi**",
        themes=Theme.objects.filter(slug="politiche-giovanili"),
    )

    rss = feedparser.parse(client.get(reverse("alerts:theme-rss", args=["politiche-giovanili"])).content)
    assert rss.bozo == 0 and rss.version == "rss20"
    titles = [entry.title for entry in rss.entries]
    assert titles[0] == "Giovani & comunità" or titles[1] == "Giovani & comunità"
    assert len(titles) == 2 and any(title.endswith(": Open day") for title in titles)  # "News: " translated
    call_entry = next(entry for entry in rss.entries if entry.title == "Giovani & comunità")
    assert call_entry.link == f"http://testserver/bandi/{youth.pk}/"
    assert "Per under 35." in call_entry.summary
    news_entry = next(entry for entry in rss.entries if entry.title != "Giovani & comunità")
    assert "<script>" not in news_entry.summary and "<strong>oggi</strong>" in news_entry.summary

    atom = feedparser.parse(client.get(reverse("alerts:theme-atom", args=["politiche-giovanili"])).content)
    assert atom.bozo == 0 and atom.version == "atom10"
    assert len(atom.entries) == 2
    assert client.get(reverse("alerts:theme-rss", args=["nessun-tema"])).status_code == 404


def test_a_saved_filters_feed_shows_what_the_calls_list_shows(client):
    CallFactory(title="Boschi", themes=["ambiente"])
    CallFactory(title="Teatro", themes=["cultura"])
    rss = feedparser.parse(client.get(reverse("alerts:filter-rss") + "?theme=ambiente").content)
    assert [entry.title for entry in rss.entries] == ["Boschi"]
    atom = feedparser.parse(client.get(reverse("alerts:filter-atom") + "?theme=cultura").content)
    assert [entry.title for entry in atom.entries] == ["Teatro"]
    assert client.get(reverse("alerts:filter-rss") + "?theme=inesistente").status_code == 404


def test_the_calendar_has_one_event_per_deadline_in_italian_time_with_an_alarm(client, settings):
    settings.WELFARELAB_ALERT_REMINDER_DAYS = 5
    timed = CallFactory(
        title="Alle 12", themes=["ambiente"], closes_at=dt.datetime(2030, 3, 31, 12, 0, tzinfo=ROME)
    )
    midnight = CallFactory(
        title="A mezzanotte", themes=["cultura"], closes_at=dt.datetime(2030, 7, 1, 0, 0, tzinfo=ROME)
    )
    CallFactory(title="Senza scadenza", themes=["ambiente"], closes_at=None)

    response = client.get(reverse("alerts:calendar"))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert sorted(name.split(": ", 1)[1] for name in events) == ["A mezzanotte", "Alle 12"]  # "Deadline: …"
    at_noon = next(event for name, event in events.items() if name.endswith("Alle 12"))
    start = at_noon.decoded("dtstart")
    assert start == dt.datetime(2030, 3, 31, 12, 0, tzinfo=ROME) and str(start.tzinfo) == "Europe/Rome"
    assert str(at_noon["uid"]) == f"call-{timed.pk}@localhost"
    [alarm] = at_noon.walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(days=5)
    all_day = next(event for name, event in events.items() if name.endswith("A mezzanotte"))
    assert all_day.decoded("dtstart") == dt.date(2030, 6, 30)  # the deadline is the end of 30 June
    assert str(all_day["uid"]) == f"call-{midnight.pk}@localhost"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]

    only_culture = icalendar.Calendar.from_ical(
        client.get(reverse("alerts:calendar") + "?tema=cultura").content
    )
    assert [str(event["uid"]) for event in only_culture.walk("VEVENT")] == [f"call-{midnight.pk}@localhost"]
    # the same calls give the same UIDs tomorrow: calendars update their events in place
    again = icalendar.Calendar.from_ical(client.get(reverse("alerts:calendar")).content)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {str(e["uid"]) for e in calendar.walk("VEVENT")}


def test_the_alerts_page_lists_every_channel(client):
    page = client.get(reverse("alerts:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("alerts:theme-rss", args=["politiche-giovanili"]) in html
    assert reverse("alerts:calendar") + "?tema=ambiente" in html
    assert 'name="email"' in html


def test_the_alerts_page_takes_a_theme_and_a_filter_from_the_calls_list(client):
    page = client.get(reverse("alerts:index") + "?tema=ambiente&filtro=theme%3Dambiente%26region%3D03")
    form = page.context["form"]
    assert [theme.slug for theme in form.initial["themes"]] == ["ambiente"]
    assert form.initial["filter_query"] == "theme=ambiente&region=03"
