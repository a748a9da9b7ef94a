"""Writes of data-collection rounds: the round itself, its members, what members send, the reminders.

Every function is keyword-only, checks the permission itself and raises PermissionDenied,
ValidationError or ImportRejected with the messages below, which the pages and the tests share. A call
that raises writes nothing.

What members send goes through the import of observations (`indicators.importing.observations_import`,
origin "round"), so a value typed in the form and one uploaded in a file obey the same rules, which
live in `indicators.importers`. The round adds its own: only its indicators, its year and the member's
territory. The form is turned into the rows of a file and checked as one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import CHANGE_ROLES
from welfarelab.core.importing import ImportRejected, RowError, Table, check_size, read_table
from welfarelab.indicators.importers import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    last_period,
    observations_parse,
)
from welfarelab.indicators.importing import observations_import
from welfarelab.indicators.models import ImportBatch, Indicator
from welfarelab.indicators.permissions import PUBLIC_BODY_KINDS, writable_territory_ids
from welfarelab.indicators.templates_xlsx import observations_template_xlsx, territories_within
from welfarelab.organisations.models import Organisation
from welfarelab.rounds.models import Round, RoundMember, RoundSubmission
from welfarelab.rounds.permissions import MAY_NOT_SEND, can_send_for, require_round_manager
from welfarelab.rounds.selectors import MemberProgress, public_bodies_of, round_indicators, round_progress
from welfarelab.territories.models import Territory

logger = logging.getLogger(__name__)

BUILTIN_INDICATOR = gettext_lazy(
    "%(codes)s: computed by the platform from open data, so a round cannot ask for it."
)
ROUND_CLOSED = gettext_lazy("The round is closed: open it again to change it.")
PERIOD_TOO_LATE = gettext_lazy("A round cannot ask for the year %(period)s: the latest year is %(last)s.")
PERIOD_LOCKED = gettext_lazy("The year of an open round cannot change: its members are already asked for it.")
NO_INDICATORS = gettext_lazy("Choose at least one indicator before opening the round.")
NO_MEMBERS = gettext_lazy("Add at least one member before opening the round.")
DEADLINE_PASSED = gettext_lazy("The deadline has passed: move it to today or later before opening the round.")
NOT_OPEN = gettext_lazy("Only an open round can be closed.")
NOT_ACCEPTING = gettext_lazy("The round does not accept values now: it is not open.")
NOT_YET_OPEN = gettext_lazy("The round opens on %(date)s: values are accepted from that day.")
NOT_A_PUBLIC_BODY = gettext_lazy(
    "Not a public body (comune, ambito, provincia or regione): only public bodies answer for a territory."
)
NO_TERRITORY = gettext_lazy("The directory gives it no territory: set the territory it governs first.")
ALREADY_MEMBER = gettext_lazy("Already a member of the round.")
TERRITORY_TAKEN = gettext_lazy("%(other)s already answers for %(territory)s in this round.")
NO_PUBLIC_BODY = gettext_lazy("No public body of the directory governs this territory.")
SEVERAL_PUBLIC_BODIES = gettext_lazy(
    "Several organisations of the directory govern this territory (%(names)s): leave one public body for "
    "it in the directory, then add it again."
)
NOTHING_FILLED = gettext_lazy(
    "No value was filled in: write at least one value, or a numerator with its denominator."
)
NOT_IN_ROUND = gettext_lazy("%(code)s is not an indicator of this round: it asks for %(codes)s.")
OTHER_PERIOD = gettext_lazy("This round collects the year %(period)s, not %(value)s.")
OTHER_TERRITORY = gettext_lazy("This round asks %(organisation)s only for %(territory)s (%(kind)s %(code)s).")
REMINDERS_ONLY_OPEN = gettext_lazy("Reminders are sent only for an open round.")

# An outbound call never waits for ever (STYLE.md); EMAIL_TIMEOUT wins when the settings give one.
EMAIL_TIMEOUT_SECONDS = 30
# The columns the form fills, by the name of the file's column.
FORM_COLUMNS = {"valore": "value", "numeratore": "numerator", "denominatore": "denominator"}


def _lock(round: Round) -> None:
    """Serialise the changes of one round and read its status as committed."""
    round.status = Round.objects.select_for_update().values_list("status", flat=True).get(pk=round.pk)


def _period_checked(period: int) -> None:
    """A round asks for a year the import accepts: nothing measured beyond next year."""
    if period > last_period():
        raise ValidationError(
            {"period": PERIOD_TOO_LATE % {"period": period, "last": last_period()}}, code="period_too_late"
        )


def _indicators_checked(indicators: Iterable[Indicator]) -> list[Indicator]:
    chosen = list(dict.fromkeys(indicators))
    builtin = [indicator.code for indicator in chosen if indicator.is_builtin]
    if builtin:
        raise ValidationError(
            {"indicators": BUILTIN_INDICATOR % {"codes": ", ".join(builtin)}}, code="builtin"
        )
    return chosen


# --- the round ---------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    created_by: User,
    title: str,
    period: int,
    opens_on: dt.date,
    deadline: dt.date,
    indicators: Iterable[Indicator],
    note: str = "",
) -> Round:
    """A new round, as a draft: members do not see it until it is opened."""
    require_round_manager(created_by)
    _period_checked(period)
    chosen = _indicators_checked(indicators)
    round = Round(
        title=title, period=period, opens_on=opens_on, deadline=deadline, note=note, created_by=created_by
    )
    round.full_clean()
    round.save()
    round.indicators.set(chosen)
    logger.info("round.created", extra={"round_id": round.pk, "by_user_id": created_by.pk})
    return round


@transaction.atomic
def round_update(
    *,
    round: Round,
    changed_by: User,
    title: str,
    period: int,
    opens_on: dt.date,
    deadline: dt.date,
    indicators: Iterable[Indicator],
    note: str = "",
) -> Round:
    """Change a draft or an open round. A closed round is not changed; an open one keeps its year and at
    least one indicator (what the members already sent stays in the observations whatever changes)."""
    require_round_manager(changed_by)
    _lock(round)
    if round.status == Round.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")
    _period_checked(period)
    chosen = _indicators_checked(indicators)
    if round.status == Round.Status.OPEN:
        if period != round.period:
            raise ValidationError({"period": PERIOD_LOCKED}, code="period_locked")
        if not chosen:
            raise ValidationError({"indicators": NO_INDICATORS}, code="no_indicators")
    round.title, round.period, round.opens_on, round.deadline, round.note = (
        title,
        period,
        opens_on,
        deadline,
        note,
    )
    round.full_clean()
    round.save(update_fields=["title", "period", "opens_on", "deadline", "note", "updated_at"])
    round.indicators.set(chosen)
    logger.info("round.updated", extra={"round_id": round.pk, "by_user_id": changed_by.pk})
    return round


@transaction.atomic
def round_open(*, round: Round, opened_by: User, today: dt.date | None = None) -> Round:
    """Open a draft (or a closed round again): it needs indicators, members and a deadline still to come.

    Members see it from its opening day; opening an open round changes nothing.
    """
    require_round_manager(opened_by)
    _lock(round)
    if round.status == Round.Status.OPEN:
        return round
    problems = []
    if not round.indicators.exists():
        problems.append(ValidationError(NO_INDICATORS, code="no_indicators"))
    if not round.members.exists():
        problems.append(ValidationError(NO_MEMBERS, code="no_members"))
    if round.deadline < (today or timezone.localdate()):
        problems.append(ValidationError(DEADLINE_PASSED, code="deadline_passed"))
    if problems:
        raise ValidationError(problems)
    round.status = Round.Status.OPEN
    round.save(update_fields=["status", "updated_at"])
    logger.info("round.opened", extra={"round_id": round.pk, "by_user_id": opened_by.pk})
    return round


@transaction.atomic
def round_close(*, round: Round, closed_by: User) -> Round:
    """Close an open round: no more values through it, no more reminders."""
    require_round_manager(closed_by)
    _lock(round)
    if round.status != Round.Status.OPEN:
        raise ValidationError(NOT_OPEN, code="not_open")
    round.status = Round.Status.CLOSED
    round.save(update_fields=["status", "updated_at"])
    logger.info("round.closed", extra={"round_id": round.pk, "by_user_id": closed_by.pk})
    return round


# --- members -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """An organisation or territory that was not added, and why (a full sentence)."""

    name: str
    reason: str


@dataclass(frozen=True)
class MembersAdded:
    added: tuple[RoundMember, ...]
    refused: tuple[Refusal, ...]


def _refusal(organisation: Organisation, *, present: set[int], taken: Mapping[int, str]) -> str | None:
    if organisation.kind not in PUBLIC_BODY_KINDS:
        return str(NOT_A_PUBLIC_BODY)
    if organisation.territory_id is None:
        return str(NO_TERRITORY)
    if organisation.pk in present:
        return str(ALREADY_MEMBER)
    if organisation.territory_id in taken:
        return TERRITORY_TAKEN % {
            "other": taken[organisation.territory_id],
            "territory": organisation.territory,
        }
    return None


@transaction.atomic
def round_members_add(*, round: Round, organisations: Iterable[Organisation], added_by: User) -> MembersAdded:
    """Ask `organisations` for the round's values; return those added and those refused with the reason.

    A member must be a public body with a territory; a territory has one member per round. Refusals do
    not stop the others from being added. Raises ValidationError for a closed round.
    """
    require_round_manager(added_by)
    _lock(round)
    if round.status == Round.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")
    existing = RoundMember.objects.filter(round=round)
    present = set(existing.values_list("organisation_id", flat=True))
    taken = dict(existing.values_list("territory_id", "organisation__name"))
    new: list[RoundMember] = []
    refused: list[Refusal] = []
    for organisation in organisations:
        reason = _refusal(organisation, present=present, taken=taken)
        if reason is not None:
            refused.append(Refusal(name=organisation.name, reason=reason))
            continue
        territory_id = organisation.territory_id
        assert territory_id is not None  # refused above otherwise
        new.append(RoundMember(round=round, organisation=organisation, territory_id=territory_id))
        present.add(organisation.pk)
        taken[territory_id] = organisation.name
    added = RoundMember.objects.bulk_create(new)
    logger.info(
        "round.members_added",
        extra={"round_id": round.pk, "added": len(added), "refused": len(refused), "by_user_id": added_by.pk},
    )
    return MembersAdded(added=tuple(added), refused=tuple(refused))


def round_members_add_for_territories(
    *, round: Round, territories: QuerySet[Territory], added_by: User
) -> MembersAdded:
    """Add the public body governing each of `territories` (the organisation of the same kind)."""
    require_round_manager(added_by)
    bodies = public_bodies_of(territories=territories)
    organisations: list[Organisation] = []
    refused: list[Refusal] = []
    for territory in territories.order_by("kind", "code"):
        found = bodies.get(territory.pk, [])
        if len(found) == 1:
            organisations.append(found[0])
        elif not found:
            refused.append(Refusal(name=str(territory), reason=str(NO_PUBLIC_BODY)))
        else:
            names = ", ".join(organisation.name for organisation in found)
            refused.append(Refusal(name=str(territory), reason=SEVERAL_PUBLIC_BODIES % {"names": names}))
    result = round_members_add(round=round, organisations=organisations, added_by=added_by)
    return MembersAdded(added=result.added, refused=(*refused, *result.refused))


def round_members_add_within(*, round: Round, within: Territory, added_by: User) -> MembersAdded:
    """Add the comuni of an ambito, a provincia or a regione at once (each through its public body)."""
    comuni = territories_within(kind=Territory.Kind.COMUNE, within=within)
    return round_members_add_for_territories(round=round, territories=comuni, added_by=added_by)


@transaction.atomic
def round_member_remove(*, member: RoundMember, removed_by: User) -> None:
    """Stop asking the member. The values it sent stay: they are observations, not the round's."""
    require_round_manager(removed_by)
    _lock(member.round)
    if member.round.status == Round.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")
    logger.info(
        "round.member_removed",
        extra={
            "round_id": member.round_id,
            "organisation_id": member.organisation_id,
            "by_user_id": removed_by.pk,
        },
    )
    member.delete()


