"""Write the records of one source into the catalogue: add, update in place, flag what disappeared.

A call is identified in its source by (source, source_name, source_id): importing a source again
updates its calls in place and never duplicates them. Only what differs is written — a record equal to
its call saves nothing and adds no history — and the fields an editor corrected (`Call.edited_fields`)
are left as the editor set them. A bad record (unknown code, a date before the opening, an id seen
twice) is reported with where it is and skipped; the others go on. A call that its source no longer
lists is flagged `flagged_missing_from_source` (with a history row), never deleted; it is unflagged if it
comes back.

Unlike the indicator imports (all-or-nothing), a source here is skip-and-report: a feed with one broken
entry must still bring the others. The whole run is one transaction, each record a savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from welfarelab.calls.history import call_snapshot, comparable, differences, territory_label
from welfarelab.calls.importers.records import CallRecord, Problem
from welfarelab.calls.models import ApplicantType, Call, CallAttachment, CallChange, ImportRun, Theme
from welfarelab.territories.models import Territory

# Record attribute → Call field, for the plain fields.
_SCALARS: tuple[str, ...] = (
    "title",
    "summary",
    "issuer",
    "issuer_type",
    "issuer_tax_code",
    "url",
    "eligibility_notes",
    "total_budget",
    "min_grant",
    "max_grant",
    "estimated_awards",
    "cofinancing_percent",
    "procedure",
    "opens_at",
    "closes_at",
    "closed_early",
    "source_status",
    "source_data",
)


@dataclass
class SyncResult:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    flagged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)


@dataclass(frozen=True)
class _Lookups:
    themes: dict[str, int]
    applicants: dict[str, int]
    regions: dict[str, int]
    provinces: dict[str, int]

    @classmethod
    def load(cls) -> _Lookups:
        territories = Territory.objects.filter(kind__in=[Territory.Kind.REGIONE, Territory.Kind.PROVINCIA])
        regions: dict[str, int] = {}
        provinces: dict[str, int] = {}
        for pk, kind, code in territories.values_list("pk", "kind", "code"):
            (regions if kind == Territory.Kind.REGIONE else provinces)[code] = pk
        return cls(
            themes=dict(Theme.objects.values_list("slug", "pk")),
            applicants=dict(ApplicantType.objects.values_list("slug", "pk")),
            regions=regions,
            provinces=provinces,
        )


@dataclass(frozen=True)
class _Resolved:
    theme_ids: list[int]
    applicant_ids: list[int]
    territory_ids: list[int]
    snapshot: dict[str, Any]  # the record as call_snapshot would show it


def _resolve(record: CallRecord, lookups: _Lookups) -> _Resolved:
    unknown_themes = sorted(record.themes - set(lookups.themes))
    if unknown_themes:
        raise ValueError(f"unknown theme(s) {', '.join(unknown_themes)}")
    unknown_types = sorted(record.applicants - set(lookups.applicants))
    if unknown_types:
        raise ValueError(f"unknown applicant type(s) {', '.join(unknown_types)}")
    unknown_regions = sorted(record.regions - set(lookups.regions))
    if unknown_regions:
        raise ValueError(f"unknown region code(s) {', '.join(unknown_regions)}")
    unknown_provinces = sorted(record.provinces - set(lookups.provinces))
    if unknown_provinces:
        raise ValueError(f"unknown province code(s) {', '.join(unknown_provinces)}")
    snapshot = {name: comparable(getattr(record, name)) for name in _SCALARS}
    snapshot["themes"] = sorted(record.themes)
    snapshot["eligible_applicants"] = sorted(record.applicants)
    snapshot["territories"] = sorted(
        [territory_label("regione", code) for code in record.regions]
        + [territory_label("provincia", code) for code in record.provinces]
    )
    snapshot["attachments"] = [[title, url] for title, url in record.attachments]
    return _Resolved(
        theme_ids=sorted(lookups.themes[s] for s in record.themes),
        applicant_ids=sorted(lookups.applicants[s] for s in record.applicants),
        territory_ids=sorted(
            [lookups.regions[c] for c in record.regions] + [lookups.provinces[c] for c in record.provinces]
        ),
        snapshot=snapshot,
    )


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _source_attachments(call: Call) -> list[list[str]]:
    return [[a.title, a.url] for a in call.attachments.all() if a.from_source]


def _write_relations(call: Call, resolved: _Resolved, names: Iterable[str], record: CallRecord) -> None:
    names = set(names)
    if "themes" in names:
        call.themes.set(resolved.theme_ids)
    if "eligible_applicants" in names:
        call.eligible_applicants.set(resolved.applicant_ids)
    if "territories" in names:
        call.territories.set(resolved.territory_ids)
    if "attachments" in names:
        call.attachments.filter(from_source=True).delete()
        CallAttachment.objects.bulk_create(
            CallAttachment(call=call, title=title[:300], url=url, from_source=True, position=position)
            for position, (title, url) in enumerate(record.attachments)
        )


def calls_sync(
    *,
    source: str,
    source_name: str,
    records: Sequence[tuple[str, CallRecord]],
    problems: Sequence[Problem] = (),
    run: ImportRun | None = None,
    flag_missing: Callable[[Call], bool] = lambda call: True,
    now: dt.datetime,
) -> SyncResult:
    """Write `records` (each with where it was read, e.g. "row 12") of one source; see the module docstring.

    `problems` are those the reader already found (they are counted as skipped); `flag_missing` says
    whether a call absent from `records` is flagged (a feed shows only its latest entries, so its importer
    flags only calls not yet closed). `run` is written on each history row.
    """
    result = SyncResult(problems=list(problems))
    lookups = _Lookups.load()
    existing = {
        call.source_id: call
        for call in Call.objects.filter(source=source, source_name=source_name)
        .exclude(source_id="")
        .prefetch_related("themes", "eligible_applicants", "territories", "attachments")
    }
    seen: dict[str, str] = {}
    history: list[CallChange] = []

    with transaction.atomic():
        for where, record in records:
            if record.source_id in seen:
                result.problems.append(
                    Problem(
                        where, f"the id {record.source_id!r} was already read at {seen[record.source_id]}"
                    )
                )
                continue
            seen[record.source_id] = where
            try:
                resolved = _resolve(record, lookups)
                with transaction.atomic():
                    change = _write(
                        record, resolved, existing.get(record.source_id), source, source_name, run, now
                    )
            except (ValueError, ValidationError, DatabaseError) as error:
                reason = _validation_message(error) if isinstance(error, ValidationError) else str(error)
                result.problems.append(Problem(where, reason))
                continue
            if change is None:
                result.unchanged += 1
            else:
                history.append(change)
                if change.action == CallChange.Action.CREATED:
                    result.added += 1
                else:
                    result.changed += 1

        for source_id, call in existing.items():
            if source_id in seen or call.flagged_missing_from_source or not flag_missing(call):
                continue
            call.flagged_missing_from_source = True
            call.missing_since = now
            call.save(update_fields=["flagged_missing_from_source", "missing_since", "updated_at"])
            history.append(
                CallChange(
                    call=call,
                    changed_at=now,
                    action=CallChange.Action.FLAGGED,
                    import_run=run,
                    changes={"flagged_missing_from_source": [False, True]},
                )
            )
            result.flagged += 1
        CallChange.objects.bulk_create(history)
    return result


def _write(
    record: CallRecord,
    resolved: _Resolved,
    call: Call | None,
    source: str,
    source_name: str,
    run: ImportRun | None,
    now: dt.datetime,
) -> CallChange | None:
    """Create or update one call; None when it already says what the record says."""
    values = {name: getattr(record, name) for name in _SCALARS}
    if call is None:
        call = Call(
            source=source, source_name=source_name, source_id=record.source_id, published_at=now, **values
        )
        call.full_clean(validate_unique=False, validate_constraints=False)
        call.save()
        _write_relations(
            call, resolved, ("themes", "eligible_applicants", "territories", "attachments"), record
        )
        changes = {
            name: [None, value]
            for name, value in resolved.snapshot.items()
            if value not in (None, "", [], {}, False)
        }
        return CallChange(
            call=call, changed_at=now, action=CallChange.Action.CREATED, import_run=run, changes=changes
        )

    before = call_snapshot(call)
    before["attachments"] = _source_attachments(call)
    locked = set(call.edited_fields)
    wanted = {name: value for name, value in resolved.snapshot.items() if name not in locked}
    changes = differences(before, wanted)
    if call.flagged_missing_from_source:
        changes["flagged_missing_from_source"] = [True, False]
    if not changes:
        return None
    changed_scalars = [name for name in _SCALARS if name in wanted and wanted[name] != before[name]]
    for name in changed_scalars:
        setattr(call, name, values[name])
    call.flagged_missing_from_source = False
    call.missing_since = None
    call.full_clean(validate_unique=False, validate_constraints=False)
    call.save(update_fields=[*changed_scalars, "flagged_missing_from_source", "missing_since", "updated_at"])
    relations = [
        name for name in ("themes", "eligible_applicants", "territories", "attachments") if name in changes
    ]
    _write_relations(call, resolved, relations, record)
    return CallChange(
        call=call, changed_at=now, action=CallChange.Action.CHANGED, import_run=run, changes=changes
    )
