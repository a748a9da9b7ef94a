"""The error bodies of API v1, its OpenAPI document and its offline documentation page."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.testing import TestClient

from welfarelab.api.v1.errors import FORBIDDEN, NOT_FOUND, install_error_handlers, validation_error_items

# A small API with the same handlers, whose endpoints raise what services and selectors raise.
errors_api = NinjaAPI(urls_namespace="errors-under-test")
install_error_handlers(errors_api)


@errors_api.get("/missing")
def missing(request):
    raise Http404


@errors_api.get("/refused")
def refused(request):
    raise PermissionDenied


@errors_api.get("/refused-with-reason")
def refused_with_reason(request):
    raise PermissionDenied("Only the coordinators may do this.")


@errors_api.get("/invalid-fields")
def invalid_fields(request):
    raise ValidationError(
        {
            "email": ValidationError("Enter a valid email address.", code="invalid"),
            "name": [
                ValidationError("Too long: at most %(limit)d.", code="max_length", params={"limit": 300})
            ],
        }
    )


@errors_api.get("/invalid-object")
def invalid_object(request):
    raise ValidationError("These two values contradict each other.", code="contradiction")


@pytest.fixture
def errors_client() -> TestClient:
    return TestClient(errors_api)


def test_http404_without_message_is_a_json_404(errors_client):
    response = errors_client.get("/missing")

    assert response.status_code == 404
    assert response.json() == {"detail": str(NOT_FOUND)}


def test_permission_denied_is_a_json_403(errors_client):
    assert errors_client.get("/refused").json() == {"detail": str(FORBIDDEN)}
    response = errors_client.get("/refused-with-reason")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the coordinators may do this."}


def test_django_validation_error_is_a_422_by_field(errors_client):
    response = errors_client.get("/invalid-fields")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "invalid", "loc": ["body", "email"], "msg": "Enter a valid email address."},
            {"type": "max_length", "loc": ["body", "name"], "msg": "Too long: at most 300."},
        ]
    }


def test_validation_error_of_a_whole_object_points_at_the_body():
    error = ValidationError("These two values contradict each other.", code="contradiction")

    assert validation_error_items(error) == [
        {"type": "contradiction", "loc": ["body"], "msg": "These two values contradict each other."}
    ]


@pytest.mark.django_db
def test_openapi_document_lists_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {path: sorted(operations) for path, operations in document["paths"].items()} == {
        "/api/v1/territories": ["get"],
        "/api/v1/territories/{kind}/{code}": ["get"],
        "/api/v1/territories/{kind}/{code}/profile": ["get"],
        "/api/v1/territories/{kind}/{code}/peers": ["get"],
        "/api/v1/organisations": ["get"],
        "/api/v1/organisations/{organisation_id}": ["get", "patch"],
        "/api/v1/organisations/{organisation_id}/matching-calls": ["get"],
        "/api/v1/calls": ["get"],
        "/api/v1/calls/{call_id}": ["get"],
        "/api/v1/practices": ["get"],
        "/api/v1/practices/{slug}": ["get"],
        "/api/v1/indicators": ["get"],
        "/api/v1/indicators/observations": ["post"],
        "/api/v1/indicators/{code}": ["get"],
        "/api/v1/indicators/{code}/values": ["get"],
        "/api/v1/kb/articles": ["get"],
        "/api/v1/kb/articles/{code}": ["get"],
        "/api/v1/kb/search": ["get"],
        "/api/v1/helpdesk/questions": ["get"],
        "/api/v1/helpdesk/questions/{reference}": ["get"],
    }
    assert sorted(document["paths"]["/api/v1/territories"]["get"]["responses"]["200"]["content"]) == [
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "text/csv",
    ]


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets(client):
    # when
    response = client.get("/api/v1/docs")
    # then: every asset is one of ninja's static files, present on disk; nothing from another host
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(assets) == [
        "/static/ninja/favicon.png",
        "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]
    assert all(finders.find(asset.removeprefix("/static/")) for asset in assets)
    assert "//" not in html.replace("http://www.w3.org", "")  # no scheme-relative or absolute URL
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call validator.swagger.io


@pytest.mark.django_db
def test_docs_page_carries_the_csrf_token_for_session_operations(client):
    response = client.get("/api/v1/docs")

    token = re.search(r'data-csrf-token="([^"]*)"', response.content.decode()).group(1)
    assert len(token) == 64  # a masked token, checked against the cookie the page sets
    assert 'data-api-csrf="true"' in response.content.decode()
    assert response.cookies["csrftoken"].value