# --- what members send -------------------------------------------------------------------------------


def round_template_xlsx(*, member: RoundMember) -> bytes:
    """The workbook to fill in: one row per indicator of the round, for the member's territory and year."""
    return observations_template_xlsx(
        indicators=round_indicators(round=member.round),
        territories=[member.territory],
        period=member.round.period,
    )


def _check_may_send(*, member: RoundMember, user: User, today: dt.date | None = None) -> None:
    if not can_send_for(user, organisation_id=member.organisation_id):
        raise PermissionDenied(MAY_NOT_SEND)
    round = member.round
    if round.status != Round.Status.OPEN:
        raise ValidationError(NOT_ACCEPTING, code="not_open")
    if not round.accepts_data(today=today):
        raise ValidationError(NOT_YET_OPEN % {"date": date_format(round.opens_on)}, code="not_yet_open")


def _same_territory(*, kind: str, code: str, territory: Territory) -> bool:
    """Does the row name the member's territory? Leading zeros lost in a spreadsheet are put back, as the
    import does (58091 is 058091)."""
    if kind and kind.lower() != territory.kind:
        return False
    if code.lower() == territory.code.lower():
        return True
    return code.isdigit() and territory.code.isdigit() and code.zfill(len(territory.code)) == territory.code


def _outside_round(table: Table, *, member: RoundMember, codes: Sequence[str]) -> list[RowError]:
    """The rows that name another indicator, year or territory than the round asks the member for."""
    round, territory = member.round, member.territory
    positions = {name: index for index, name in enumerate(table.header)}

    def cell(values: list[str], column: str) -> str:
        return values[positions[column]].strip() if column in positions else ""

    errors = []
    for number, values in table.rows:
        code = cell(values, "codice_indicatore")
        if code and code.lower() not in codes:
            errors.append(
                RowError(
                    number,
                    "codice_indicatore",
                    NOT_IN_ROUND % {"code": f"“{code}”", "codes": ", ".join(codes)},
                )
            )
        period = cell(values, "periodo")
        if period.isdigit() and int(period) != round.period:
            errors.append(
                RowError(number, "periodo", OTHER_PERIOD % {"period": round.period, "value": period})
            )
        place = cell(values, "codice_territorio")
        if place and not _same_territory(
            kind=cell(values, "tipo_territorio"), code=place, territory=territory
        ):
            errors.append(
                RowError(
                    number,
                    "codice_territorio",
                    OTHER_TERRITORY
                    % {
                        "organisation": member.organisation.name,
                        "territory": territory.name,
                        "kind": territory.kind,
                        "code": territory.code,
                    },
                )
            )
    return errors


