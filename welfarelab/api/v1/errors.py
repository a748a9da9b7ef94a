"""JSON error bodies: bad parameters get 422, unknown things 404, refusals 403, never a 500 page.

| raised                                   | status | body                                                      |
| ---------------------------------------- | ------ | --------------------------------------------------------- |
| `django.http.Http404`                    | 404    | `{"detail": "No comune with code '999999'."}`             |
| `django.core.exceptions.PermissionDenied`| 403    | `{"detail": "This belongs to another organisation: …"}`   |
| `django.core.exceptions.ValidationError` | 422    | `{"detail": [{"type", "loc": ["body", field], "msg"}]}`   |
| `ninja.errors.ValidationError` (pydantic)| 422    | `{"detail": [{"type", "loc": ["query", "kind"], "msg"}]}` |
| `ninja.errors.AuthenticationError`       | 401    | `{"detail": "Unauthorized"}`                              |
| a body that is not JSON (ninja)          | 400    | `{"detail": "Cannot parse request body"}`                 |
| a missing CSRF token (ninja)             | 403    | `{"detail": "CSRF check Failed"}`                         |

Both kinds of 422 share one shape, so a client reads `loc[-1]` to find the field at fault, whether the
schema or the model refused it. Errors of a whole object (Django's `__all__`) have `loc` `["body"]`.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

NOT_FOUND = _("Not found.")
FORBIDDEN = _("You may not do this.")


def validation_error_items(exc: DjangoValidationError) -> list[dict[str, object]]:
    """Django's field → messages as items shaped like ninja's (`type`, `loc`, `msg`)."""
    items: list[dict[str, object]] = []
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    for field, errors in by_field.items():
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
        for error in errors:
            for message in error.messages:  # `messages` fills in `params` (e.g. the maximum length)
                items.append({"type": error.code or "invalid", "loc": loc, "msg": message})
    return items


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or str(NOT_FOUND)}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or str(FORBIDDEN)}, status=403)

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": validation_error_items(exc)}, status=422)
