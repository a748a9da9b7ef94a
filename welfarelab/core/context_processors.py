from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Names and links every page shows in its header and footer."""
    return {
        "lab_name": settings.WELFARELAB_LAB_NAME,
        "owner_name": settings.WELFARELAB_OWNER_NAME,
        "accessibility_statement_url": settings.ACCESSIBILITY_STATEMENT_URL,
    }