def _merged(first: list[RowError], then: list[RowError]) -> list[RowError]:
    """Both lists by row and column; of two errors on one cell, the first list's (the round's) is kept."""
    seen = {(error.row, error.column) for error in first}
    order = {column: index for index, column in enumerate(("", *COLUMNS))}
    errors = first + [error for error in then if (error.row, error.column) not in seen]
    return sorted(errors, key=lambda error: (error.row, order.get(error.column, len(order))))


def _submit(
    *, member: RoundMember, user: User, content: bytes, filename: str, channel: str, today: dt.date | None
) -> RoundSubmission:
    """Check everything (the round's rules and the import's), then write in one transaction."""
    _check_may_send(member=member, user=user, today=today)
    check_size(len(content))
    table = read_table(
        content, filename=filename, required_columns=REQUIRED_COLUMNS, optional_columns=OPTIONAL_COLUMNS
    )
    codes = [indicator.code for indicator in round_indicators(round=member.round)]
    round_errors = _outside_round(table, member=member, codes=codes)
    # The import's own checks, run now so that one answer lists every error of the file.
    try:
        parsed = observations_parse(content, filename=filename, writable=writable_territory_ids(user))
    except ImportRejected as rejected:
        import_errors, written = rejected.errors, None
    else:
        import_errors, written = [], parsed.rows
    errors = _merged(round_errors, import_errors)
    if errors:
        raise ImportRejected(errors)
    if not written:
        raise ImportRejected([RowError(0, "", str(NOTHING_FILLED))])
    with transaction.atomic():
        _lock(member.round)  # a round closed in the meantime takes nothing
        _check_may_send(member=member, user=user, today=today)
        batch = observations_import(
            content=content, filename=filename, user=user, origin=ImportBatch.Origin.ROUND
        )
        batch.note = _("Data-collection round “%(title)s” (%(period)s), %(organisation)s.") % {
            "title": member.round.title,
            "period": member.round.period,
            "organisation": member.organisation.name,
        }
        batch.save(update_fields=["note", "updated_at"])
        submission = RoundSubmission.objects.create(
            round=member.round, organisation=member.organisation, user=user, batch=batch, channel=channel
        )
    logger.info(
        "round.submitted",
        extra={
            "round_id": member.round_id,
            "organisation_id": member.organisation_id,
            "batch_id": batch.pk,
            "rows": batch.rows,
            "channel": channel,
        },
    )
    return submission


