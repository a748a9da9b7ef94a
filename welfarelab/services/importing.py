"""Loading a file of supply declarations: check it whole, then write it in one transaction or not at all."""

from __future__ import annotations

import hashlib

from django.db import transaction

from welfarelab.accounts.models import User
from welfarelab.core.importing import check_size
from welfarelab.indicators.permissions import writable_territory_ids
from welfarelab.services.importers import ParsedDeclarations, declarations_parse
from welfarelab.services.models import SupplyImport
from welfarelab.services.services import declarations_write_all


def declarations_import(
    *, content: bytes, filename: str, user: User | None
) -> tuple[SupplyImport, ParsedDeclarations]:
    """Check a CSV or XLSX file of declarations (importers.py) and write it, or raise ImportRejected.

    `user` may write only the territories of indicators.permissions.writable_territory_ids; None is the
    platform itself (the command without --user). A good file replaces the declarations with the same
    territory, year and service, becomes one SupplyImport, and the supply indicators of the years and
    comuni it touches are recomputed. A rejected file writes nothing, not even the SupplyImport.
    """
    check_size(len(content))
    writable = None if user is None else writable_territory_ids(user)
    parsed = declarations_parse(content, filename=filename, writable=writable)
    with transaction.atomic():
        supply_import = SupplyImport.objects.create(
            filename=filename[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            rows=len(parsed.rows),
            created_by=user,
        )
        declarations_write_all(rows=parsed.rows, user=user, supply_import=supply_import)
    return supply_import, parsed
