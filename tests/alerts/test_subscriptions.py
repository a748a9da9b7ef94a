"""Email subscriptions end to end through the outbox and a real SMTP server: double opt-in, digests of new
calls (themes and saved filters), mute, save and remind, one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.alerts.conftest import CallFactory
from welfarelab.alerts import outbox, services, tokens
from welfarelab.alerts.models import MutedCall, OutboxMessage, SavedCall, Subscription
from welfarelab.calls.models import CallChange, Theme

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/\S+)")


def links(message) -> list[str]:
    return LINK.findall(message.get_content())


def subscribe(
    client, email="anna@example.org", themes=("politiche-giovanili",), filter_query="", frequency="daily"
):
    data = {
        "email": email,
        "themes": [Theme.objects.get(slug=s).pk for s in themes],
        "filter_query": filter_query,
        "frequency": frequency,
    }
    return client.post(reverse("alerts:index"), data)


def confirmed(client, smtp, **kwargs) -> Subscription:
    with pytest.MonkeyPatch.context():
        subscribe(client, **kwargs)
    outbox.deliver_due()
    message = smtp.inbox.received[-1]
    [confirm] = links(message)
    client.post(confirm)
    subscription = Subscription.objects.get(email=kwargs.get("email", "anna@example.org"))
    assert subscription.is_active
    return subscription


def test_nothing_but_the_confirmation_is_sent_before_the_link_is_opened(
    client, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client)
    assert response.status_code == 302 and response.url == reverse("alerts:requested")
    [message] = smtp.inbox.wait_for(1)  # delivered by the task queued after the commit
    assert message["To"] == "anna@example.org"
    assert "List-Unsubscribe" not in message
    [confirm] = links(message)
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None

    CallFactory(themes=["politiche-giovanili"])
    assert services.digests_queue(frequency="daily") == 0
    assert services.deadline_reminders_queue() == 0
    subscribe(client)  # asked again the same day: no second email
    assert OutboxMessage.objects.count() == 1

    page = client.get(confirm)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200
    assert Subscription.objects.get().confirmed_at is None
    response = client.post(confirm)
    assert response.status_code == 302
    assert Subscription.objects.get().is_active


def test_an_expired_or_altered_confirmation_link_is_refused(client, smtp, settings):
    subscribe(client)
    subscription = Subscription.objects.get()
    token = tokens.make(tokens.CONFIRM, subscription_id=subscription.pk, email=subscription.email)
    assert client.post(reverse("alerts:confirm", args=[token[:-2] + "xx"])).status_code == 404
    settings.WELFARELAB_ALERT_LINK_MAX_AGE_DAYS = -1  # every link is already too old
    assert client.post(reverse("alerts:confirm", args=[token])).status_code == 404
    manage = tokens.make(tokens.MANAGE, subscription_id=subscription.pk, email=subscription.email)
    assert client.post(reverse("alerts:confirm", args=[manage])).status_code == 404  # made for another use
    assert Subscription.objects.get().confirmed_at is None


def test_a_subscription_needs_a_theme_or_a_valid_filter(client):
    response = subscribe(client, themes=())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(services.NOTHING_CHOSEN)]
    with pytest.raises(ValidationError) as error:
        services.subscription_request(email="b@example.org", themes=[], filter_query="theme=nessuno")
    assert "theme" in str(error.value)
    assert Subscription.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_the_digest_lists_the_new_calls_of_the_themes_and_filter_once(client, smtp):
    subscription = confirmed(
        client, smtp, themes=("politiche-giovanili",), filter_query="http://x/bandi/?theme=ambiente&q="
    )
    youth = CallFactory(title="Giovani al centro", themes=["politiche-giovanili"])
    green = CallFactory(title="Boschi urbani", themes=["ambiente"])
    CallFactory(title="Palestre", themes=["sport"])
    CallFactory(
        title="Già chiuso",
        themes=["politiche-giovanili"],
        closes_at=timezone.now() - dt.timedelta(hours=1),
        opens_at=timezone.now() - dt.timedelta(days=5),
    )
    news = services.news_post_create(
        author=None,
        title="Incontro sui bandi",
        body="Vieni **giovedì**.",
        themes=Theme.objects.filter(slug="cultura"),
    )
    services.news_post_create(author=None, title="Per tutti", body="Notizia generale.", themes=[])

    assert services.digests_queue(frequency="weekly") == 0  # not this subscription's frequency
    assert services.digests_queue(frequency="daily") == 1
    assert services.digests_queue(frequency="daily") == 0  # same day: nothing new, nothing twice
    outbox.deliver_due()
    digest = smtp.inbox.received[-1]
    text = digest.get_content()
    assert "Giovani al centro" in text and "Boschi urbani" in text
    assert "Palestre" not in text and "Già chiuso" not in text
    assert "Per tutti" in text and news.title not in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["X-Welfarelab-Message-Id"] == f"digest:{subscription.pk}:{timezone.localdate().isoformat()}"
    assert {youth.pk, green.pk} == {int(m) for m in re.findall(r"/bandi/(\d+)/", text)}

    # tomorrow: only what came after this digest
    tomorrow = timezone.now() + dt.timedelta(days=1)
    later = CallFactory(
        title="Estate ragazzi", themes=["politiche-giovanili"], published_at=tomorrow - dt.timedelta(hours=1)
    )
    assert services.digests_queue(frequency="daily", now=tomorrow) == 1
    outbox.deliver_due()
    text = smtp.inbox.received[-1].get_content()
    assert later.title in text and "Giovani al centro" not in text


def test_a_muted_call_is_never_mentioned_again_and_a_saved_one_is_reminded_once(client, smtp, settings):
    settings.WELFARELAB_ALERT_REMINDER_DAYS = 3
    subscription = confirmed(client, smtp)
    soon = CallFactory(
        title="Scade presto", themes=["politiche-giovanili"], closes_at=timezone.now() + dt.timedelta(days=2)
    )
    noisy = CallFactory(title="Troppi aggiornamenti", themes=["politiche-giovanili"])
    services.digests_queue(frequency="daily")
    outbox.deliver_due()
    digest = smtp.inbox.received[-1]
    save_link = next(link for link in links(digest) if "/salva/" in link and _names(link, soon.pk))
    mute_link = next(link for link in links(digest) if "/silenzia/" in link and _names(link, noisy.pk))

    assert client.get(save_link).status_code == 200 and not SavedCall.objects.exists()
    client.post(save_link)
    client.post(mute_link)
    assert SavedCall.objects.get().call == soon
    assert MutedCall.objects.get().call == noisy

    # the muted call changes: the next digest does not mention it
    tomorrow = timezone.now() + dt.timedelta(days=1)
    CallChange.objects.create(
        call=noisy,
        action="changed",
        changed_at=tomorrow - dt.timedelta(hours=1),
        changes={"closes_at": [1, 2]},
    )
    CallChange.objects.create(
        call=soon,
        action="changed",
        changed_at=tomorrow - dt.timedelta(hours=1),
        changes={"closes_at": [1, 2]},
    )
    assert services.digests_queue(frequency="daily", now=tomorrow) == 1
    outbox.deliver_due()
    text = smtp.inbox.received[-1].get_content()
    assert "Scade presto" in text and "Troppi aggiornamenti" not in text

    assert services.deadline_reminders_queue() == 1
    assert services.deadline_reminders_queue() == 0
    outbox.deliver_due()
    reminder = smtp.inbox.received[-1]
    assert reminder["X-Welfarelab-Message-Id"] == f"reminder:{SavedCall.objects.get().pk}"
    assert "Scade presto" in reminder.get_content()
    assert subscription.email == reminder["To"]


def _names(link: str, call_id: int) -> bool:
    token = link.rstrip("/").rsplit("/", 1)[1]
    purpose = tokens.SAVE_CALL if "/salva/" in link else tokens.MUTE_CALL
    return tokens.read(purpose, token).call_id == call_id


def test_one_click_unsubscribe_as_mail_programs_do_it_stops_everything(client, smtp):
    subscription = confirmed(client, smtp)
    CallFactory(themes=["politiche-giovanili"])
    services.digests_queue(frequency="daily")
    outbox.deliver_due()
    digest = smtp.inbox.received[-1]
    header = str(digest["List-Unsubscribe"]).strip()  # folded onto its own line: it is long
    assert header.startswith("<http://testserver/avvisi/disiscrivi/") and header.endswith(">")
    path = header[len("<http://testserver") : -1]
    assert path in digest.get_content().replace("http://testserver", "")

    assert client.get(path).status_code == 200  # a GET only asks
    assert Subscription.objects.get().is_active
    # RFC 8058: a POST with this body, no cookie, no CSRF token
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is not None

    CallFactory(themes=["politiche-giovanili"], published_at=timezone.now() + dt.timedelta(minutes=1))
    assert services.digests_queue(frequency="daily", now=timezone.now() + dt.timedelta(days=1)) == 0
    assert services.deadline_reminders_queue() == 0


def test_the_manage_link_changes_the_themes_and_frequency(client, smtp):
    subscription = confirmed(client, smtp)
    token = tokens.make(tokens.MANAGE, subscription_id=subscription.pk, email=subscription.email)
    url = reverse("alerts:manage", args=[token])
    response = client.post(
        url, {"themes": [Theme.objects.get(slug="ambiente").pk], "filter_query": "", "frequency": "weekly"}
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.frequency == "weekly"
    assert list(subscription.themes.values_list("slug", flat=True)) == ["ambiente"]


def test_asking_again_for_a_confirmed_address_sends_its_manage_link_and_changes_nothing(client, smtp):
    subscription = confirmed(client, smtp, themes=("ambiente",))
    subscribe(client, themes=("sport",))
    outbox.deliver_due()
    message = smtp.inbox.received[-1]
    assert any("/avvisi/gestisci/" in link for link in links(message))
    assert list(Subscription.objects.get().themes.values_list("slug", flat=True)) == ["ambiente"]
    assert subscription.pk == Subscription.objects.get().pk