def round_submit_file(
    *, member: RoundMember, user: User, content: bytes, filename: str, today: dt.date | None = None
) -> RoundSubmission:
    """Load the member's CSV or XLSX file (the template, filled in) through the import of observations.

    Beside the import's checks, every row must name one of the round's indicators, its year and the
    member's territory. Raises ImportRejected listing every error by row and column (nothing written),
    PermissionDenied unless `user` may send the organisation's values, ValidationError when the round
    does not accept values.
    """
    return _submit(
        member=member,
        user=user,
        content=content,
        filename=filename,
        channel=RoundSubmission.Channel.FILE,
        today=today,
    )


@dataclass(frozen=True)
class FormEntry:
    """What the form holds for one indicator, as typed (the import reads the numbers)."""

    value: str = ""
    numerator: str = ""
    denominator: str = ""

    def is_empty(self) -> bool:
        return not (self.value.strip() or self.numerator.strip() or self.denominator.strip())


class FormRejected(ImportRejected):
    """The form's values were refused; `by_indicator` holds each indicator's errors as (column, message)."""

    def __init__(self, errors: Sequence[RowError], *, rows: Mapping[int, str]) -> None:
        super().__init__(errors)
        self.by_indicator: dict[str, list[tuple[str, str]]] = {}
        self.general: list[str] = []
        for error in self.errors:
            if error.row in rows:
                self.by_indicator.setdefault(rows[error.row], []).append((error.column, error.message))
            else:
                self.general.append(error.message)


