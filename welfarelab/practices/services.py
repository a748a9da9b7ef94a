"""Writes of the good practices: propose, edit, and the steps of the review workflow.

Every function is keyword-only, checks its own permission (permissions.py) and writes in one
transaction: one that raises writes nothing — no row, no event, no file (files stored before the error
are deleted). Every change of status records a PracticeEvent (who, when, from, to, comment).

    proposed ──start review──▶ in review ──publish──▶ published
        ▲                          │                      │
        └──resubmit── returned ◀───┘ return (comment)     │ withdraw (coordinators, comment)
                         ▲────────────────────────────────┘

Content is changed only while proposed or returned (`practice_update`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.indicators.models import Indicator, NeedDomain
from welfarelab.organisations.models import Organisation
from welfarelab.practices import permissions
from welfarelab.practices.attachments import MAX_ATTACHMENTS, Upload, check_upload
from welfarelab.practices.models import (
    Practice,
    PracticeAttachment,
    PracticeContact,
    PracticeEvent,
    PracticeEvidence,
    PracticePartner,
)
from welfarelab.territories.models import Territory

# Slugs that are pages of the app (urls.py): a practice called "Proponi" gets "proponi-pratica".
RESERVED_SLUGS = frozenset({"proponi", "revisione", "mie", "allegati"})

NEEDS_A_DOMAIN = _("Choose at least one need domain.")
NOT_YOUR_ORGANISATION = _("You may propose practices only for an organisation where you are an editor.")
COMMENT_REQUIRED = _("Say what is to be changed: the proposer reads your comment.")
WRONG_STATUS = _("This practice is “%(status)s”: it cannot be %(action)s now.")
NOT_EDITABLE = _("This practice is “%(status)s”: it can be changed only while proposed or returned.")
TOO_MANY_ATTACHMENTS = _("A practice may have at most %(limit)s attachments.")
ATTACHMENT_NEEDS_ONE = _("Attach a file or give a link, not both.")
ATTACHMENT_NEEDS_TITLE = _("Give the attachment a title.")
UNKNOWN_FUNDING = _("Unknown funding source(s): %(values)s.")


@dataclass(frozen=True)
class PartnerData:
    name: str
    kind: str
    role: str = PracticePartner.Role.PARTNER
    organisation: Organisation | None = None
    contribution: str = ""


@dataclass(frozen=True)
class ContactData:
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""
    consent: bool = False


@dataclass(frozen=True)
class EvidenceData:
    indicator: Indicator
    territory: Territory
    period_before: int
    period_after: int
    note: str = ""


@dataclass(frozen=True)
class NewAttachment:
    """A file to store (`upload`) or a link (`url`), with its title."""

    title: str
    upload: Upload | None = None
    url: str = ""


@dataclass(frozen=True)
class PracticeData:
    """The content of a practice, as the form or the example loader gives it."""

    title: str
    summary: str
    territory: Territory
    need_domains: Sequence[NeedDomain]
    problem: str
    actions: str
    start_year: int
    owner_organisation: Organisation | None = None
    other_territories: Sequence[Territory] = ()
    resources: str = ""
    total_cost: Decimal | None = None
    funding_sources: Sequence[str] = ()
    funding_notes: str = ""
    results: str = ""
    end_year: int | None = None
    licence: str = Practice.Licence.CC_BY_4
    partners: Sequence[PartnerData] = field(default=())
    contacts: Sequence[ContactData] = field(default=())
    evidence: Sequence[EvidenceData] = field(default=())


CONTENT_FIELDS = (
    "title",
    "summary",
    "territory",
    "owner_organisation",
    "problem",
    "actions",
    "resources",
    "total_cost",
    "funding_sources",
    "funding_notes",
    "results",
    "start_year",
    "end_year",
    "licence",
)


# ---- content ---------------------------------------------------------------------------------------


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200].strip("-") or "pratica"
    if base in RESERVED_SLUGS:
        base = f"{base}-pratica"
    candidates = Practice.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    taken = set(candidates.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_owner(*, user: User | None, data: PracticeData) -> None:
    if user is None or permissions.is_coordinator(user):
        return
    allowed = {o.pk for o in permissions.proposing_organisations(user)}
    if data.owner_organisation is None or data.owner_organisation.pk not in allowed:
        raise ValidationError({"owner_organisation": NOT_YOUR_ORGANISATION})


def _fill(practice: Practice, data: PracticeData) -> None:
    for name in CONTENT_FIELDS:
        value = getattr(data, name)
        setattr(practice, name, list(value) if name == "funding_sources" else value)


def _validate(practice: Practice, data: PracticeData) -> None:
    """Every error of the content at once, by field; raises before anything is written."""
    errors: dict[str, list[Any]] = {}
    try:
        practice.full_clean(exclude=["slug"])
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if not data.need_domains:
        errors.setdefault("need_domains", []).append(NEEDS_A_DOMAIN)
    unknown = sorted(set(data.funding_sources) - set(Practice.Funding.values))
    if unknown:
        errors.setdefault("funding_sources", []).append(
            ValidationError(UNKNOWN_FUNDING, params={"values": ", ".join(unknown)})
        )
    seen: set[int] = set()
    for number, partner in enumerate(data.partners, start=1):
        if partner.organisation is not None:
            if partner.organisation.pk in seen:
                errors.setdefault("partners", []).append(
                    _("Row %(row)s: %(name)s is listed twice.")
                    % {"row": number, "name": partner.organisation}
                )
            seen.add(partner.organisation.pk)
    for name, rows, model in (
        ("partners", data.partners, PracticePartner),
        ("contacts", data.contacts, PracticeContact),
        ("evidence", data.evidence, PracticeEvidence),
    ):
        for number, row in enumerate(rows, start=1):
            instance = model(practice=practice, position=number, **vars(row))
            try:
                instance.full_clean(exclude=["practice"])
            except ValidationError as error:
                for message in error.messages:
                    errors.setdefault(name, []).append(
                        _("Row %(row)s: %(message)s") % {"row": number, "message": message}
                    )
    if errors:
        raise ValidationError(errors)


# How a directory organisation's kind reads as the kind of a partner.
PARTNER_KIND_OF = {
    Organisation.Kind.COMUNE: PracticePartner.Kind.PUBLIC_BODY,
    Organisation.Kind.AMBITO: PracticePartner.Kind.PUBLIC_BODY,
    Organisation.Kind.PROVINCIA: PracticePartner.Kind.PUBLIC_BODY,
    Organisation.Kind.REGIONE: PracticePartner.Kind.PUBLIC_BODY,
    Organisation.Kind.CSV: PracticePartner.Kind.ETS,
    Organisation.Kind.UNIVERSITY: PracticePartner.Kind.UNIVERSITY,
    Organisation.Kind.ETS: PracticePartner.Kind.ETS,
}


def partner_kind_of(organisation: Organisation) -> str:
    return PARTNER_KIND_OF.get(organisation.kind, PracticePartner.Kind.OTHER)  # type: ignore[call-overload]


def _partners_with_owner(data: PracticeData) -> list[PartnerData]:
    """The partners, with the proposing organisation first among the promoters (added if missing)."""
    owner = data.owner_organisation
    partners = [p for p in data.partners if owner is None or p.organisation != owner]
    if owner is not None:
        listed = next((p for p in data.partners if p.organisation == owner), None)
        partners.insert(
            0,
            PartnerData(
                name=owner.name,
                kind=listed.kind if listed else partner_kind_of(owner),
                role=PracticePartner.Role.PROMOTER,
                organisation=owner,
                contribution=listed.contribution if listed else "",
            ),
        )
    return partners


def _write_parts(practice: Practice, data: PracticeData) -> None:
    """Replace the need domains, other territories, partners, contacts and evidence of `practice`."""
    practice.need_domains.set(data.need_domains)
    practice.other_territories.set([t for t in data.other_territories if t.pk != practice.territory_id])
    practice.partners.all().delete()
    partners = _partners_with_owner(data)
    PracticePartner.objects.bulk_create(
        PracticePartner(practice=practice, position=number, **vars(row))
        for number, row in enumerate(partners, start=1)
    )
    practice.contacts.all().delete()
    PracticeContact.objects.bulk_create(
        PracticeContact(practice=practice, position=number, **vars(row))
        for number, row in enumerate(data.contacts, start=1)
    )
    practice.evidence.all().delete()
    PracticeEvidence.objects.bulk_create(
        PracticeEvidence(practice=practice, position=number, **vars(row))
        for number, row in enumerate(data.evidence, start=1)
    )


def check_new_attachments(attachments: Sequence[NewAttachment], *, already: int = 0) -> None:
    """Every attachment's errors at once (ValidationError keyed "attachments"); nothing is read but
    the first bytes of each file."""
    errors: list[Any] = []
    if already + len(attachments) > MAX_ATTACHMENTS:
        errors.append(ValidationError(TOO_MANY_ATTACHMENTS, params={"limit": MAX_ATTACHMENTS}))
    for attachment in attachments:
        if not attachment.title.strip():
            errors.append(ATTACHMENT_NEEDS_TITLE)
        try:  # the lengths of the columns, before any file is stored
            PracticeAttachment(title=attachment.title.strip(), url=attachment.url).clean_fields(
                exclude=["practice", "kind", "file"]
            )
        except ValidationError as error:
            errors.extend(error.messages)
        if (attachment.upload is None) == (not attachment.url):
            errors.append(ATTACHMENT_NEEDS_ONE)
            continue
        try:
            if attachment.upload is not None:
                check_upload(attachment.upload)
            else:
                URLValidator(schemes=["http", "https"])(attachment.url)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"attachments": errors})


def _store_attachments(practice: Practice, attachments: Sequence[NewAttachment], stored: list[str]) -> None:
    """Write the (already checked) attachments; the names of stored files go to `stored` for clean-up."""
    for attachment in attachments:
        row = PracticeAttachment(practice=practice, title=attachment.title.strip())
        if attachment.upload is None:
            row.kind, row.url = PracticeAttachment.Kind.LINK, attachment.url
        else:
            file_type = check_upload(attachment.upload)
            row.kind, row.content_type = file_type.kind, file_type.content_type
            row.original_name = str(attachment.upload.name or "")[-255:]
            row.size = attachment.upload.size
            row.file.save(f"{uuid.uuid4().hex}{file_type.extension}", attachment.upload, save=False)
            stored.append(row.file.name)
        row.full_clean()
        row.save()


def _delete_files(names: Sequence[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _record(
    practice: Practice, *, action: str, actor: User | None, from_status: str, comment: str = ""
) -> PracticeEvent:
    return PracticeEvent.objects.create(
        practice=practice,
        action=action,
        from_status=from_status,
        to_status=practice.status,
        actor=actor,
        comment=comment.strip(),
    )


def practice_propose(
    *,
    proposer: User,
    data: PracticeData,
    attachments: Sequence[NewAttachment] = (),
) -> Practice:
    """A member proposes a practice for one of its organisations: it is stored as proposed, for review.

    Raises PermissionDenied when `proposer` may not propose, ValidationError (by field, every error at
    once) when the content or an attachment is wrong; then nothing is written.
    """
    if not permissions.may_propose(proposer):
        raise PermissionDenied(permissions.MAY_NOT_PROPOSE)
    _check_owner(user=proposer, data=data)
    practice = Practice(status=Practice.Status.PROPOSED, submitted_by=proposer)
    _fill(practice, data)
    _validate(practice, data)
    check_new_attachments(attachments)
    stored: list[str] = []
    try:
        with transaction.atomic():
            practice.slug = _unique_slug(practice.title)
            practice.submitted_at = timezone.now()
            practice.save()
            _write_parts(practice, data)
            _store_attachments(practice, attachments, stored)
            _record(practice, action=PracticeEvent.Action.SUBMITTED, actor=proposer, from_status="")
    except BaseException:
        _delete_files(stored)
        raise
    return practice


def practice_update(
    *,
    practice: Practice,
    changed_by: User,
    data: PracticeData,
    new_attachments: Sequence[NewAttachment] = (),
    removed_attachment_ids: Sequence[int] = (),
) -> Practice:
    """Change the content of a proposed or returned practice (its slug stays: links keep working)."""
    if not permissions.may_manage_practice(changed_by, practice):
        raise PermissionDenied(permissions.MAY_NOT_CHANGE)
    if not permissions.may_change_practice(changed_by, practice):
        raise ValidationError(NOT_EDITABLE, params={"status": practice.get_status_display()})
    if data.owner_organisation != practice.owner_organisation:
        _check_owner(user=changed_by, data=data)
    _fill(practice, data)
    _validate(practice, data)
    removed = list(practice.attachments.filter(pk__in=removed_attachment_ids))
    check_new_attachments(new_attachments, already=practice.attachments.count() - len(removed))
    stored: list[str] = []
    try:
        with transaction.atomic():
            status = Practice.objects.select_for_update().values_list("status", flat=True).get(pk=practice.pk)
            if status not in (Practice.Status.PROPOSED, Practice.Status.RETURNED):
                raise ValidationError(NOT_EDITABLE, params={"status": Practice.Status(status).label})
            practice.save()
            _write_parts(practice, data)
            removed_files = [a.file.name for a in removed if a.file]
            PracticeAttachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
            _store_attachments(practice, new_attachments, stored)
            _record(
                practice, action=PracticeEvent.Action.EDITED, actor=changed_by, from_status=practice.status
            )
            # Files of removed attachments go only once the rows are gone for good.
            transaction.on_commit(lambda: _delete_files(removed_files))
    except BaseException:
        _delete_files(stored)
        raise
    return practice


# ---- workflow --------------------------------------------------------------------------------------


def _move(
    *,
    practice: Practice,
    actor: User,
    allowed_from: Sequence[str],
    to: str,
    action: str,
    action_label: str,
    comment: str = "",
    **changes: Any,
) -> Practice:
    """Move `practice` to status `to` if it is in one of `allowed_from` (read again, locked)."""
    with transaction.atomic():
        current = Practice.objects.select_for_update().get(pk=practice.pk)
        if current.status not in allowed_from:
            raise ValidationError(
                WRONG_STATUS, params={"status": current.get_status_display(), "action": action_label}
            )
        from_status = current.status
        practice.status = to
        for name, value in changes.items():
            setattr(practice, name, value)
        practice.full_clean(exclude=["slug"])
        practice.save(update_fields=["status", *changes, "updated_at"])
        _record(practice, action=action, actor=actor, from_status=from_status, comment=comment)
    return practice


def _require_reviewer(user: User | AnonymousUser, practice: Practice) -> None:
    if not permissions.may_review(user):
        raise PermissionDenied(permissions.MAY_NOT_REVIEW)
    if not permissions.may_review_practice(user, practice):
        raise PermissionDenied(permissions.OWN_PRACTICE)


def practice_start_review(*, practice: Practice, reviewer: User) -> Practice:
    """A reviewer takes a proposed practice: it is in review, and they are its reviewer."""
    _require_reviewer(reviewer, practice)
    return _move(
        practice=practice,
        actor=reviewer,
        allowed_from=[Practice.Status.PROPOSED],
        to=Practice.Status.IN_REVIEW,
        action=PracticeEvent.Action.REVIEW_STARTED,
        action_label=str(_("taken in review")),
        reviewer=reviewer,
    )


def practice_publish(*, practice: Practice, reviewer: User, comment: str = "") -> Practice:
    """The reviewer approves a practice in review: it is published, for everybody to read."""
    _require_reviewer(reviewer, practice)
    return _move(
        practice=practice,
        actor=reviewer,
        allowed_from=[Practice.Status.IN_REVIEW],
        to=Practice.Status.PUBLISHED,
        action=PracticeEvent.Action.PUBLISHED,
        action_label=str(_("published")),
        comment=comment,
        reviewer=reviewer,
        published_at=timezone.now(),
    )


def practice_return(*, practice: Practice, reviewer: User, comment: str) -> Practice:
    """The reviewer sends a practice in review back to its proposer, saying what to change."""
    _require_reviewer(reviewer, practice)
    if not comment.strip():
        raise ValidationError({"comment": COMMENT_REQUIRED})
    return _move(
        practice=practice,
        actor=reviewer,
        allowed_from=[Practice.Status.IN_REVIEW],
        to=Practice.Status.RETURNED,
        action=PracticeEvent.Action.RETURNED,
        action_label=str(_("returned")),
        comment=comment,
        reviewer=reviewer,
    )


def practice_resubmit(*, practice: Practice, by: User, comment: str = "") -> Practice:
    """The proposer sends a returned practice, changed, to the reviewers again."""
    if not permissions.may_manage_practice(by, practice):
        raise PermissionDenied(permissions.MAY_NOT_CHANGE)
    return _move(
        practice=practice,
        actor=by,
        allowed_from=[Practice.Status.RETURNED],
        to=Practice.Status.PROPOSED,
        action=PracticeEvent.Action.RESUBMITTED,
        action_label=str(_("proposed again")),
        comment=comment,
        submitted_at=timezone.now(),
    )


def practice_withdraw(*, practice: Practice, by: User, comment: str) -> Practice:
    """A coordinator takes a published practice off the public pages, back to its proposer."""
    if not permissions.is_coordinator(by):
        raise PermissionDenied(permissions.MAY_NOT_REVIEW)
    if not comment.strip():
        raise ValidationError({"comment": COMMENT_REQUIRED})
    return _move(
        practice=practice,
        actor=by,
        allowed_from=[Practice.Status.PUBLISHED],
        to=Practice.Status.RETURNED,
        action=PracticeEvent.Action.WITHDRAWN,
        action_label=str(_("withdrawn")),
        comment=comment,
        published_at=None,
    )


def practice_example_load(*, data: PracticeData, slug: str) -> tuple[Practice, bool]:
    """Create or update the example `slug` as published, marked `is_example` (the demo's loader).

    Returns the practice and whether it was created. Examples have no proposer and no reviewer.
    """
    with transaction.atomic():
        practice = Practice.objects.filter(slug=slug).first()
        created = practice is None
        if practice is None:
            practice = Practice(slug=slug)
        elif not practice.is_example:
            raise ValidationError(
                _("“%(slug)s” is a real practice, not an example: it is left as it is."),
                params={"slug": slug},
            )
        _fill(practice, data)
        practice.is_example = True
        practice.status = Practice.Status.PUBLISHED
        practice.published_at = practice.published_at or timezone.now()
        _validate(practice, data)
        practice.save()
        _write_parts(practice, data)
        if created:
            _record(practice, action=PracticeEvent.Action.EXAMPLE_LOADED, actor=None, from_status="")
    return practice, created
