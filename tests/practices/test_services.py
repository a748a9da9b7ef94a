"""The writes: proposing, editing, every step of the review, and attachments that are refused whole."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.practices.conftest import PDF, PNG, event_actions
from welfarelab.practices import services
from welfarelab.practices.attachments import MAX_ATTACHMENT_BYTES
from welfarelab.practices.models import (
    Practice,
    PracticeAttachment,
    PracticeContact,
    PracticeEvent,
    PracticePartner,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_written() -> tuple[int, int, int, int]:
    return (
        Practice.objects.count(),
        PracticePartner.objects.count(),
        PracticeEvent.objects.count(),
        PracticeAttachment.objects.count(),
    )


# ---- proposing -----------------------------------------------------------------------------------


def test_a_proposal_is_stored_as_proposed_with_its_parts_and_an_event(people, content, orgs):
    practice = services.practice_propose(proposer=people["proposer"], data=content)

    assert practice.status == Practice.Status.PROPOSED
    assert practice.slug == "portierato-di-comunita"
    assert practice.submitted_by == people["proposer"]
    assert practice.submitted_at is not None and practice.published_at is None
    assert practice.licence == Practice.Licence.CC_BY_4
    # The proposing organisation comes first among the promoters; partners keep their order.
    assert [(p.name, p.role, p.kind, p.organisation_id) for p in practice.partners.all()] == [
        ("Comune di Agliè", "promoter", "ente_pubblico", orgs["aglie"].pk),
        ("Associazione Ponte", "partner", "ets", orgs["ets"].pk),
        ("Farmacia del paese", "partner", "sanita", None),
    ]
    assert set(practice.organisations.all()) == {orgs["aglie"], orgs["ets"]}
    assert [c.name for c in practice.contacts.all()] == ["Anna Verdi", "Bruno Neri"]
    assert event_actions(practice) == [("submitted", "", "proposed")]
    assert PracticeEvent.objects.get(practice=practice).actor == people["proposer"]


def test_slugs_are_unique_and_never_the_name_of_a_page(people, content):
    first = services.practice_propose(proposer=people["proposer"], data=content)
    second = services.practice_propose(proposer=people["proposer"], data=content)
    reserved = services.practice_propose(proposer=people["proposer"], data=replace(content, title="Proponi"))

    assert (first.slug, second.slug, reserved.slug) == (
        "portierato-di-comunita",
        "portierato-di-comunita-2",
        "proponi-pratica",
    )


@pytest.mark.parametrize("role", ["anonymous", "viewer", "university_viewer"])
def test_who_may_not_propose_writes_nothing(people, content, role):
    with pytest.raises(PermissionDenied):
        services.practice_propose(proposer=people[role], data=content)
    assert nothing_written() == (0, 0, 0, 0)


def test_a_member_proposes_only_for_its_own_organisations(people, content, orgs):
    with pytest.raises(ValidationError) as refused:
        services.practice_propose(proposer=people["outsider"], data=content)  # owner: Comune di Agliè

    assert refused.value.message_dict == {"owner_organisation": [str(services.NOT_YOUR_ORGANISATION)]}
    assert nothing_written() == (0, 0, 0, 0)


def test_every_error_of_the_content_is_reported_at_once_and_nothing_is_written(people, content, orgs):
    bad = replace(
        content,
        title="",
        need_domains=[],
        start_year=2023,
        end_year=2020,
        funding_sources=["comune", "lotteria"],
        partners=[
            services.PartnerData(name="A", kind="ets", organisation=orgs["ets"]),
            services.PartnerData(name="B", kind="ets", organisation=orgs["ets"]),
        ],
        contacts=[services.ContactData(name="C", email="not an address")],
    )

    with pytest.raises(ValidationError) as refused:
        services.practice_propose(proposer=people["proposer"], data=bad)

    errors = refused.value.message_dict
    assert errors["title"] == ["This field cannot be blank."]
    assert errors["need_domains"] == [str(services.NEEDS_A_DOMAIN)]
    assert errors["__all__"] == ["The last year cannot come before the first year."]
    assert errors["funding_sources"] == ["Unknown funding source(s): lotteria."]
    assert errors["partners"] == ["Row 2: Associazione Ponte is listed twice."]
    assert errors["contacts"] == ["Row 1: Enter a valid email address."]
    assert nothing_written() == (0, 0, 0, 0)


def test_evidence_needs_the_period_after_to_follow_the_one_before(people, content, places):
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="anziani_soli")
    bad = replace(
        content,
        evidence=[
            services.EvidenceData(
                indicator=indicator, territory=places["aglie"], period_before=2023, period_after=2021
            )
        ],
    )

    with pytest.raises(ValidationError) as refused:
        services.practice_propose(proposer=people["proposer"], data=bad)

    assert refused.value.message_dict["evidence"] == [
        "Row 1: The period after must come after the period before."
    ]
    assert nothing_written() == (0, 0, 0, 0)


# ---- the workflow --------------------------------------------------------------------------------


def test_proposed_then_reviewed_then_published_each_step_recorded(people, make_practice):
    practice = make_practice(status=Practice.Status.PROPOSED)

    services.practice_start_review(practice=practice, reviewer=people["reviewer"])
    services.practice_publish(practice=practice, reviewer=people["reviewer"], comment="Chiara e completa.")

    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED
    assert practice.reviewer == people["reviewer"]
    assert practice.published_at is not None
    assert event_actions(practice) == [
        ("submitted", "", "proposed"),
        ("review_started", "proposed", "in_review"),
        ("published", "in_review", "published"),
    ]
    last = PracticeEvent.objects.filter(practice=practice).last()
    assert (last.actor, last.comment) == (people["reviewer"], "Chiara e completa.")


def test_returned_with_comments_then_edited_and_proposed_again(people, make_practice, content):
    practice = make_practice(status=Practice.Status.IN_REVIEW)

    with pytest.raises(ValidationError):
        services.practice_return(practice=practice, reviewer=people["reviewer"], comment="  ")
    services.practice_return(practice=practice, reviewer=people["reviewer"], comment="Add the costs.")
    services.practice_update(
        practice=practice, changed_by=people["colleague"], data=replace(content, resources="Due volontari.")
    )
    services.practice_resubmit(practice=practice, by=people["proposer"])

    practice.refresh_from_db()
    assert (practice.status, practice.resources) == (Practice.Status.PROPOSED, "Due volontari.")
    assert event_actions(practice) == [
        ("submitted", "", "proposed"),
        ("review_started", "proposed", "in_review"),
        ("returned", "in_review", "returned"),
        ("edited", "returned", "returned"),
        ("resubmitted", "returned", "proposed"),
    ]
    assert PracticeEvent.objects.get(practice=practice, action="returned").comment == "Add the costs."


@pytest.mark.parametrize("role", ["proposer", "outsider", "university_viewer", "anonymous"])
def test_who_is_not_a_reviewer_cannot_take_any_step(people, make_practice, role):
    practice = make_practice(status=Practice.Status.PROPOSED)
    in_review = make_practice(status=Practice.Status.IN_REVIEW, title="In revisione")
    before = PracticeEvent.objects.count()

    with pytest.raises(PermissionDenied):
        services.practice_start_review(practice=practice, reviewer=people[role])
    with pytest.raises(PermissionDenied):
        services.practice_publish(practice=in_review, reviewer=people[role])
    with pytest.raises(PermissionDenied):
        services.practice_return(practice=in_review, reviewer=people[role], comment="No.")

    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PROPOSED
    assert Practice.objects.get(pk=in_review.pk).status == Practice.Status.IN_REVIEW
    assert PracticeEvent.objects.count() == before


def test_a_partner_institution_taking_part_cannot_review(people, make_practice, orgs):
    practice = make_practice(status=Practice.Status.PROPOSED)
    practice.partners.create(name="Università", kind="universita", organisation=orgs["university"])

    with pytest.raises(PermissionDenied) as refused:
        services.practice_start_review(practice=practice, reviewer=people["reviewer"])

    assert str(refused.value) == str(services.permissions.OWN_PRACTICE)
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PROPOSED


def test_steps_out_of_order_are_refused_and_record_nothing(people, make_practice):
    proposed = make_practice(status=Practice.Status.PROPOSED)
    published = make_practice(status=Practice.Status.PUBLISHED, title="Pubblicata")
    before = PracticeEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.practice_publish(practice=proposed, reviewer=people["reviewer"])  # not in review yet
    with pytest.raises(ValidationError):
        services.practice_start_review(practice=published, reviewer=people["reviewer"])
    with pytest.raises(ValidationError):
        services.practice_resubmit(practice=proposed, by=people["proposer"])

    assert refused.value.messages == ["This practice is “Proposed”: it cannot be published now."]
    assert PracticeEvent.objects.count() == before
    assert Practice.objects.get(pk=proposed.pk).status == Practice.Status.PROPOSED


def test_a_stale_copy_cannot_publish_twice(people, make_practice):
    practice = make_practice(status=Practice.Status.IN_REVIEW)
    stale = Practice.objects.get(pk=practice.pk)
    services.practice_return(practice=practice, reviewer=people["reviewer"], comment="Manca il costo.")

    with pytest.raises(ValidationError):
        services.practice_publish(practice=stale, reviewer=people["coordinator"])  # read again, locked

    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.RETURNED


def test_content_changes_only_while_proposed_or_returned(people, make_practice, content):
    practice = make_practice(status=Practice.Status.PUBLISHED)

    with pytest.raises(ValidationError):
        services.practice_update(
            practice=practice, changed_by=people["proposer"], data=replace(content, title="X")
        )
    with pytest.raises(PermissionDenied):
        services.practice_update(
            practice=make_practice(status=Practice.Status.PROPOSED, title="Altra"),
            changed_by=people["outsider"],
            data=content,
        )

    assert Practice.objects.get(pk=practice.pk).title == "Portierato di comunità"


def test_a_coordinator_withdraws_a_published_practice_with_a_reason(people, make_practice):
    practice = make_practice(status=Practice.Status.PUBLISHED)

    with pytest.raises(PermissionDenied):
        services.practice_withdraw(practice=practice, by=people["reviewer"], comment="Dati errati.")
    services.practice_withdraw(practice=practice, by=people["coordinator"], comment="Dati errati.")

    practice.refresh_from_db()
    assert (practice.status, practice.published_at) == (Practice.Status.RETURNED, None)
    assert event_actions(practice)[-1] == ("withdrawn", "published", "returned")


def test_the_edit_keeps_the_slug_and_replaces_the_rows(people, make_practice, content):
    practice = make_practice(status=Practice.Status.PROPOSED)

    services.practice_update(
        practice=practice,
        changed_by=people["proposer"],
        data=replace(
            content,
            title="Nuovo titolo",
            partners=[],
            contacts=[services.ContactData(name="Solo io", phone="011 1")],
        ),
    )

    practice.refresh_from_db()
    assert (practice.title, practice.slug) == ("Nuovo titolo", "portierato-di-comunita")
    assert [p.name for p in practice.partners.all()] == [
        "Comune di Agliè"
    ]  # the proposing organisation stays
    assert list(PracticeContact.objects.filter(practice=practice).values_list("name", flat=True)) == [
        "Solo io"
    ]


# ---- attachments ---------------------------------------------------------------------------------


def test_a_pdf_and_an_image_are_stored_under_random_names_and_a_link_as_a_link(people, content, settings):
    attachments = [
        services.NewAttachment(title="Relazione", upload=SimpleUploadedFile("relazione finale.PDF", PDF)),
        services.NewAttachment(title="Foto", upload=SimpleUploadedFile("foto.png", PNG)),
        services.NewAttachment(title="Delibera", url="https://www.comune.example.it/delibera.html"),
    ]

    practice = services.practice_propose(proposer=people["proposer"], data=content, attachments=attachments)

    rows = list(practice.attachments.order_by("pk"))
    assert [(a.title, a.kind, a.content_type, a.size, a.original_name) for a in rows] == [
        ("Relazione", "pdf", "application/pdf", len(PDF), "relazione finale.PDF"),
        ("Foto", "image", "image/png", len(PNG), "foto.png"),
        ("Delibera", "link", "", None, ""),
    ]
    assert rows[0].file.name.startswith(f"practices/{practice.pk}/") and rows[0].file.name.endswith(".pdf")
    assert "relazione" not in rows[0].file.name
    assert [p.read_bytes() for p in stored_files(settings)] in ([PDF, PNG], [PNG, PDF])


@pytest.mark.parametrize(
    ("name", "content_bytes", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "“script.exe” is not a PDF or an image (PNG, JPEG, WebP)"),
        ("disegno.svg", b"<svg onload='alert(1)'/>", "“disegno.svg” is not a PDF or an image"),
        ("finto.pdf", b"<html><script>alert(1)</script>", "“finto.pdf” is not really a PDF file"),
        ("vuoto.pdf", b"", "“vuoto.pdf” is empty."),
    ],
)
def test_a_wrong_attachment_refuses_the_whole_proposal_and_stores_nothing(
    people, content, settings, name, content_bytes, message
):
    attachments = [
        services.NewAttachment(title="Buono", upload=SimpleUploadedFile("buono.pdf", PDF)),
        services.NewAttachment(title="Cattivo", upload=SimpleUploadedFile(name, content_bytes)),
    ]

    with pytest.raises(ValidationError) as refused:
        services.practice_propose(proposer=people["proposer"], data=content, attachments=attachments)

    assert any(text.startswith(message) for text in refused.value.message_dict["attachments"])
    assert nothing_written() == (0, 0, 0, 0)
    assert stored_files(settings) == []


def test_an_oversized_attachment_is_refused_before_it_is_read(people, content, settings):
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF) + 1))

    with pytest.raises(ValidationError) as refused:
        services.practice_propose(
            proposer=people["proposer"],
            data=content,
            attachments=[services.NewAttachment(title="Grande", upload=big)],
        )

    assert refused.value.message_dict["attachments"] == [
        "“grande.pdf” is 10.0 MB: an attachment may be at most 10 MB."
    ]
    assert nothing_written() == (0, 0, 0, 0)
    assert stored_files(settings) == []


def test_an_attachment_title_too_long_is_refused_before_any_file_is_stored(people, content, settings):
    attachments = [
        services.NewAttachment(title="Relazione", upload=SimpleUploadedFile("r.pdf", PDF)),
        services.NewAttachment(title="R" * 201, upload=SimpleUploadedFile("s.pdf", PDF)),
    ]

    with pytest.raises(ValidationError) as refused:
        services.practice_propose(proposer=people["proposer"], data=content, attachments=attachments)

    assert refused.value.message_dict["attachments"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert nothing_written() == (0, 0, 0, 0)
    assert stored_files(settings) == []


def test_removing_an_attachment_deletes_its_file(
    people, content, settings, django_capture_on_commit_callbacks
):
    practice = services.practice_propose(
        proposer=people["proposer"],
        data=content,
        attachments=[services.NewAttachment(title="Relazione", upload=SimpleUploadedFile("r.pdf", PDF))],
    )
    attachment = practice.attachments.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.practice_update(
            practice=practice,
            changed_by=people["proposer"],
            data=content,
            removed_attachment_ids=[attachment.pk],
        )

    assert practice.attachments.count() == 0
    assert stored_files(settings) == []