def form_rows(
    *, member: RoundMember, entries: Mapping[str, FormEntry], decimal_comma: bool
) -> tuple[bytes, dict[int, str]]:
    """The filled entries as a CSV file the import reads, and which indicator code each row holds.

    With `decimal_comma` semicolons separate the columns, so that the import reads the numbers as in an
    Italian spreadsheet's CSV (12,5; and 1.234 is refused as ambiguous); without it, commas, and numbers
    are written with a decimal point (12.5).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if decimal_comma else ",", lineterminator="\n")
    writer.writerow(COLUMNS)
    rows: dict[int, str] = {}
    for code, entry in entries.items():
        if entry.is_empty():
            continue
        writer.writerow(
            [
                code,
                member.territory.kind,
                member.territory.code,
                member.round.period,
                " ".join(entry.value.split()),
                " ".join(entry.numerator.split()),
                " ".join(entry.denominator.split()),
            ]
        )
        rows[len(rows) + 2] = code  # the header is row 1
    return buffer.getvalue().encode(), rows


def round_submit_form(
    *,
    member: RoundMember,
    user: User,
    entries: Mapping[str, FormEntry],
    decimal_comma: bool | None = None,
    today: dt.date | None = None,
) -> RoundSubmission:
    """Store the values typed in the member's form, checked by the same rules as a file.

    `entries` maps indicator codes to what was typed; empty entries are left out. Numbers are read with a
    decimal comma when `decimal_comma` (by default: when the page is in Italian). Raises FormRejected
    (errors by indicator and column, nothing written) and the errors of `round_submit_file`.
    """
    if decimal_comma is None:
        decimal_comma = (translation.get_language() or settings.LANGUAGE_CODE).startswith("it")
    content, rows = form_rows(member=member, entries=entries, decimal_comma=decimal_comma)
    if not rows:
        raise FormRejected([RowError(0, "", str(NOTHING_FILLED))], rows={})
    filename = f"rilevazione-{member.round_id}-modulo-{member.territory.code}.csv"
    try:
        return _submit(
            member=member,
            user=user,
            content=content,
            filename=filename,
            channel=RoundSubmission.Channel.FORM,
            today=today,
        )
    except FormRejected:
        raise
    except ImportRejected as rejected:
        raise FormRejected(rejected.errors, rows=rows) from None


# --- reminders ---------------------------------------------------------------------------------------


def reminder_day(*, deadline: dt.date, today: dt.date, days: Iterable[int]) -> dt.date | None:
    """The latest day of the schedule (`deadline` − N for each N of `days`) that has come, if any.

    A member is reminded once per day of the schedule: if the daily run missed that day (the server was
    down) the next run catches up, and a round opened 3 days before its deadline gets the "7 days" reminder
    at once and the "1 day" one later. None after the deadline and before the first day of the schedule.
    """
    if today > deadline:
        return None
    reached = [deadline - dt.timedelta(days=n) for n in days if deadline - dt.timedelta(days=n) <= today]
    return max(reached, default=None)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _recipients(*, organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__role__in=CHANGE_ROLES,
        )
        .exclude(email="")
        .distinct()
        .order_by("email")
    )


def _reminder_messages(
    *, progress: MemberProgress, recipients: Sequence[User], today: dt.date, connection: BaseEmailBackend
) -> list[EmailMessage]:
    member = progress.member
    round = member.round
    with translation.override(settings.LANGUAGE_CODE):  # the lab's language: there is no request to ask
        path = reverse("rounds:member", kwargs={"pk": round.pk, "organisation_pk": member.organisation_id})
        context = {
            "round": round,
            "organisation": member.organisation,
            "territory": member.territory,
            "missing": progress.missing,
            "owed": progress.owed,
            "days_left": (round.deadline - today).days,
            "link": settings.WELFARELAB_SITE_URL.rstrip("/") + path,
            "lab_name": settings.WELFARELAB_LAB_NAME,
        }
        subject = "".join(render_to_string("rounds/email/reminder_subject.txt", context).splitlines())
        messages = []
        for user in recipients:
            body = render_to_string("rounds/email/reminder_body.txt", {**context, "user": user})
            messages.append(EmailMessage(subject, body, None, [user.email], connection=connection))
    return messages


def _remind(*, progress: MemberProgress, since: dt.datetime, today: dt.date) -> bool:
    """Email the member's editors and administrators unless it was reminded at or after `since`."""
    member = progress.member
    recipients = _recipients(organisation_id=member.organisation_id)
    if not recipients:
        logger.warning(
            "round.reminder_without_recipient",
            extra={"round_id": member.round_id, "organisation_id": member.organisation_id},
        )
        return False
    with transaction.atomic():
        last = (
            RoundMember.objects.select_for_update()
            .values_list("last_reminder_sent_at", flat=True)
            .get(pk=member.pk)
        )
        if last is not None and last >= since:  # another run got there first
            return False
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_TIMEOUT_SECONDS
        connection = get_connection(timeout=timeout)
        try:
            connection.send_messages(
                _reminder_messages(
                    progress=progress, recipients=recipients, today=today, connection=connection
                )
            )
        except OSError:
            # Nothing is marked: the next run tries again.
            logger.exception(
                "round.reminder_not_sent",
                extra={"round_id": member.round_id, "organisation_id": member.organisation_id},
            )
            return False
        RoundMember.objects.filter(pk=member.pk).update(
            last_reminder_sent_at=timezone.now(), updated_at=timezone.now()
        )
    logger.info(
        "round.reminder_sent",
        extra={
            "round_id": member.round_id,
            "organisation_id": member.organisation_id,
            "recipients": len(recipients),
            "missing": len(progress.missing),
        },
    )
    return True


