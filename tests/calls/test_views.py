"""The catalogue's pages: list with filters and search, a call's page, editors' forms and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from tests.calls.conftest import CallFactory
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from welfarelab.calls.models import Call, CallChange, OrganisationProfile

pytestmark = pytest.mark.django_db


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def catalogue(places):
    youth = CallFactory(
        title="Giovani protagonisti",
        themes=["politiche-giovanili"],
        applicants=["aps", "odv"],
        places=[places["lombardia"]],
    )
    health = CallFactory(
        title="Salute di comunità",
        themes=["salute"],
        applicants=["comune"],
        closes_at=_now() + dt.timedelta(days=5),
        max_grant=50000,
    )
    closed = CallFactory(
        title="Bando passato",
        opens_at=_now() - dt.timedelta(days=90),
        closes_at=_now() - dt.timedelta(days=1),
    )
    upcoming = CallFactory(
        title="Bando futuro",
        opens_at=_now() + dt.timedelta(days=10),
        closes_at=_now() + dt.timedelta(days=60),
    )
    veneto = CallFactory(title="Solo Veneto", applicants=["aps"], places=[places["padova_provincia"]])
    return {"youth": youth, "health": health, "closed": closed, "upcoming": upcoming, "veneto": veneto}


def _titles(response) -> list[str]:
    return [call.title for call in response.context["page"].object_list]


def test_the_list_shows_open_and_upcoming_calls_by_deadline(client, catalogue):
    response = client.get(reverse("calls:list"))

    assert response.status_code == 200
    assert _titles(response) == ["Salute di comunità", "Giovani protagonisti", "Solo Veneto", "Bando futuro"]
    assert gettext("closing soon") in response.content.decode()  # the page's language, Italian


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed", ["Bando passato"]),
        ("status=open&closing_within=7", ["Salute di comunità"]),
        ("theme=politiche-giovanili", ["Giovani protagonisti"]),
        ("beneficiary=aps&region=03", ["Giovani protagonisti"]),
        ("region=05", ["Salute di comunità", "Solo Veneto", "Bando futuro"]),
        ("amount_min=10000", ["Salute di comunità"]),
        ("amount_max=1000", []),
    ],
)
def test_filters(client, catalogue, query, expected):
    response = client.get(f"{reverse('calls:list')}?{query}")

    assert _titles(response) == expected


def test_words_find_calls_with_italian_stems(client, catalogue):
    response = client.get(reverse("calls:list"), {"q": "giovane protagonista"})

    assert _titles(response) == ["Giovani protagonisti"]


def test_a_call_page_shows_every_field_in_italian_time(client, places):
    call = CallFactory(
        title="Bando di prova",
        summary="Per le reti di quartiere.",
        opens_at=dt.datetime(2030, 1, 10, 8, 30, tzinfo=dt.UTC),
        closes_at=dt.datetime(2030, 7, 1, 10, 0, tzinfo=dt.UTC),
        cofinancing_percent=20,
        procedure=Call.Procedure.RANKED,
        themes=["cultura"],
        applicants=["aps"],
        places=[places["lombardia"]],
    )

    response = client.get(reverse("calls:detail", args=[call.pk]))

    page = response.content.decode().lower()  # Django writes the Italian months capitalised
    assert response.status_code == 200
    assert "10 gennaio 2030, 09:30" in page  # CET
    assert "1 luglio 2030, 12:00" in page  # CEST
    assert "lombardia" in page and "20%" in page and "per le reti di quartiere." in page
    assert response.context["history"] is None  # only editors see it


def test_an_editor_adds_a_call_and_its_history_is_kept(client, editor, places):
    client.force_login(editor)

    response = client.post(
        reverse("calls:create"),
        {
            "title": "Nuovo bando",
            "issuer": "Fondazione di comunità",
            "issuer_type": "fondazione",
            "opens_at": "2030-03-01T09:00",
            "closes_at": "2030-04-30T12:00",
            "themes": [],
        },
    )

    call = Call.objects.get(title="Nuovo bando")
    assert response.status_code == 302
    assert call.source == Call.Source.MANUAL
    assert call.closes_at == dt.datetime(2030, 4, 30, 10, 0, tzinfo=dt.UTC)
    assert call.changes.get().action == CallChange.Action.CREATED

    client.post(
        reverse("calls:update", args=[call.pk]),
        {
            "title": "Nuovo bando (corretto)",
            "issuer": "Fondazione di comunità",
            "issuer_type": "fondazione",
            "opens_at": "2030-03-01T09:00",
            "closes_at": "2030-04-30T12:00",
        },
    )
    page = client.get(reverse("calls:detail", args=[call.pk]))

    change = call.changes.get(action=CallChange.Action.CHANGED)
    assert (
        change.changes == {"title": ["Nuovo bando", "Nuovo bando (corretto)"]} and change.changed_by == editor
    )
    assert "Nuovo bando (corretto)" in page.content.decode()
    assert next(iter(page.context["history"])) == change


def test_saving_without_changes_writes_no_history(client, editor):
    call = CallFactory(
        title="Invariato",
        opens_at=dt.datetime(2030, 3, 1, 8, tzinfo=dt.UTC),
        closes_at=dt.datetime(2030, 4, 1, 8, tzinfo=dt.UTC),
    )
    client.force_login(editor)
    before = call.updated_at

    client.post(
        reverse("calls:update", args=[call.pk]),
        {
            "title": "Invariato",
            "issuer": call.issuer,
            "issuer_type": call.issuer_type,
            "opens_at": "2030-03-01T09:00",
            "closes_at": "2030-04-01T10:00",
        },
    )

    call.refresh_from_db()
    assert not call.changes.exists() and call.updated_at == before


def test_a_call_closing_before_it_opens_is_refused_and_nothing_is_written(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("calls:create"),
        {
            "title": "Sbagliato",
            "issuer": "X",
            "issuer_type": "altro",
            "opens_at": "2030-05-01T09:00",
            "closes_at": "2030-04-01T09:00",
        },
    )

    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert not Call.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "member", "coordinator"])
def test_only_editors_and_coordinators_open_the_forms(client, who):
    if who == "member":
        client.force_login(MembershipFactory().user)
    elif who == "coordinator":
        client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.get(reverse("calls:create"))

    expected = {"anonymous": 302, "member": 403, "coordinator": 200}[who]
    assert response.status_code == expected
    assert client.get(reverse("calls:import-runs")).status_code == expected


def test_an_organisation_page_shows_its_matching_calls(client, places, catalogue):
    organisation = OrganisationFactory(
        legal_form="aps", territory=places["milano"], name="APS Milano Giovani"
    )
    profile = OrganisationProfile.objects.create(organisation=organisation)
    profile.themes.set(catalogue["youth"].themes.all())

    response = client.get(reverse("organisations:detail", args=[organisation.pk]))

    page = response.content.decode()
    assert "Giovani protagonisti" in page
    assert "Solo Veneto" not in page and "Salute di comunità" not in page  # another region; only comuni
    full = client.get(reverse("calls:organisation-matches", args=[organisation.pk]))
    assert [m.call.title for m in full.context["matches"]] == ["Giovani protagonisti"]


def test_an_organisation_editor_sets_its_themes(client, places):
    organisation = OrganisationFactory(legal_form="aps", territory=places["milano"])
    member = MembershipFactory(organisation=organisation).user
    client.force_login(member)
    from welfarelab.calls.models import Theme

    response = client.post(
        reverse("calls:organisation-themes", args=[organisation.pk]),
        {"themes": list(Theme.objects.filter(slug__in=["sport", "cultura"]).values_list("pk", flat=True))},
    )

    assert response.status_code == 302
    assert sorted(organisation.calls_profile.themes.values_list("slug", flat=True)) == ["cultura", "sport"]
    client.force_login(UserFactory())
    assert (
        client.post(reverse("calls:organisation-themes", args=[organisation.pk]), {"themes": []}).status_code
        == 403
    )
    assert sorted(organisation.calls_profile.themes.values_list("slug", flat=True)) == ["cultura", "sport"]


def test_a_change_in_the_admin_is_recorded_in_the_history(client, places):
    from welfarelab.calls.history import call_snapshot
    from welfarelab.calls.services import call_change_record

    coordinator = UserFactory(is_lab_coordinator=True, is_staff=True, is_superuser=True)
    call = CallFactory(title="Dal pannello")
    client.force_login(coordinator)
    assert client.get(reverse("admin:calls_call_change", args=[call.pk])).status_code == 200
    assert client.get(reverse("admin:calls_call_changelist")).status_code == 200
    before = call_snapshot(call)

    Call.objects.filter(pk=call.pk).update(title="Dal pannello, corretto")
    call.refresh_from_db()
    change = call_change_record(call=call, before=before, changed_by=coordinator)

    assert change is not None and change.changes == {"title": ["Dal pannello", "Dal pannello, corretto"]}
    assert call_change_record(call=call, before=call_snapshot(call), changed_by=coordinator) is None
