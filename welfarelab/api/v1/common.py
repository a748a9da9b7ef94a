"""What every endpoint of API v1 shares: error bodies, pages of a list, and the same list as a download.

A list endpoint answers `?format=json` (the default) with one page, `{count, page, pages, results}`, and
`?format=csv|xlsx` with the whole filtered list as an attachment whose columns are the fields of the
page's items (see `welfarelab.reports.tabular`). Page 1 always exists, even when the list is empty; a
page after the last one answers 404 with a JSON body naming the last page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from ninja import Schema
from pydantic import Field

from welfarelab.reports.tabular import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Column,
    TabularFormat,
    tabular_response,
)

__all__ = ["TabularFormat"]

M = TypeVar("M", bound=Model)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
EXPORT_CHUNK_SIZE = 2000

PAGE_DESCRIPTION = "Page number, from 1. A page after the last one answers 404."
PAGE_SIZE_DESCRIPTION = f"Items per page, 1 to {MAX_PAGE_SIZE}."
FORMAT_DESCRIPTION = (
    "`json`: one page. `csv` or `xlsx`: the whole filtered list as a download (`page` and `page_size` "
    "are ignored), with the same columns as the items of a page."
)
SEARCH_DESCRIPTION = "Part of the name, without minding accents or case (`forli` finds Forlì)."


def page_not_found_message(*, page: int, pages: int) -> str:
    return f"Page {page} does not exist: the last page is {pages}."


class ErrorOut(Schema):
    """The body of every 400, 401, 403 and 404 answer."""

    detail: str = Field(examples=["No comune with code '999999'."])


class ValidationErrorItem(Schema):
    type: str = Field(examples=["enum"])
    loc: list[str | int] = Field(
        description="Where the error is: the part of the request, then the parameter or field.",
        examples=[["query", "kind"]],
    )
    msg: str


class ValidationErrorOut(Schema):
    """The body of every 422 answer: one item per wrong parameter or field."""

    detail: list[ValidationErrorItem]


# Documents the downloads of `?format=csv|xlsx` beside the JSON page of a 200 answer.
DOWNLOAD_RESPONSES: dict[str, Any] = {
    "responses": {
        200: {
            "description": "One page as JSON; with `?format=csv` or `?format=xlsx`, the whole list as a file.",
            "content": {
                CSV_CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}},
                XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


class PageSlice(Generic[M]):
    """One page of a queryset: its items, and the count and number of pages of the whole list."""

    def __init__(self, queryset: QuerySet[M], *, page: int, page_size: int) -> None:
        self.count = queryset.count()
        self.page = page
        self.pages = max(1, math.ceil(self.count / page_size))
        if page > self.pages:
            raise Http404(page_not_found_message(page=page, pages=self.pages))
        start = (page - 1) * page_size
        self.results: list[M] = list(queryset[start : start + page_size])

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "page": self.page, "pages": self.pages, "results": self.results}


def export_response(
    *,
    queryset: QuerySet[M],
    item_schema: type[Schema],
    paths: Mapping[str, str],
    fmt: TabularFormat,
    filename: str,
) -> HttpResponse:
    """The whole `queryset` as a download with the columns of `item_schema`, in the same order.

    `paths` maps each field of the schema to what the database holds for it (a field, `fk__field`,
    an annotation): rows are read with `values_list`, without building models or schemas, so that
    even the whole directory of organisations downloads in seconds. Blank text is written as unknown,
    as the JSON items say null. The tests check that a download and a JSON page hold the same values.
    """
    if list(paths) != list(item_schema.model_fields):
        raise ValueError(f"The columns of {item_schema.__name__} and of its download differ: {list(paths)}.")
    rows = queryset.values_list(*paths.values()).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return tabular_response(
        columns=[Column(key) for key in paths],
        rows=(tuple(None if value == "" else value for value in row) for row in rows),
        fmt=fmt,
        filename=filename,
    )
