"""Loading indicator values from a file.

    POST /api/v1/indicators/observations   (multipart, field `file`; signed in, with CSRF token)

The file is the one of the web page `/indicatori/importa/` (docs/imports.md): CSV or XLSX, checked whole.
A good file answers 201 with its batch; a rejected one 422 listing every error with its row and column,
and nothing is written. Users who may load no territory at all get 403 (see indicators.permissions).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.errors import AuthenticationError
from ninja.security import django_auth
from pydantic import Field

from welfarelab.accounts.models import User
from welfarelab.api.v1.common import ErrorOut
from welfarelab.core.importing import ImportRejected, RowError, check_size
from welfarelab.indicators.importing import observations_import
from welfarelab.indicators.models import ImportBatch
from welfarelab.indicators.permissions import NOT_ALLOWED, can_import_observations

router = Router(tags=["indicators"])


class ImportBatchOut(Schema):
    id: int = Field(description="The import batch: every value written carries it.")
    rows: int = Field(description="Values written (rows without numbers are left out).")
    filename: str
    sha256: str = Field(description="SHA-256 of the file, to recognise it if it is sent again.")
    created_at: datetime
    note: str = Field(description="What was left out, if anything.")


class ImportErrorItem(Schema):
    type: str = Field(description="`import_file` for the whole file, `import_row` for one row.")
    loc: list[str | int] = Field(examples=[["body", "file", 3, "codice_territorio"]])
    msg: str
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1; 0 for the whole file.")
    column: str = Field(description="The column of the file at fault; empty when it is the whole row.")


class ImportRejectedOut(Schema):
    """The body of a 422 answer: every error of the file; nothing was written."""

    detail: list[ImportErrorItem]


def _item(error: RowError) -> dict[str, object]:
    loc: list[str | int] = ["body", "file"]
    if error.row:
        loc.append(error.row)
        if error.column:
            loc.append(error.column)
    return {
        "type": "import_row" if error.row else "import_file",
        "loc": loc,
        "msg": error.message,
        "row": error.row,
        "column": error.column,
    }


@router.post(
    "/observations",
    auth=django_auth,
    response={201: ImportBatchOut, 401: ErrorOut, 403: ErrorOut, 422: ImportRejectedOut},
    summary="Load a file of indicator values",
)
def observations_upload_endpoint(
    request: HttpRequest, file: File[UploadedFile]
) -> Status[ImportBatch | dict[str, object]]:
    """Check a CSV or XLSX file of observations and write it whole, or not at all.

    Columns: `codice_indicatore, tipo_territorio, codice_territorio, periodo, valore, numeratore,
    denominatore`. Lab coordinators may load any territory; editors of a public body its territory and,
    for an ambito, its comuni.
    """
    user = request.user
    if not isinstance(user, User):  # django_auth let only signed-in users through
        raise AuthenticationError()
    if not can_import_observations(user):
        raise PermissionDenied(NOT_ALLOWED)
    try:
        check_size(file.size or 0)  # before reading the upload into memory
        batch = observations_import(
            content=file.read(), filename=file.name or "", user=user, origin=ImportBatch.Origin.API
        )
    except ImportRejected as rejected:
        return Status(422, {"detail": [_item(error) for error in rejected.errors]})
    return Status(201, batch)
