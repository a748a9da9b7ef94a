"""organisation_update: what it writes, and that a refusal writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.accounts.models import Membership
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.services import FIELD_NOT_EDITABLE, organisation_update

pytestmark = pytest.mark.django_db


def snapshot(organisation: Organisation) -> dict:
    organisation.refresh_from_db()
    return {f.attname: getattr(organisation, f.attname) for f in Organisation._meta.concrete_fields}


@pytest.fixture
def editor():
    return MembershipFactory(role=Membership.Role.EDITOR, organisation__name="Associazione Primavera")


def test_update_writes_the_given_fields_and_refolds_the_name(editor):
    organisation = editor.organisation

    organisation_update(
        organisation=organisation,
        changed_by=editor.user,
        data={
            "name": "  Associazione Forlì Primavera ",
            "website": "https://primavera.example.it",
            "runts_id": "123",
        },
    )

    organisation.refresh_from_db()
    assert organisation.name == "Associazione Forlì Primavera"
    assert organisation.name_folded == "associazione forli primavera"
    assert organisation.website == "https://primavera.example.it"
    assert organisation.runts_id == "123"


def test_update_with_nothing_different_writes_nothing(editor):
    organisation = editor.organisation
    before = snapshot(organisation)
    with CaptureQueriesContext(connection) as queries:
        organisation_update(
            organisation=organisation, changed_by=editor.user, data={"name": organisation.name}
        )
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert snapshot(organisation) == before


def test_update_by_a_viewer_is_refused_and_writes_nothing():
    viewer = MembershipFactory(role=Membership.Role.VIEWER)
    before = snapshot(viewer.organisation)
    with pytest.raises(PermissionDenied):
        organisation_update(
            organisation=viewer.organisation, changed_by=viewer.user, data={"name": "Nuovo nome"}
        )
    assert snapshot(viewer.organisation) == before


def test_update_refuses_fields_that_are_not_for_editors(editor):
    organisation = editor.organisation
    before = snapshot(organisation)
    with pytest.raises(ValidationError) as refused:
        organisation_update(
            organisation=organisation,
            changed_by=editor.user,
            data={"name": "X", "is_public": False, "tax_code": "1"},
        )
    assert refused.value.message_dict == {"is_public": [FIELD_NOT_EDITABLE], "tax_code": [FIELD_NOT_EDITABLE]}
    assert snapshot(organisation) == before


def test_a_legal_form_for_a_comune_is_refused_and_the_instance_is_restored():
    comune = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Agliè")
    coordinator = UserFactory(is_lab_coordinator=True)
    before = snapshot(comune)

    with pytest.raises(ValidationError):
        organisation_update(
            organisation=comune, changed_by=coordinator, data={"legal_form": "odv", "name": "Agliè"}
        )

    assert (comune.name, comune.legal_form) == ("Comune di Agliè", "")  # the caller's copy too
    assert snapshot(comune) == before


def test_an_invalid_email_is_refused_by_field(editor):
    with pytest.raises(ValidationError) as refused:
        organisation_update(
            organisation=editor.organisation, changed_by=editor.user, data={"email": "not-an-email"}
        )
    assert list(refused.value.message_dict) == ["email"]


def test_a_public_body_cannot_get_a_runts_number():
    coordinator = UserFactory(is_lab_coordinator=True)
    comune = OrganisationFactory(kind=Organisation.Kind.COMUNE)
    before = snapshot(comune)

    with pytest.raises(ValidationError) as refused:
        organisation_update(organisation=comune, changed_by=coordinator, data={"runts_id": "R-123"})

    assert "runts_id" in refused.value.message_dict
    assert snapshot(comune) == before
