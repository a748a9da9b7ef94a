"""What every importer produces: one `CallRecord` per call of its source, or a `Problem` saying why not.

An importer only reads and maps (file or feed → records); `welfarelab.calls.importers.sync` writes them.
The parsing helpers here read the numbers and dates Italian sources write (`1.234.567,89`, `28/04/2023`,
`28/04/2023 12:00`), always in Europe/Rome, and raise `ValueError` with a sentence a person can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
# A date without a time opens at the start of its day and closes at its end (Europe/Rome).
START_OF_DAY = dt.time(0, 0)
END_OF_DAY = dt.time(23, 59, 59)


@dataclass(frozen=True)
class CallRecord:
    """One call as a source describes it, mapped to the catalogue's fields (codes and slugs, no models)."""

    source_id: str
    title: str
    issuer: str
    issuer_type: str
    summary: str = ""
    issuer_tax_code: str = ""
    url: str = ""
    themes: frozenset[str] = frozenset()
    applicants: frozenset[str] = frozenset()
    eligibility_notes: str = ""
    regions: frozenset[str] = frozenset()  # ISTAT codes ("03"); with provinces empty: all Italy
    provinces: frozenset[str] = frozenset()  # ISTAT codes ("015")
    total_budget: Decimal | None = None
    min_grant: Decimal | None = None
    max_grant: Decimal | None = None
    estimated_awards: int | None = None
    cofinancing_percent: Decimal | None = None
    procedure: str = ""
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    closed_early: bool = False
    source_status: str = ""
    attachments: tuple[tuple[str, str], ...] = ()  # (title, url)
    source_data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A row or entry that was skipped (`where`: "row 12", "entry 3 (id …)"), and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ImportFailed(Exception):
    """The whole source could not be read (file missing, header wrong, feed unreachable): nothing changed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


CENT = Decimal("0.01")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_amount(text: str) -> Decimal | None:
    """An amount in euro: `1.234.567,89`, `1234567.89`, `68196721,31`, `€ 400000`; empty or `N/A` → None."""
    value = text.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    if not value or value.upper() in {"N/A", "NA", "ND", "N.D.", "-"}:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(value):
        value = value.replace(".", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount (write e.g. 150000 or 150.000,00).") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"“{text}” is not an amount of euro (zero or more).")
    return amount.quantize(
        CENT, rounding=ROUND_HALF_UP
    )  # euro to the cent (the source's figure stays in source_data)


def parse_percent(text: str) -> Decimal | None:
    value = text.strip().rstrip("%").strip()
    if not value:
        return None
    amount = parse_amount(value)
    if amount is not None and amount > 100:
        raise ValueError(f"“{text}” is not a percentage between 0 and 100.")
    return amount


def parse_count(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"“{text}” is not a whole number.")
    return int(value)


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H.%M",
)


def parse_rome_datetime(text: str, *, end_of_day: bool) -> dt.datetime | None:
    """A date or date and time in Europe/Rome, as an aware datetime; a bare date is the start or end of its day."""
    value = text.strip()
    if not value:
        return None
    if value.endswith("T00:00:00"):  # a date cell of a spreadsheet, as core.importing writes it
        value = value[:10]
    for pattern in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).replace(tzinfo=ROME)
        except ValueError:
            continue
    for pattern in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value, pattern).replace(tzinfo=ROME).date()
        except ValueError:
            continue
        return dt.datetime.combine(day, END_OF_DAY if end_of_day else START_OF_DAY, tzinfo=ROME)
    raise ValueError(f"“{text}” is not a date (write 30/06/2026 or 30/06/2026 12:00, Italian time).")


def split_list(text: str) -> list[str]:
    """Values separated by semicolons, commas or new lines, stripped, empty ones dropped."""
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]
