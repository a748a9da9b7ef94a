"""Working days: the help desk's due dates skip Saturdays, Sundays and holidays.

Plain Python (no Django): the holidays are any container of dates, in practice the Italian calendar of
the `holidays` package (`helpdesk.question_services.holiday_calendar`), which knows Easter Monday of
every year and the national holidays as the law sets them (4 October again from 2026).

Counting starts on the day *after* the start: a question asked on Wednesday 23 December 2026 with five
working days is due on Thursday 31 December (24, 28, 29, 30, 31: Christmas, Santo Stefano and the
weekend are skipped). A question asked on a Saturday starts counting on Monday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container

SATURDAY = 5


def is_working_day(day: dt.date, *, holidays: Container[dt.date]) -> bool:
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: dt.date, days: int, *, holidays: Container[dt.date]) -> dt.date:
    """The `days`-th working day after `start` (`start` itself when `days` is 0)."""
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}.")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, *, holidays: Container[dt.date]) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`.

    `working_days_between(d, add_working_days(d, n)) == n`. From Friday to the next Monday is 1; from a
    day to itself is 0; from Monday back to the Friday before is -1.
    """
    if end < start:
        return -working_days_between(end, start, holidays=holidays)
    count = 0
    day = start
    while day < end:  # spans are days or weeks long: walking them is cheap
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays):
            count += 1
    return count
