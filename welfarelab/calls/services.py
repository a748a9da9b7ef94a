"""Writes of the calls catalogue: editors' entries and corrections, imports and their runs, profiles.

Every change of a call goes through `call_create` / `call_update` (pages, admin forms) or the importers
(`importers.sync.calls_sync`); each writes a `CallChange` with what changed, so the history is complete.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import NOT_YOURS, can_change
from welfarelab.calls.history import (
    RELATION_FIELDS,
    SCALAR_FIELDS,
    call_snapshot,
    comparable,
    differences,
    territory_label,
)
from welfarelab.calls.importers.feeds import read_feed
from welfarelab.calls.importers.pnrr import BUNDLED_FILE, SOURCE_NAME, read_pnrr
from welfarelab.calls.importers.records import CallRecord, ImportFailed, Problem
from welfarelab.calls.importers.sync import calls_sync
from welfarelab.calls.importers.tabular import read_calls_table
from welfarelab.calls.models import (
    ApplicantType,
    Call,
    CallChange,
    FeedSource,
    ImportRun,
    OrganisationProfile,
    Theme,
)
from welfarelab.calls.permissions import MAY_NOT_EDIT_CALLS, can_edit_calls
from welfarelab.calls.vocabulary import APPLICANT_TYPES, THEMES
from welfarelab.organisations.models import Organisation

logger = logging.getLogger(__name__)

# What an editor may set on a call (the provenance fields are the importers').
EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "issuer",
    "issuer_type",
    "issuer_tax_code",
    "url",
    "themes",
    "eligible_applicants",
    "eligibility_notes",
    "territories",
    "total_budget",
    "min_grant",
    "max_grant",
    "estimated_awards",
    "cofinancing_percent",
    "procedure",
    "opens_at",
    "closes_at",
    "closed_early",
)
MAX_RUN_MESSAGES = 1000


def vocabulary_sync(*, using: str = "default") -> None:
    """Create the built-in themes and applicant types that are missing (existing rows are left as edited)."""
    for position, entry in enumerate(THEMES):
        Theme.objects.using(using).get_or_create(
            slug=entry.slug,
            defaults={"name_it": entry.name_it, "name_en": entry.name_en, "position": position},
        )
    for position, (entry, group) in enumerate(APPLICANT_TYPES):
        ApplicantType.objects.using(using).get_or_create(
            slug=entry.slug,
            defaults={
                "name_it": entry.name_it,
                "name_en": entry.name_en,
                "group": group,
                "position": position,
            },
        )


# --- editors -----------------------------------------------------------------------------------------


def _require_editor(user: User) -> None:
    if not can_edit_calls(user):
        raise PermissionDenied(MAY_NOT_EDIT_CALLS)


def _apply(call: Call, data: Mapping[str, Any]) -> list[str]:
    """Set the scalar fields of `data` on `call`; return the relation fields `data` holds."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    for name, value in data.items():
        if name in SCALAR_FIELDS:
            setattr(call, name, value.strip() if isinstance(value, str) else value)
    return [name for name in RELATION_FIELDS if name in data]


def _set_relations(call: Call, data: Mapping[str, Any], names: Iterable[str]) -> None:
    for name in names:
        getattr(call, name).set(data[name])


@transaction.atomic
def call_create(*, created_by: User, data: Mapping[str, Any]) -> Call:
    """A call entered by an editor (source "manual"), with its first history row."""
    _require_editor(created_by)
    call = Call(source=Call.Source.MANUAL)
    relations = _apply(call, data)
    call.full_clean()
    call.save()
    _set_relations(call, data, relations)
    after = call_snapshot(call)
    changes = {name: [None, value] for name, value in after.items() if value not in (None, "", [], {}, False)}
    CallChange.objects.create(
        call=call, action=CallChange.Action.CREATED, changed_by=created_by, changes=changes
    )
    logger.info("Call created.", extra={"call_id": call.pk, "created_by": created_by.pk})
    return call


