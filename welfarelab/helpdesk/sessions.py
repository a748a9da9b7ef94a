"""The email address a visitor without an account confirmed through the link we emailed it.

It is kept in the visitor's session (server side), never in a cookie of its own: the pages and the API
read it the same way, and it ends with the session.
"""

from __future__ import annotations

from django.http import HttpRequest

VERIFIED_EMAIL = "helpdesk_verified_email"


def verified_email(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    return str(session.get(VERIFIED_EMAIL, "")) if session is not None else ""


def remember_verified_email(request: HttpRequest, email: str) -> None:
    request.session.cycle_key()  # a new session id for the new right (no fixation)
    request.session[VERIFIED_EMAIL] = email


def forget_verified_email(request: HttpRequest) -> None:
    request.session.pop(VERIFIED_EMAIL, None)
