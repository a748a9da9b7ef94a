"""The API keeps the promises of its own OpenAPI document: statuses, content types, bodies.

Schemathesis reads /api/v1/openapi.json from the application in-process (WSGI, no server), generates
requests for every operation, valid and invalid, and checks each answer: never a 5xx, only documented
status codes and content types, bodies matching their schemas. It is kept small and deterministic
(a fixed number of examples, no example database, no shrinking) so CI stays fast and repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import AuthContext, Case
from schemathesis.checks import positive_data_acceptance

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    add_population,
    make_italy_slice,
)
from welfarelab.helpdesk.seed import knowledge_base_seed
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import Territory
from welfarelab.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(max_examples=15, deterministic=True, database="none", no_shrink=True)


CSRF_TOKEN = "c" * 32
# Cases are built (with their cookies) before the test's database exists: the key is fixed, and the
# `coordinator_session` fixture gives it to a real session in each test.
SESSION_KEY = "contract0test0coordinator0session"


@schema.auth(refresh_interval=None).apply_to(method="PATCH")
class CoordinatorSession:
    """Signs PATCH requests in as a lab coordinator (session cookie and CSRF token), so they reach the
    service instead of stopping at 401; schemathesis still checks that requests without it get 401."""

    def get(self, case: Case, ctx: AuthContext) -> str:
        return SESSION_KEY

    def set(self, case: Case, data: str, ctx: AuthContext) -> None:
        case.cookies = {
            **(case.cookies or {}),
            django_settings.SESSION_COOKIE_NAME: data,
            "csrftoken": CSRF_TOKEN,
        }
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}


@pytest.fixture
def coordinator_session(db: None) -> None:
    client = Client()
    client.force_login(UserFactory(is_lab_coordinator=True))
    Session.objects.filter(pk=client.session.session_key).update(session_key=SESSION_KEY)


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client does.

    The WSGI handler closes "old" connections when a request starts and finishes; inside the test's
    transaction that would close PostgreSQL's connection and lose the seeded rows.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db: None) -> None:
    """A few rows the generated requests can hit: comuni with and without residents, organisations."""
    italy = make_italy_slice()
    ambito = TerritoryFactory(kind=Territory.Kind.AMBITO, code="A1", name="Ambito 1", regione=italy["lazio"])
    italy["roma"].ambito = ambito
    italy["roma"].save(update_fields=["ambito"])
    for territory in (italy["italia"], italy["lazio"], italy["roma_provincia"], ambito, italy["roma"]):
        add_population(territory, year=2023)
    public = OrganisationFactory(
        name="Anffas Roma", territory=italy["roma"], website="https://anffas.example"
    )
    OrganisationFactory(
        kind=Organisation.Kind.COMUNE, legal_form="", name="Comune di Agliè", territory=italy["aglie"]
    )
    MembershipFactory(organisation=OrganisationFactory(is_public=False))
    assert public.pk is not None
    knowledge_base_seed()  # the help desk's articles, for /kb


@schema.parametrize()
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_matches_its_openapi_document(case, in_process_requests, seeded, coordinator_session):
    if case.method == "PATCH":
        # The model may refuse a value the schema allows (a legal form on a public body, an address
        # Django's validators find wrong): 422 is then the documented answer, not a broken contract.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate()
