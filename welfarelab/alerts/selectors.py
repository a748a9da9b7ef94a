"""Reads of the alerts: which calls and news a subscription is told about, feeds' items, the outbox board.

A saved filter is the query string of the /bandi/ list; it is read by the calls' own filter form and
applied by the calls' own `call_list`, so a subscription sees exactly what the list shows for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from welfarelab.alerts.models import NewsPost, OutboxMessage, Subscription
from welfarelab.calls import selectors as call_selectors
from welfarelab.calls.forms import CallFilterForm
from welfarelab.calls.models import Call, CallChange, Theme

FEED_SIZE = 50


class BadFilter(ValueError):
    """A saved filter the calls' filter form refuses (an unknown theme, a negative amount …)."""


def filter_cleaned(query: str) -> dict[str, object]:
    """The filters of a /bandi/ query string, as the list's form reads them; BadFilter when invalid."""
    form = CallFilterForm(QueryDict(query.lstrip("?")))
    if not form.is_valid():
        raise BadFilter(
            "; ".join(f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items())
        )
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


def filter_calls(*, query: str, now: dt.datetime | None = None) -> QuerySet[Call]:
    """The calls the /bandi/ list shows for `query` (BadFilter when the form refuses it)."""
    return call_selectors.call_list(filters=filter_cleaned(query), now=now).calls


def _matching_ids(subscription: Subscription, candidates: QuerySet[Call], *, now: dt.datetime) -> set[int]:
    """Ids among `candidates` on one of the subscription's themes or shown by its saved filter."""
    ids: set[int] = set()
    themes = list(subscription.themes.all())
    if themes:
        ids |= set(candidates.filter(themes__in=themes).values_list("pk", flat=True))
    if subscription.filter_query:
        try:
            shown = filter_calls(query=subscription.filter_query, now=now)
        except BadFilter:
            shown = Call.objects.none()  # a filter the catalogue no longer accepts matches nothing
        ids |= set(candidates.filter(pk__in=shown.values("pk")).values_list("pk", flat=True))
    return ids - set(subscription.muted_calls.values_list("call_id", flat=True))


def subscription_new_calls(
    *, subscription: Subscription, since: dt.datetime, until: dt.datetime
) -> list[Call]:
    """Calls published in (since, until], not closed at `until`, that the subscription asked for."""
    candidates = Call.objects.current(until).filter(published_at__gt=since, published_at__lte=until)
    ids = _matching_ids(subscription, candidates, now=until)
    return list(Call.objects.filter(pk__in=ids).order_by("closes_at", "pk"))


def subscription_changed_calls(
    *, subscription: Subscription, since: dt.datetime, until: dt.datetime
) -> list[Call]:
    """Calls published before `since` and changed in (since, until] (a new deadline, more funds …)."""
    changed = CallChange.objects.filter(
        action=CallChange.Action.CHANGED, changed_at__gt=since, changed_at__lte=until
    ).values("call_id")
    candidates = Call.objects.current(until).filter(pk__in=changed, published_at__lte=since)
    ids = _matching_ids(subscription, candidates, now=until)
    return list(Call.objects.filter(pk__in=ids).order_by("closes_at", "pk"))


def news_for_themes(*, themes: Iterable[Theme], since: dt.datetime, until: dt.datetime) -> list[NewsPost]:
    """News published in (since, until] on one of `themes`, or on no theme at all (news for everybody)."""
    posts = NewsPost.objects.filter(published_at__gt=since, published_at__lte=until)
    return list(
        posts.filter(Q(themes__in=list(themes)) | Q(themes__isnull=True)).distinct().order_by("published_at")
    )


def theme_get(*, slug: str) -> Theme:
    try:
        return Theme.objects.get(slug=slug)
    except Theme.DoesNotExist:
        raise Http404(slug) from None


def theme_calls(*, theme: Theme | None, now: dt.datetime | None = None) -> QuerySet[Call]:
    """Calls of a theme (or all), most recently published first: the items of its feed."""
    calls = Call.objects.prefetch_related("themes")
    if theme is not None:
        calls = calls.filter(themes=theme)
    return calls.order_by("-published_at", "-pk")


def news_list(*, theme: Theme | None = None, now: dt.datetime | None = None) -> QuerySet[NewsPost]:
    posts = NewsPost.objects.filter(published_at__lte=now or timezone.now()).select_related("author")
    if theme is not None:
        posts = posts.filter(themes=theme)
    return posts.prefetch_related("themes").order_by("-published_at", "-pk")


def deadline_calls(*, theme: Theme | None, now: dt.datetime | None = None) -> QuerySet[Call]:
    """Open and upcoming calls with a deadline: the events of the calendar."""
    calls = Call.objects.current(now or timezone.now()).filter(closes_at__isnull=False)
    if theme is not None:
        calls = calls.filter(themes=theme)
    return calls.order_by("closes_at", "pk")


def outbox_counts() -> dict[str, int]:
    counts = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in OutboxMessage.Status.values}


def outbox_failed(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by("-next_attempt_at")[
        :limit
    ]


def outbox_retrying(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    """Waiting messages that already failed at least once."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, attempts__gt=0).order_by(
        "next_attempt_at"
    )[:limit]
