"""The interactive documentation page (`/api/v1/docs`): ninja's Swagger UI, offline and CSRF-aware."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger


class OfflineSwagger(Swagger):
    """Swagger UI from ninja's own static files, never a CDN (ninja is in INSTALLED_APPS).

    Two changes to ninja's page: the online validator badge is off (Swagger UI would call
    validator.swagger.io), and the page always carries the CSRF token, so that "Try it out" works for
    operations with session authentication (ninja adds it only when the whole API requires a login).
    """

    def __init__(self) -> None:
        super().__init__(settings={"validatorUrl": None})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)
