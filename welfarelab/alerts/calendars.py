"""The iCal feed of call deadlines (/avvisi/calendario.ics, ?tema=<slug> for one theme).

Each open or upcoming call with a deadline is one VEVENT at its closing time in Europe/Rome (with the
VTIMEZONE, so calendars need not know the zone), or an all-day event when the call closes at midnight or
23:59 (the day's end is the deadline), with a VALARM WELFARELAB_ALERT_REMINDER_DAYS days before. UIDs are
`call-<id>@<site host>`: a calendar that subscribes updates an event in place when a deadline moves.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Alarm, Calendar, Event

from welfarelab.alerts import selectors
from welfarelab.calls.models import Call, Theme

END_OF_DAY = (dt.time(0, 0), dt.time(23, 59))


def _host() -> str:
    return urlsplit(settings.WELFARELAB_SITE_URL).hostname or "welfarelab"


def call_event(call: Call, *, url: str, stamp: dt.datetime, reminder_days: int) -> Event:
    assert call.closes_at is not None
    closes = timezone.localtime(call.closes_at)  # Europe/Rome
    event = Event()
    event.add("uid", f"call-{call.pk}@{_host()}")
    event.add("dtstamp", stamp)
    event.add("summary", _("Deadline: %(title)s") % {"title": call.title})
    if closes.time().replace(second=0, microsecond=0) in END_OF_DAY:
        day = closes.date() - dt.timedelta(days=1) if closes.time() == dt.time(0, 0) else closes.date()
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    else:  # a moment: no DTEND (RFC 5545 3.6.1: it ends when it starts)
        event.add("dtstart", closes)
    event.add("url", url)
    event.add("description", f"{call.issuer}\n{url}")
    event.add("last-modified", call.updated_at)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add(
        "description",
        _("A call closes in %(days)s days: %(title)s") % {"days": reminder_days, "title": call.title},
    )
    alarm.add("trigger", -dt.timedelta(days=reminder_days))
    event.add_component(alarm)
    return event


def deadlines_ical(*, theme: Theme | None, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//welfarelab//bandi//IT")
    calendar.add("version", "2.0")
    name = _("Call deadlines") + (f": {theme.name}" if theme else "")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for call in selectors.deadline_calls(theme=theme):
        url = base_url + reverse("calls:detail", args=[call.pk])
        calendar.add_component(
            call_event(call, url=url, stamp=stamp, reminder_days=settings.WELFARELAB_ALERT_REMINDER_DAYS)
        )
    calendar.add_missing_timezones()
    return calendar.to_ical()


@require_safe
def deadlines_calendar(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("tema", "")
    theme = selectors.theme_get(slug=slug) if slug else None
    body = deadlines_ical(theme=theme, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="scadenze-bandi.ics"'
    return response
