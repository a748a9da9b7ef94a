"""Who may propose, review, change and see a practice: one test per role (permissions.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from welfarelab.practices import permissions, selectors
from welfarelab.practices.models import Practice

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "proposer",
    "colleague",
    "viewer",
    "reviewer",
    "csv_reviewer",
    "university_viewer",
    "outsider",
    "coordinator",
)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("proposer", True),
        ("colleague", True),
        ("viewer", False),  # a viewer acts for nobody
        ("reviewer", True),
        ("csv_reviewer", True),
        ("university_viewer", False),
        ("outsider", True),
        ("coordinator", True),
    ],
)
def test_who_may_propose(people, role, expected):
    assert permissions.may_propose(people[role]) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("proposer", False),  # a comune is not a partner institution
        ("colleague", False),
        ("viewer", False),
        ("reviewer", True),  # editor of a university
        ("csv_reviewer", True),  # editor of a volunteer service centre
        ("university_viewer", False),  # a viewer of a university does not review
        ("outsider", False),
        ("coordinator", True),
    ],
)
def test_who_reviews_practices(people, role, expected):
    assert permissions.may_review(people[role]) is expected


def test_a_training_body_reviews_too(people, orgs):
    from tests.factories import MembershipFactory, OrganisationFactory
    from welfarelab.organisations.models import Organisation

    body = OrganisationFactory(kind=Organisation.Kind.TRAINING_BODY, legal_form="")
    trainer = MembershipFactory(organisation=body).user
    other = MembershipFactory(
        organisation=OrganisationFactory(kind=Organisation.Kind.OTHER, legal_form="")
    ).user

    assert permissions.may_review(trainer) is True
    assert permissions.may_review(other) is False


def test_nobody_reviews_a_practice_they_took_part_in(people, orgs, make_practice):
    from tests.factories import MembershipFactory

    practice = make_practice(status=Practice.Status.PROPOSED)
    # An editor of the university that is a partner of the practice.
    practice.partners.create(name=orgs["university"].name, kind="universita", organisation=orgs["university"])
    partner_reviewer = people["reviewer"]
    csv_reviewer = people["csv_reviewer"]
    # A coordinator who is also an editor of the proposing comune may still review: only their own
    # submissions are refused.
    coordinator = people["coordinator"]
    MembershipFactory(organisation=orgs["aglie"], user=coordinator)

    assert permissions.may_review_practice(partner_reviewer, practice) is False
    assert permissions.may_review_practice(csv_reviewer, practice) is True
    assert permissions.may_review_practice(coordinator, practice) is True
    assert permissions.may_review_practice(people["proposer"], practice) is False


def test_a_coordinator_does_not_review_what_they_proposed(people, content):
    from welfarelab.practices import services

    practice = services.practice_propose(proposer=people["coordinator"], data=content)

    assert permissions.may_review_practice(people["coordinator"], practice) is False
    assert permissions.may_review_practice(people["reviewer"], practice) is True


@pytest.mark.parametrize(
    ("role", "proposed", "published"),
    [
        ("anonymous", False, False),
        ("proposer", True, False),
        ("colleague", True, False),  # an admin of the proposing organisation
        ("viewer", False, False),
        ("reviewer", False, False),  # reviewers decide; they do not rewrite
        ("outsider", False, False),
        ("coordinator", True, False),
    ],
)
def test_who_may_change_a_practice_and_when(people, make_practice, role, proposed, published):
    assert (
        permissions.may_change_practice(people[role], make_practice(status=Practice.Status.PROPOSED))
        is proposed
    )
    assert (
        permissions.may_change_practice(people[role], make_practice(status=Practice.Status.PUBLISHED))
        is published
    )


@pytest.mark.parametrize(
    ("role", "sees_unpublished"),
    [
        ("anonymous", False),
        ("proposer", True),
        ("colleague", True),
        ("viewer", False),
        ("reviewer", True),
        ("csv_reviewer", True),
        ("university_viewer", False),
        ("outsider", False),
        ("coordinator", True),
    ],
)
def test_an_unpublished_practice_is_404_for_whoever_may_not_see_it(
    people, make_practice, role, sees_unpublished
):
    published = make_practice(status=Practice.Status.PUBLISHED, title="Pubblicata")
    for status in (Practice.Status.PROPOSED, Practice.Status.IN_REVIEW, Practice.Status.RETURNED):
        practice = make_practice(status=status, title=f"Pratica {status}")
        if sees_unpublished:
            assert selectors.practice_get(user=people[role], slug=practice.slug) == practice
        else:
            with pytest.raises(Http404):
                selectors.practice_get(user=people[role], slug=practice.slug)
    assert selectors.practice_get(user=people[role], slug=published.slug) == published
