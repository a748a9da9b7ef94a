"""Loading a file of observations: check it whole, then write it in one transaction or not at all."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import ngettext

from welfarelab.accounts.models import User
from welfarelab.core.importing import check_size
from welfarelab.indicators.importers import observations_parse
from welfarelab.indicators.models import ImportBatch
from welfarelab.indicators.permissions import writable_territory_ids
from welfarelab.indicators.services import observations_store


def observations_import(
    *, content: bytes, filename: str, user: User | None, origin: str = ImportBatch.Origin.UPLOAD
) -> ImportBatch:
    """Check a CSV or XLSX file of observations (see importers.py) and store it, or raise ImportRejected.

    `user` may write only the territories of permissions.writable_territory_ids; None is the platform
    itself (the management command run without --user), which may write every territory. A good file
    becomes one ImportBatch (who, file name, SHA-256, rows written, rows left out in `note`) and, per indicator, a call to
    `observations_store`, which replaces the same cells, computes the 95% limits and sums the comuni up
    the hierarchy. A rejected file writes nothing, not even the batch.
    """
    check_size(len(content))  # before hashing or parsing a file that is refused anyway
    writable = None if user is None else writable_territory_ids(user)
    parsed = observations_parse(content, filename=filename, writable=writable)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            origin=origin,
            filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            rows=parsed.rows,
            created_by=user,
            note=ngettext(
                "%(count)s row without numbers (an unknown value) was left out.",
                "%(count)s rows without numbers (unknown values) were left out.",
                parsed.left_out,
            )
            % {"count": parsed.left_out}
            if parsed.left_out
            else "",
        )
        for code, frame in parsed.frames.items():
            observations_store(indicator=parsed.indicators[code], frame=frame, batch=batch)
    return batch