def _relation_labels(name: str, values: Iterable[Any]) -> list[str]:
    if name == "territories":
        return sorted(territory_label(t.kind, t.code) for t in values)
    return sorted(v.slug for v in values)


@transaction.atomic
def call_update(*, call: Call, changed_by: User, data: Mapping[str, Any]) -> Call:
    """Correct a call; save and record only what changed (a change that changes nothing writes nothing).

    On an imported call the changed fields are added to `edited_fields`, so that the next import of its
    source leaves the editor's correction in place. A refused change (ValidationError by field) leaves the
    row and `call` as they were.
    """
    _require_editor(changed_by)
    before = call_snapshot(call)
    previous = {name: getattr(call, name) for name in SCALAR_FIELDS}
    relations = _apply(call, data)
    try:
        call.full_clean()
    except ValidationError:
        for name, value in previous.items():
            setattr(call, name, value)
        raise
    after = {name: comparable(getattr(call, name)) for name in SCALAR_FIELDS}
    after.update({name: _relation_labels(name, data[name]) for name in relations})
    changes = differences({name: before[name] for name in after}, after)
    if not changes:
        return call
    scalars = [name for name in SCALAR_FIELDS if name in changes]
    if call.source != Call.Source.MANUAL:
        call.edited_fields = sorted(set(call.edited_fields) | set(changes))
        scalars.append("edited_fields")
    call.save(update_fields=[*scalars, "updated_at"])
    _set_relations(call, data, [name for name in relations if name in changes])
    CallChange.objects.create(
        call=call, action=CallChange.Action.CHANGED, changed_by=changed_by, changes=changes
    )
    logger.info(
        "Call updated.", extra={"call_id": call.pk, "changed_by": changed_by.pk, "fields": sorted(changes)}
    )
    return call


@transaction.atomic
def call_release_to_source(*, call: Call, changed_by: User) -> Call:
    """Let the next import overwrite the fields an editor corrected (empties `edited_fields`)."""
    _require_editor(changed_by)
    if call.edited_fields:
        CallChange.objects.create(
            call=call,
            action=CallChange.Action.CHANGED,
            changed_by=changed_by,
            changes={"edited_fields": [list(call.edited_fields), []]},
        )
        call.edited_fields = []
        call.save(update_fields=["edited_fields", "updated_at"])
    return call


# --- organisations' themes ---------------------------------------------------------------------------


@transaction.atomic
def organisation_themes_set(
    *, organisation: Organisation, changed_by: User, themes: Sequence[Theme]
) -> OrganisationProfile:
    """Set the themes an organisation works on (its editors and the coordinators)."""
    if not can_change(changed_by, organisation):
        raise PermissionDenied(NOT_YOURS)
    profile, _created = OrganisationProfile.objects.get_or_create(organisation=organisation)
    profile.themes.set(themes)
    profile.save(update_fields=["updated_at"])
    return profile


# --- imports -------------------------------------------------------------------------------------------


def _finish(
    run: ImportRun, *, messages: Sequence[Problem], state: str, counts: Mapping[str, int]
) -> ImportRun:
    run.messages = [{"where": p.where, "reason": p.reason} for p in messages[:MAX_RUN_MESSAGES]]
    if len(messages) > MAX_RUN_MESSAGES:
        run.messages.append({"where": "", "reason": f"… and {len(messages) - MAX_RUN_MESSAGES} more."})
    for name, value in counts.items():
        setattr(run, name, value)
    run.state = state
    run.finished_at = timezone.now()
    run.save()
    log = logger.warning if state == ImportRun.State.FAILED or messages else logger.info
    log(
        "Calls import finished.",
        extra={"run_id": run.pk, "source": run.source_name, "state": state, **counts},
    )
    return run


