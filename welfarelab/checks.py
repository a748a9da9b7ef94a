"""System checks: turn a broken installation into a clear message at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

VENDORED_ASSETS = (
    "vendor/bootstrap-italia/css/bootstrap-italia.min.css",
    "vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js",
    "vendor/bootstrap-italia/svg/sprites.svg",
    "vendor/plotly/plotly.min.js",
)


@register(Tags.staticfiles)
def check_vendored_assets(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Bootstrap Italia and Plotly are copied from npm and the plotly wheel at set-up, never a CDN."""
    static_dir = settings.BASE_DIR / "welfarelab" / "static"
    missing = [asset for asset in VENDORED_ASSETS if not (static_dir / asset).exists()]
    if not missing:
        return []
    return [
        Warning(
            f"Front-end assets are missing: {', '.join(missing)}. Pages will look broken.",
            hint="Run `make vendor` (npm ci, then scripts/vendor_assets.py).",
            id="welfarelab.W001",
        )
    ]


@register(Tags.security)
def check_production_email(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """In production, password resets and invitations must leave the server."""
    if settings.PRODUCTION and settings.EMAIL_BACKEND.endswith(
        ("console.EmailBackend", "locmem.EmailBackend")
    ):
        return [
            Warning(
                "Email is printed on the console, not sent: password resets and invitations never arrive.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587.",
                id="welfarelab.W002",
            )
        ]
    return []
