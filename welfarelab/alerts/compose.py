"""The words of the alerts' messages: subject, plain-text body and headers, from templates.

Links are absolute (WELFARELAB_SITE_URL: tasks have no request to ask the host of). Every message to a
subscription carries its one-click unsubscribe link in the text and in the RFC 8058 headers
(List-Unsubscribe with List-Unsubscribe-Post), which mail programs show as an "Unsubscribe" button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from welfarelab.alerts import tokens
from welfarelab.alerts.models import NewsPost, Subscription
from welfarelab.calls.models import Call


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def absolute(path: str) -> str:
    return settings.WELFARELAB_SITE_URL.rstrip("/") + path


def link(name: str, purpose: str, subscription: Subscription, call: Call | None = None) -> str:
    token = tokens.make(
        purpose,
        subscription_id=subscription.pk,
        email=subscription.email,
        call_id=call.pk if call is not None else None,
    )
    return absolute(reverse(name, args=[token]))


def _render(template: str, owner: Subscription | None, **context: Any) -> Composed:
    """`owner`: the subscription whose manage and unsubscribe links the message carries (None: none)."""
    with translation.override(settings.LANGUAGE_CODE):
        if owner is not None:
            context["manage_url"] = link("alerts:manage", tokens.MANAGE, owner)
            context["unsubscribe_url"] = link("alerts:unsubscribe", tokens.UNSUBSCRIBE, owner)
        context["lab_name"] = settings.WELFARELAB_LAB_NAME
        text = render_to_string(f"alerts/email/{template}.txt", context)
    subject, _, body = text.strip().partition("\n")
    headers: dict[str, str] = {}
    if "unsubscribe_url" in context:
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return Composed(subject=subject.strip(), body=body.strip() + "\n", headers=headers)


def call_lines(subscription: Subscription | None, calls: list[Call]) -> list[dict[str, Any]]:
    return [
        {
            "call": call,
            "url": absolute(reverse("calls:detail", args=[call.pk])),
            "save_url": link("alerts:save-call", tokens.SAVE_CALL, subscription, call)
            if subscription
            else "",
            "mute_url": link("alerts:mute-call", tokens.MUTE_CALL, subscription, call)
            if subscription
            else "",
        }
        for call in calls
    ]


def confirmation(subscription: Subscription) -> Composed:
    # No unsubscribe link: there is nothing to leave yet, and ignoring the message is enough.
    return _render(
        "confirmation",
        None,
        subscription=subscription,
        confirm_url=link("alerts:confirm", tokens.CONFIRM, subscription),
        max_age_days=settings.WELFARELAB_ALERT_LINK_MAX_AGE_DAYS,
    )


def manage_link(subscription: Subscription) -> Composed:
    return _render("manage_link", subscription, subscription=subscription)


def digest(
    subscription: Subscription, *, new: list[Call], changed: list[Call], news: list[NewsPost]
) -> Composed:
    return _render(
        "digest",
        subscription,
        subscription=subscription,
        new=call_lines(subscription, new),
        changed=call_lines(subscription, changed),
        news=[
            {"post": post, "url": absolute(reverse("alerts:news-detail", args=[post.pk]))} for post in news
        ],
    )


def reminder(subscription: Subscription, call: Call, *, days: int) -> Composed:
    [line] = call_lines(subscription, [call])
    return _render("reminder", subscription, subscription=subscription, line=line, days=days)


def telegram_call(call: Call) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "alerts/telegram/call.txt",
            {"call": call, "url": absolute(reverse("calls:detail", args=[call.pk]))},
        ).strip()


def telegram_news(post: NewsPost) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "alerts/telegram/news.txt",
            {"post": post, "url": absolute(reverse("alerts:news-detail", args=[post.pk]))},
        ).strip()
