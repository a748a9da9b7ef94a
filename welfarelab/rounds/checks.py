"""System checks of the rounds: the reminder schedule and the address the reminders link to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.compatibility)
def check_reminder_days(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    days = getattr(settings, "WELFARELAB_ROUND_REMINDER_DAYS", None)
    if isinstance(days, list | tuple) and all(isinstance(n, int) and n >= 0 for n in days):
        return []
    return [
        Error(
            f"WELFARELAB_ROUND_REMINDER_DAYS is {days!r}: it must be a list of whole numbers of days "
            "(0 or more) before a round's deadline.",
            hint="e.g. WELFARELAB_ROUND_REMINDER_DAYS=7,1 in the environment.",
            id="rounds.E001",
        )
    ]


@register(Tags.security)
def check_site_url(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """In production the reminders must link to the real site, not to localhost."""
    url = str(getattr(settings, "WELFARELAB_SITE_URL", ""))
    if settings.PRODUCTION and ("localhost" in url or "127.0.0.1" in url or not url.startswith("http")):
        return [
            Warning(
                f"WELFARELAB_SITE_URL is {url!r}: the links in the reminder emails will not work.",
                hint="Set WELFARELAB_SITE_URL to the site's address, e.g. https://welfare.example.it.",
                id="rounds.W001",
            )
        ]
    return []