def calls_import(
    *,
    source: str,
    source_name: str,
    location: str,
    read: Callable[[], tuple[list[tuple[str, CallRecord]], list[Problem]]],
    flag_missing: Callable[[Call], bool] = lambda call: True,
    started_by: User | None = None,
    now: dt.datetime | None = None,
) -> ImportRun:
    """Read a source and write its calls, logged as an ImportRun (never raises for a bad source).

    A source that cannot be read at all (`ImportFailed`) ends as a failed run with the reasons and
    changes nothing; bad rows or entries are skipped and listed in the run's messages.
    """
    now = now or timezone.now()
    run = ImportRun.objects.create(
        source=source,
        source_name=source_name,
        location=location[:1000],
        started_at=now,
        started_by=started_by,
    )
    try:
        records, problems = read()
    except ImportFailed as failed:
        return _finish(run, messages=failed.problems, state=ImportRun.State.FAILED, counts={})
    result = calls_sync(
        source=source,
        source_name=source_name,
        records=records,
        problems=problems,
        run=run,
        flag_missing=flag_missing,
        now=now,
    )
    counts = {
        "added": result.added,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "flagged": result.flagged,
        "skipped": result.skipped,
    }
    return _finish(run, messages=result.problems, state=ImportRun.State.DONE, counts=counts)


def pnrr_file() -> Path:
    return Path(settings.WELFARELAB_DATA_DIR) / BUNDLED_FILE


def pnrr_import(
    *, path: Path | None = None, started_by: User | None = None, now: dt.datetime | None = None
) -> ImportRun:
    """The Italia Domani table of PNRR calls (the bundled copy unless `path`)."""
    path = path or pnrr_file()
    return calls_import(
        source=Call.Source.CSV,
        source_name=SOURCE_NAME,
        location=str(path),
        read=lambda: read_pnrr(path),
        started_by=started_by,
        now=now,
    )


def table_import(
    *, path: Path, source_name: str, started_by: User | None = None, now: dt.datetime | None = None
) -> ImportRun:
    """A CSV or XLSX file in the generic layout (docs/calls.md), as the source `source_name`."""
    return calls_import(
        source=Call.Source.CSV,
        source_name=source_name,
        location=str(path),
        read=lambda: read_calls_table(path.read_bytes() if path.exists() else None, filename=path.name),
        started_by=started_by,
        now=now,
    )


def feed_import(
    *,
    feed: FeedSource,
    location: str | None = None,
    started_by: User | None = None,
    now: dt.datetime | None = None,
) -> ImportRun:
    """One feed (its address, or `location`: a file path or another address), skip-and-report by entry.

    A feed lists only its latest entries: a call that falls off it is flagged only while not yet closed.
    """
    now = now or timezone.now()
    where = location or feed.url
    return calls_import(
        source=Call.Source.FEED,
        source_name=feed.source_name,
        location=where,
        read=lambda: read_feed(where, feed=feed),
        flag_missing=lambda call: call.status_at(now) != Call.Status.CLOSED,
        started_by=started_by,
        now=now,
    )


def feeds_import(*, started_by: User | None = None) -> list[ImportRun]:
    """Every active feed, one run each: a feed that fails does not stop the others."""
    return [
        feed_import(feed=feed, started_by=started_by) for feed in FeedSource.objects.filter(is_active=True)
    ]


def call_change_record(*, call: Call, before: dict[str, Any] | None, changed_by: User) -> CallChange | None:
    """History for a call saved elsewhere (the admin's form): compare with `before` (None when created)."""
    after = call_snapshot(call)
    if before is None:
        changes = {
            name: [None, value] for name, value in after.items() if value not in (None, "", [], {}, False)
        }
        return CallChange.objects.create(
            call=call, action=CallChange.Action.CREATED, changed_by=changed_by, changes=changes
        )
    changes = differences(before, after)
    if not changes:
        return None
    if call.source != Call.Source.MANUAL:
        edited = sorted(set(call.edited_fields) | {name for name in changes if name in EDITABLE_FIELDS})
        if edited != sorted(call.edited_fields):
            Call.objects.filter(pk=call.pk).update(edited_fields=edited)
            call.edited_fields = edited
    return CallChange.objects.create(
        call=call, action=CallChange.Action.CHANGED, changed_by=changed_by, changes=changes
    )
