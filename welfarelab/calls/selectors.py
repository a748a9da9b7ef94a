"""Reads of the calls catalogue: the filtered list (page and API), one call, its history, the import runs.

The catalogue is public: every call is visible to everybody; only the history and the import log are for
the editors (`permissions.can_edit_calls`, checked by the views).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from welfarelab.calls.models import Call, CallChange, ImportRun
from welfarelab.calls.search import call_search
from welfarelab.territories.models import Territory

NOT_FOUND = _("No call with this number.")
MAX_RANKED = 2000  # a text search orders at most this many calls by relevance (the rest by deadline)


class Status:
    """The `status` filter: open or upcoming by default, as a catalogue of opportunities should be."""

    CURRENT = "current"
    OPEN = "open"
    UPCOMING = "upcoming"
    CLOSED = "closed"
    ALL = "all"
    VALUES = (CURRENT, OPEN, UPCOMING, CLOSED, ALL)


class Sort:
    DEADLINE = "deadline"
    RECENT = "recent"
    AMOUNT = "amount"
    RELEVANCE = "relevance"
    VALUES = (DEADLINE, RECENT, AMOUNT, RELEVANCE)


@dataclass(frozen=True)
class CallList:
    calls: QuerySet[Call]
    corrected_query: str | None = None


def _calls() -> QuerySet[Call]:
    return Call.objects.prefetch_related("themes", "eligible_applicants", "territories")


def call_list(*, filters: Mapping[str, Any] | None = None, now: dt.datetime | None = None) -> CallList:
    """The calls matching `filters`, in the order asked for. Empty values are ignored.

    - `q`: words of the title, themes, issuer, summary or eligibility (Italian stems, synonyms, typos);
    - `status`: current (default: open or upcoming), open, upcoming, closed, all — from the dates at `now`;
    - `closing_within`: days; only open calls closing within that many days from `now`;
    - `theme`: a theme's slug; `beneficiary`: an applicant type's slug (`aps`, `comune` …);
    - `region`: an ISTAT region code (`03`): calls for all Italy, for that region or one of its provinces;
    - `amount_min`, `amount_max`: euro, on the maximum grant, or the total budget when no grant is stated
      (calls with neither are left out when an amount is asked);
    - `issuer_type`: a value of Call.IssuerType;
    - `sort`: deadline (default: nearest first, no deadline last), recent, amount (largest first),
      relevance (default with `q`).
    """
    filters = filters or {}
    now = now or timezone.now()
    calls: QuerySet[Call] = _calls()
    status = filters.get("status") or Status.CURRENT
    manager = Call.objects
    if status == Status.OPEN:
        calls = calls.filter(pk__in=manager.open(now).values("pk"))
    elif status == Status.UPCOMING:
        calls = calls.filter(pk__in=manager.upcoming(now).values("pk"))
    elif status == Status.CLOSED:
        calls = calls.filter(pk__in=manager.closed(now).values("pk"))
    elif status == Status.CURRENT:
        calls = calls.filter(pk__in=manager.current(now).values("pk"))
    if days := filters.get("closing_within"):
        calls = calls.filter(
            pk__in=manager.open(now).values("pk"), closes_at__lte=now + dt.timedelta(days=int(days))
        )
    if theme := filters.get("theme"):
        calls = calls.filter(
            Exists(Call.themes.through.objects.filter(call_id=OuterRef("pk"), theme__slug=theme))
        )
    if beneficiary := filters.get("beneficiary"):
        calls = calls.filter(
            Exists(
                Call.eligible_applicants.through.objects.filter(
                    call_id=OuterRef("pk"), applicanttype__slug=beneficiary
                )
            )
        )
    if region := filters.get("region"):
        scoped = Call.territories.through.objects.filter(call_id=OuterRef("pk"))
        in_region = scoped.filter(
            Q(territory__kind=Territory.Kind.REGIONE, territory__code=region)
            | Q(territory__kind=Territory.Kind.PROVINCIA, territory__regione__code=region)
        )
        calls = calls.filter(~Exists(scoped) | Exists(in_region))
    if issuer_type := filters.get("issuer_type"):
        calls = calls.filter(issuer_type=issuer_type)
    amount_min, amount_max = filters.get("amount_min"), filters.get("amount_max")
    if amount_min is not None or amount_max is not None:
        calls = calls.annotate(amount=Coalesce("max_grant", "total_budget"))
        if amount_min is not None:
            calls = calls.filter(amount__gte=Decimal(amount_min))
        if amount_max is not None:
            calls = calls.filter(amount__lte=Decimal(amount_max))

    corrected = None
    query = str(filters.get("q") or "").replace("\x00", "").strip()
    sort = filters.get("sort") or (Sort.RELEVANCE if query else Sort.DEADLINE)
    if query:
        found = call_search(query=query)
        corrected = found.corrected_query
        calls = calls.filter(pk__in=list(found.keys))
        if sort == Sort.RELEVANCE:
            ranks = [When(pk=key, then=Value(rank)) for rank, key in enumerate(found.keys[:MAX_RANKED])]
            calls = calls.annotate(
                relevance=Case(*ranks, default=Value(MAX_RANKED), output_field=IntegerField())
            ).order_by("relevance", F("closes_at").asc(nulls_last=True), "pk")
            return CallList(calls=calls, corrected_query=corrected)
    if sort == Sort.RECENT:
        calls = calls.order_by("-published_at", "-pk")
    elif sort == Sort.AMOUNT:
        calls = calls.annotate(sort_amount=Coalesce("max_grant", "total_budget")).order_by(
            F("sort_amount").desc(nulls_last=True), "pk"
        )
    elif status == Status.CLOSED:  # the most recently closed first
        calls = calls.order_by(F("closes_at").desc(nulls_last=True), "-pk")
    else:
        calls = calls.order_by(F("closes_at").asc(nulls_last=True), "pk")
    return CallList(calls=calls, corrected_query=corrected)


def call_get(*, pk: int | str) -> Call:
    """One call, with its attachments and relations; Http404 when there is none."""
    try:
        return _calls().prefetch_related("attachments").get(pk=pk)
    except (Call.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def call_history(*, call: Call) -> QuerySet[CallChange]:
    return call.changes.select_related("changed_by", "import_run").order_by("-changed_at", "-pk")


def import_runs(*, limit: int = 50) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit]
