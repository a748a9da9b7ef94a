"""Writes of organisations. Every change of an organisation's profile goes through here (API and pages)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import NOT_YOURS, can_change
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation

logger = logging.getLogger(__name__)

# What the members of an organisation may change of its profile; the rest is the lab's or the sources'.
EDITABLE_FIELDS: tuple[str, ...] = ("name", "description", "website", "email", "legal_form", "runts_id")

FIELD_NOT_EDITABLE = _("This field cannot be changed here.")
LEGAL_FORM_ONLY_FOR_ETS = _("Only a Third Sector Entity (ETS) has a legal form.")
RUNTS_ONLY_FOR_ETS = _("Only a Third Sector Entity (ETS) has a RUNTS number.")


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, changed_by: User, data: Mapping[str, object]
) -> Organisation:
    """Change the profile fields in `data` (a subset of EDITABLE_FIELDS) and save only what changed.

    Text is stripped of surrounding spaces. A new name refreshes the folded name used by search.
    `legal_form` and `runts_id` may be set only on a Third Sector Entity (ETS).

    Raises PermissionDenied (NOT_YOURS) when `changed_by` may not change the organisation (callers
    find it with `accounts.permissions.access_for_change`, which answers 404 for what the user may not
    see), and ValidationError by field (keys of `data`, or "__all__") when a value is not valid.
    A refused change leaves both the database row and `organisation` as they were. A change that
    changes nothing saves nothing.
    """
    if not can_change(changed_by, organisation):
        raise PermissionDenied(NOT_YOURS)
    not_editable = sorted(set(data) - set(EDITABLE_FIELDS))
    if not_editable:
        raise ValidationError(dict.fromkeys(not_editable, FIELD_NOT_EDITABLE))

    previous = {field: getattr(organisation, field) for field in (*EDITABLE_FIELDS, "name_folded")}
    changed = [field for field in EDITABLE_FIELDS if field in data and _clean(data[field]) != previous[field]]
    if not changed:
        return organisation
    try:
        for field in changed:
            setattr(organisation, field, _clean(data[field]))
        if "legal_form" in changed and organisation.legal_form and organisation.kind != Organisation.Kind.ETS:
            raise ValidationError({"legal_form": LEGAL_FORM_ONLY_FOR_ETS})
        if "runts_id" in changed and organisation.runts_id and organisation.kind != Organisation.Kind.ETS:
            raise ValidationError({"runts_id": RUNTS_ONLY_FOR_ETS})
        if "name" in changed:
            organisation.name_folded = fold(str(organisation.name))
            changed.append("name_folded")
        organisation.full_clean()
    except ValidationError:
        for field, value in previous.items():
            setattr(organisation, field, value)
        raise
    organisation.save(update_fields=[*changed, "updated_at"])  # auto_now needs listing too
    logger.info(
        "Organisation updated.",
        extra={"organisation_id": organisation.pk, "changed_by": changed_by.pk, "fields": changed},
    )
    return organisation


def _clean(value: object) -> object:
    return value.strip() if isinstance(value, str) else value
