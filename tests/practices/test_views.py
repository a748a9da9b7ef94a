"""The pages: the list and its filters, one practice, the proposal form and its errors, the review."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.practices.conftest import PDF, event_actions
from welfarelab.practices.models import Practice, PracticeAttachment, PracticeEvent
from welfarelab.practices.services import practice_example_load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "practices:list"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(practice: Practice) -> str:
    return reverse("practices:detail", kwargs={"slug": practice.slug})


def form_data(orgs, **changes) -> dict[str, object]:
    """A complete proposal as the browser posts it, with empty rows as the form offers them."""
    data: dict[str, object] = {
        "title": "Taxi sociale",
        "summary": "Accompagnamento alle visite mediche per chi non guida.",
        "owner_organisation": str(orgs["aglie"].pk),
        "territory": "001001",
        "other_territories": "",
        "need_domains": ["invecchiamento_non_autosufficienza"],
        "start_year": "2021",
        "end_year": "",
        "problem": "Gli anziani senza auto non raggiungono l'ospedale.",
        "actions": "Volontari con un'auto del Comune accompagnano alle visite.",
        "resources": "",
        "total_cost": "12000",
        "funding_sources": ["comune"],
        "funding_notes": "",
        "results": "",
        "licence": "cc-by-4.0",
    }
    for prefix, rows in (("partners", 3), ("contacts", 2), ("evidence", 2), ("attachments", 2)):
        data.update({f"{prefix}-TOTAL_FORMS": str(rows), f"{prefix}-INITIAL_FORMS": "0"})
        if prefix == "partners":
            for number in range(rows):
                data[f"{prefix}-{number}-role"] = "partner"
    data.update(changes)
    return data


# ---- the list and one practice -------------------------------------------------------------------


def test_the_list_shows_only_published_practices(client, make_practice):
    published = make_practice(title="Portierato di comunità")
    hidden = make_practice(status=Practice.Status.PROPOSED, title="Proposta segreta")

    response = client.get(reverse(LIST))

    assert response.status_code == 200
    assert detail_url(published) in response.text
    assert hidden.title not in response.text
    assert "1 practice" in response.text


def test_the_list_filters_and_searches(client, make_practice, places, domains):
    aglie = make_practice(title="Portierato di comunità")
    roma = make_practice(
        title="Emporio solidale",
        territory=places["roma"],
        need_domains=[domains["poverta_inclusione"]],
        summary="Spesa a punti per le famiglie.",
        problem="Povertà.",
        actions="Un emporio.",
    )

    by_domain = client.get(reverse(LIST), {"need_domain": "poverta_inclusione"})
    by_size = client.get(reverse(LIST), {"size": "0-5000"})
    by_region = client.get(reverse(LIST), {"regione": "12"})
    by_words = client.get(reverse(LIST), {"q": "emporio famiglie"})
    bad = client.get(reverse(LIST), {"size": "enorme"})

    assert detail_url(roma) in by_domain.text and detail_url(aglie) not in by_domain.text
    assert detail_url(aglie) in by_size.text and detail_url(roma) not in by_size.text
    assert "2,121 residents" in by_size.text
    assert detail_url(roma) in by_region.text and detail_url(aglie) not in by_region.text
    assert detail_url(roma) in by_words.text and detail_url(aglie) not in by_words.text
    assert "<mark>" in by_words.text  # the matching words are marked in the snippet
    assert bad.status_code == 200 and "Correct the filters" in bad.text


def test_the_list_is_paginated(client, make_practice):
    for number in range(12):
        make_practice(title=f"Pratica {number:02d}")

    first = client.get(reverse(LIST))
    second = client.get(reverse(LIST), {"page": 2})

    assert first.text.count('class="wl-practice-card"') == 10
    assert second.text.count('class="wl-practice-card"') == 2


def test_a_practice_page_shows_its_parts_and_only_consenting_contacts(client, make_practice):
    practice = make_practice()

    response = client.get(detail_url(practice))

    assert response.status_code == 200
    text = response.text
    assert "<h1>Portierato di comunità</h1>" in text
    assert "Farmacia del paese" in text and "Associazione Ponte" in text
    assert "anna@example.org" in text
    assert "bruno@example.org" not in text  # no consent
    assert "CC BY 4.0" in text
    assert "History" not in text  # the workflow is for who handles it
    assert "Example — not a real practice" not in text


def test_an_example_says_it_is_not_real(client, content):
    example, _created = practice_example_load(data=content, slug="esempio-portierato")

    assert "Example — not a real practice" in client.get(detail_url(example)).text
    assert "Example — not a real practice" in client.get(reverse(LIST)).text


def test_unpublished_practices_are_404_for_the_public_and_other_members(client, people, make_practice):
    practice = make_practice(status=Practice.Status.PROPOSED)

    assert client.get(detail_url(practice)).status_code == 404
    assert signed_in(people["outsider"]).get(detail_url(practice)).status_code == 404
    own = signed_in(people["colleague"]).get(detail_url(practice))
    assert own.status_code == 200 and "not published yet" in own.text and "bruno@example.org" in own.text


def test_attachments_are_served_with_their_practice(client, people, content, make_practice):
    from welfarelab.practices import services

    practice = services.practice_propose(
        proposer=people["proposer"],
        data=content,
        attachments=[
            services.NewAttachment(title="Relazione", upload=SimpleUploadedFile("relazione.pdf", PDF))
        ],
    )
    attachment = practice.attachments.get()
    url = reverse("practices:attachment", kwargs={"slug": practice.slug, "pk": attachment.pk})

    assert client.get(url).status_code == 404  # not published yet
    services.practice_start_review(practice=practice, reviewer=people["reviewer"])
    services.practice_publish(practice=practice, reviewer=people["reviewer"])
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="relazione.pdf"'
    assert b"".join(response.streaming_content) == PDF
    assert "sandbox" in response["Content-Security-Policy"]  # never a page of the site, even if it were HTML
    other = make_practice(title="Altra")
    assert (
        client.get(
            reverse("practices:attachment", kwargs={"slug": other.slug, "pk": attachment.pk})
        ).status_code
        == 404
    )


# ---- proposing -----------------------------------------------------------------------------------


def test_proposing_needs_a_login_and_a_member_who_may_propose(client, people):
    url = reverse("practices:propose")

    assert client.get(url).status_code == 302
    assert signed_in(people["viewer"]).get(url).status_code == 403
    page = signed_in(people["proposer"]).get(url)
    assert page.status_code == 200
    assert 'value="001001"' in page.text  # the territory of its only organisation, filled in


def test_a_member_proposes_a_practice_through_the_form(people, domains, orgs):
    client = signed_in(people["proposer"])
    data = form_data(
        orgs,
        **{
            "partners-0-kind": "",
            "partners-0-tax_code": "97000000019",  # in the directory: name and kind come from it
            "partners-1-kind": "volontari",
            "partners-1-name": "Auser del paese",
            "contacts-0-name": "Anna Verdi",
            "contacts-0-email": "anna@example.org",
            "contacts-0-consent": "on",
            "attachments-0-title": "Relazione",
            "attachments-0-file": SimpleUploadedFile("relazione.pdf", PDF),
            "attachments-1-title": "Delibera",
            "attachments-1-url": "www.comune.example.it/delibera",
        },
    )

    response = client.post(reverse("practices:propose"), data)

    practice = Practice.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(practice)
    assert (practice.status, practice.owner_organisation, practice.territory.code) == (
        "proposed",
        orgs["aglie"],
        "001001",
    )
    assert [(p.name, p.kind, p.role) for p in practice.partners.all()] == [
        ("Comune di Agliè", "ente_pubblico", "promoter"),
        ("Associazione Ponte", "ets", "partner"),
        ("Auser del paese", "volontari", "partner"),
    ]
    assert [(c.name, c.consent) for c in practice.contacts.all()] == [("Anna Verdi", True)]
    assert sorted(practice.attachments.values_list("kind", "url")) == [
        ("link", "https://www.comune.example.it/delibera"),
        ("pdf", ""),
    ]
    assert event_actions(practice) == [("submitted", "", "proposed")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"need_domains": []}, "This field is required."),
        ({"territory": "Atlantide"}, "No comune, ambito, provincia or regione is called “Atlantide”"),
        (
            {"territory": "Roma"},
            "Several territories are called “Roma”: write the code of yours (058091 Roma",
        ),
        ({"territory": "999999"}, "No Municipality has the code “999999”."),
        ({"start_year": "2023", "end_year": "2020"}, "The last year cannot come before the first year."),
        (
            {"partners-0-tax_code": "00000000000"},
            "No organisation in the directory has the tax code 00000000000",
        ),
        ({"partners-0-contribution": "Presta l'auto."}, "Give the partner&#x27;s name"),
        ({"contacts-0-name": "Anna"}, "Give an email address or a phone number."),
        ({"evidence-0-note": "Prima e dopo"}, "Choose the indicator and give the periods before and after."),
        ({"owner_organisation": "999"}, "Select a valid choice."),
    ],
)
def test_a_wrong_proposal_says_what_is_wrong_and_writes_nothing(people, domains, orgs, changes, expected):
    response = signed_in(people["proposer"]).post(reverse("practices:propose"), form_data(orgs, **changes))

    assert response.status_code == 200
    assert expected in response.text
    assert "The practice is not saved" in response.text
    assert Practice.objects.count() == 0 and PracticeEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("virus.exe", b"MZ\x90\x00", "“virus.exe” is not a PDF or an image"),
        ("falso.pdf", b"GIF89a....", "“falso.pdf” is not really a PDF file"),
    ],
)
def test_a_wrong_attachment_in_the_form_refuses_the_proposal(
    people, domains, orgs, settings, name, payload, expected
):
    from pathlib import Path

    data = form_data(
        orgs, **{"attachments-0-title": "Allegato", "attachments-0-file": SimpleUploadedFile(name, payload)}
    )

    response = signed_in(people["proposer"]).post(reverse("practices:propose"), data)

    assert response.status_code == 200 and expected in response.text
    assert Practice.objects.count() == 0 and PracticeAttachment.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_an_oversized_attachment_in_the_form_refuses_the_proposal(people, domains, orgs, settings):
    from welfarelab.practices.attachments import MAX_ATTACHMENT_BYTES

    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    data = form_data(orgs, **{"attachments-0-title": "Grande", "attachments-0-file": big})

    response = signed_in(people["proposer"]).post(reverse("practices:propose"), data)

    assert "an attachment may be at most 10 MB" in response.text
    assert Practice.objects.count() == 0 and PracticeAttachment.objects.count() == 0


def test_a_coordinator_proposes_without_an_organisation(people, domains, orgs):
    response = signed_in(people["coordinator"]).post(
        reverse("practices:propose"), form_data(orgs, owner_organisation="")
    )

    practice = Practice.objects.get()
    assert response.status_code == 302
    assert (practice.owner_organisation, practice.submitted_by) == (None, people["coordinator"])


def test_your_proposals_lists_those_of_your_organisations(people, make_practice):
    practice = make_practice(status=Practice.Status.RETURNED)

    mine = signed_in(people["colleague"]).get(reverse("practices:mine"))
    theirs = signed_in(people["outsider"]).get(reverse("practices:mine"))

    assert detail_url(practice) in mine.text and "Returned with comments" in mine.text
    assert detail_url(practice) not in theirs.text


def test_editing_a_returned_practice_and_proposing_it_again(people, domains, orgs, make_practice):
    practice = make_practice(status=Practice.Status.RETURNED)
    client = signed_in(people["proposer"])
    page = client.get(reverse("practices:update", kwargs={"slug": practice.slug}))
    assert page.status_code == 200 and 'value="Portierato di comunità"' in page.text

    response = client.post(
        reverse("practices:update", kwargs={"slug": practice.slug}),
        form_data(orgs, title="Portierato di comunità (rivisto)", resubmit="1"),
    )

    practice.refresh_from_db()
    assert response.status_code == 302
    assert (practice.title, practice.status, practice.slug) == (
        "Portierato di comunità (rivisto)",
        "proposed",
        "portierato-di-comunita",
    )
    assert [a for a, _f, _t in event_actions(practice)][-2:] == ["edited", "resubmitted"]


def test_a_published_practice_cannot_be_edited(people, make_practice):
    practice = make_practice()
    client = signed_in(people["proposer"])

    response = client.get(reverse("practices:update", kwargs={"slug": practice.slug}))

    assert response.status_code == 302 and response["Location"] == detail_url(practice)
    assert (
        signed_in(people["outsider"])
        .get(reverse("practices:update", kwargs={"slug": practice.slug}))
        .status_code
        == 403
    )


# ---- review --------------------------------------------------------------------------------------


def test_the_review_queue_is_for_reviewers(client, people, make_practice):
    waiting = make_practice(status=Practice.Status.PROPOSED)
    make_practice(title="Già pubblicata")
    url = reverse("practices:review-queue")

    assert client.get(url).status_code == 302
    assert signed_in(people["proposer"]).get(url).status_code == 403
    queue = signed_in(people["reviewer"]).get(url)
    assert queue.status_code == 200
    assert detail_url(waiting) in queue.text and "Già pubblicata" not in queue.text
    assert "1 practice waiting" in queue.text


def test_a_reviewer_starts_the_review_and_publishes(people, make_practice):
    practice = make_practice(status=Practice.Status.PROPOSED)
    client = signed_in(people["reviewer"])
    page = client.get(detail_url(practice))
    assert "Start the review" in page.text

    client.post(reverse("practices:start-review", kwargs={"slug": practice.slug}))
    page = client.get(detail_url(practice))
    assert "Approve and publish" in page.text
    client.post(
        reverse("practices:decide", kwargs={"slug": practice.slug}), {"decision": "publish", "comment": ""}
    )

    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED
    assert Client().get(detail_url(practice)).status_code == 200


def test_returning_needs_a_comment(people, make_practice):
    practice = make_practice(status=Practice.Status.IN_REVIEW)
    client = signed_in(people["reviewer"])
    url = reverse("practices:decide", kwargs={"slug": practice.slug})

    client.post(url, {"decision": "return", "comment": ""})
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.IN_REVIEW
    client.post(url, {"decision": "return", "comment": "Aggiungete i costi."})

    practice.refresh_from_db()
    assert practice.status == Practice.Status.RETURNED
    proposer_page = signed_in(people["proposer"]).get(detail_url(practice))
    assert "Aggiungete i costi." in proposer_page.text and "Propose it again" in proposer_page.text


@pytest.mark.parametrize("role", ["proposer", "outsider", "university_viewer"])
def test_who_may_not_review_gets_403_and_nothing_changes(people, make_practice, role):
    practice = make_practice(status=Practice.Status.IN_REVIEW)
    before = PracticeEvent.objects.count()
    client = signed_in(people[role])

    decide = client.post(reverse("practices:decide", kwargs={"slug": practice.slug}), {"decision": "publish"})

    assert decide.status_code in (403, 404)  # 404 for who may not even see it
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.IN_REVIEW
    assert PracticeEvent.objects.count() == before
