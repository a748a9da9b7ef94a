"""Signed links of the alerts (django.core.signing): nothing to store, nothing to guess.

Each purpose has its own salt, so a link made for one thing never works for another. The confirmation
link expires (WELFARELAB_ALERT_LINK_MAX_AGE_DAYS); the links inside the messages (manage, unsubscribe,
save or mute a call) do not, since an old digest must still let its reader leave. A token names the
subscription and its address: when the address of a subscription changes, its old links stop working.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM = "confirm"
MANAGE = "manage"
UNSUBSCRIBE = "unsubscribe"
SAVE_CALL = "save-call"
MUTE_CALL = "mute-call"
PURPOSES = (CONFIRM, MANAGE, UNSUBSCRIBE, SAVE_CALL, MUTE_CALL)


class BadLink(Exception):
    """The link is altered, made for something else, or expired."""


@dataclass(frozen=True)
class Link:
    subscription_id: int
    email: str
    call_id: int | None = None


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown purpose of a signed link: {purpose!r}.")
    return f"welfarelab.alerts.{purpose}"


def make(purpose: str, *, subscription_id: int, email: str, call_id: int | None = None) -> str:
    payload: dict[str, object] = {"s": subscription_id, "e": email}
    if call_id is not None:
        payload["c"] = call_id
    return signing.dumps(payload, salt=_salt(purpose), compress=True)


def read(purpose: str, token: str) -> Link:
    max_age = dt.timedelta(days=settings.WELFARELAB_ALERT_LINK_MAX_AGE_DAYS) if purpose == CONFIRM else None
    try:
        payload = signing.loads(token, salt=_salt(purpose), max_age=max_age)
        return Link(subscription_id=int(payload["s"]), email=str(payload["e"]), call_id=payload.get("c"))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink(token) from None