def round_reminders_send(
    *, today: dt.date | None = None, round_id: int | None = None, manual: bool = False
) -> int:
    """Remind the members with missing values; return how many members were reminded.

    Scheduled (the daily task): the open rounds, on the days of `WELFARELAB_ROUND_REMINDER_DAYS` before
    their deadline (see `reminder_day`). Manual (a coordinator's "send reminders now", `round_id` given):
    that round's members at once, deadline passed or not. Either way only rounds that accept values, only
    members missing at least one indicator, each email to the organisation's editors and administrators,
    and never two reminders to one member on the same day: running it twice is harmless.
    """
    today = today or timezone.localdate()
    rounds = Round.objects.filter(status=Round.Status.OPEN, opens_on__lte=today)
    if round_id is not None:
        rounds = rounds.filter(pk=round_id)
    if not manual:
        rounds = rounds.filter(deadline__gte=today)
    reminded = 0
    for round in rounds:
        due = (
            today
            if manual
            else reminder_day(
                deadline=round.deadline, today=today, days=settings.WELFARELAB_ROUND_REMINDER_DAYS
            )
        )
        if due is None:
            continue
        since = _start_of(due)
        candidates = RoundMember.objects.filter(round=round).exclude(last_reminder_sent_at__gte=since)
        for progress in round_progress(round=round, members=candidates).members:
            if not progress.is_complete and _remind(progress=progress, since=since, today=today):
                reminded += 1
    return reminded


def round_reminders_request(*, round: Round, requested_by: User) -> None:
    """Queue the reminders of one round now (the board's button); they leave when the worker runs the task."""
    require_round_manager(requested_by)
    if not round.accepts_data():
        raise ValidationError(REMINDERS_ONLY_OPEN, code="not_open")
    from welfarelab.rounds.tasks import send_round_reminders  # the task module imports this one

    transaction.on_commit(partial(send_round_reminders.enqueue, round_id=round.pk, manual=True))
    logger.info("round.reminders_requested", extra={"round_id": round.pk, "by_user_id": requested_by.pk})
