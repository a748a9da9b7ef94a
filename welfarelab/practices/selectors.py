"""Reads of the good practices. The public reads only published ones; the doors to one practice answer
404 to whoever may not see it (permissions.may_view_practice), so its existence does not leak.

`published_practices` is the read other apps use (the benchmarking pages' "whom to learn from"):
published practices in some need domains and territories, with everything a list shows already
fetched (territory, need domains, partners, public contacts) in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import CHANGE_ROLES, organisation_ids_of
from welfarelab.core.text import fold
from welfarelab.indicators.models import Indicator, NeedDomain, Observation
from welfarelab.practices.models import (
    Practice,
    PracticeContact,
    PracticeEvent,
    PracticeEvidence,
    PracticePartner,
)
from welfarelab.practices.permissions import is_coordinator, may_review, may_view_practice
from welfarelab.territories.models import PopulationByAge, Territory

if TYPE_CHECKING:
    from welfarelab.practices.search import PracticeSearchResult

NOT_FOUND = _("Not found.")


@dataclass(frozen=True)
class PopulationBand:
    """A size class of the practice's territory by residents (the classes of Italian law and ISTAT:
    *piccoli comuni* up to 5,000, L. 158/2017; then 20,000, 60,000 and 250,000)."""

    code: str
    label: str | Promise
    low: int
    high: int | None  # inclusive; None = no upper limit


POPULATION_BANDS: tuple[PopulationBand, ...] = (
    PopulationBand("0-5000", _("Up to 5,000 residents"), 0, 5_000),
    PopulationBand("5001-20000", _("5,001 to 20,000 residents"), 5_001, 20_000),
    PopulationBand("20001-60000", _("20,001 to 60,000 residents"), 20_001, 60_000),
    PopulationBand("60001-250000", _("60,001 to 250,000 residents"), 60_001, 250_000),
    PopulationBand("oltre-250000", _("Over 250,000 residents"), 250_001, None),
)
BANDS_BY_CODE = {band.code: band for band in POPULATION_BANDS}

# The filters `practice_list` understands; other keys are ignored.
FILTER_KEYS = ("q", "need_domain", "regione", "provincia", "comune", "territory", "size")


@dataclass(frozen=True)
class EvidenceRow:
    """An evidence with the observed values before and after (None where the table holds none)."""

    evidence: PracticeEvidence
    before: Observation | None
    after: Observation | None

    @property
    def indicator(self) -> Indicator:
        return self.evidence.indicator

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None or self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value


def _public_contacts() -> Prefetch[Any, Any, Any]:
    return Prefetch(
        "contacts", queryset=PracticeContact.objects.filter(consent=True), to_attr="public_contacts"
    )


def _with_list_relations(practices: QuerySet[Practice]) -> QuerySet[Practice]:
    """Everything a list of practices shows, fetched up front: one query per relation, not per row."""
    return practices.select_related(
        "territory", "territory__regione", "territory__provincia", "owner_organisation"
    ).prefetch_related(
        "need_domains",
        "other_territories",
        Prefetch("partners", queryset=PracticePartner.objects.select_related("organisation")),
        _public_contacts(),
    )


def territories_within(territories: Iterable[Territory]) -> QuerySet[Territory] | None:
    """The territories equal to or inside any of `territories` (the comuni of a provincia, the province
    and comuni of a regione, the comuni of an ambito, the ambiti of a regione); None when Italy is among
    them, as it holds everything."""
    condition = Q(pk__in=[])
    for territory in territories:
        if territory.kind == Territory.Kind.ITALIA:
            return None
        condition |= Q(pk=territory.pk)
        if territory.kind == Territory.Kind.REGIONE:
            condition |= Q(regione=territory)
        elif territory.kind == Territory.Kind.PROVINCIA:
            condition |= Q(provincia=territory)
        elif territory.kind == Territory.Kind.AMBITO:
            condition |= Q(ambito=territory)
    return Territory.objects.filter(condition)


def _located_in(practices: QuerySet[Practice], territories: Iterable[Territory]) -> QuerySet[Practice]:
    """Practices whose territory, or one of their other territories, is in or inside `territories`."""
    inside = territories_within(territories)
    if inside is None:
        return practices
    ids = inside.values("pk")
    also = Practice.other_territories.through.objects.filter(territory_id__in=ids).values("practice_id")
    return practices.filter(Q(territory_id__in=ids) | Q(pk__in=also))


def _in_domains(practices: QuerySet[Practice], codes: Iterable[str]) -> QuerySet[Practice]:
    links = Practice.need_domains.through.objects.filter(needdomain__code__in=list(codes))
    return practices.filter(pk__in=links.values("practice_id"))


def published_practices(
    *,
    need_domain_codes: Iterable[str] | None = None,
    territories: Iterable[Territory] | None = None,
) -> QuerySet[Practice]:
    """The published practices, the latest published first, with what a list shows already fetched.

    - `need_domain_codes`: only those answering at least one of these need domains (`NeedDomain.code`).
    - `territories`: only those running in one of these territories or inside one (see
      `territories_within`: a regione holds its province, ambiti and comuni), through their main
      territory or one of their other territories. An empty list gives no practice; Italy gives all.

    Every row comes with `territory` (and its regione and provincia), `owner_organisation`,
    `need_domains`, `other_territories`, `partners` (with their organisation) and `public_contacts`
    (the contacts that agreed to be shown) fetched: iterating costs 5 queries whatever the count.
    """
    practices = Practice.objects.filter(status=Practice.Status.PUBLISHED)
    if need_domain_codes is not None:
        practices = _in_domains(practices, need_domain_codes)
    if territories is not None:
        practices = _located_in(practices, territories)
    return _with_list_relations(practices).order_by("-published_at", "title", "pk")


def latest_population_year() -> int | None:
    return PopulationByAge.objects.aggregate(year=Max("year"))["year"]


def with_population(practices: QuerySet[Practice], *, year: int | None = None) -> QuerySet[Practice]:
    """Annotate `territory_population`: residents of the practice's territory on 1 January of `year`
    (the latest year loaded by default); None when unknown."""
    year = year if year is not None else latest_population_year()
    if year is None:
        return practices.annotate(territory_population=Value(None, output_field=IntegerField()))
    residents = (
        PopulationByAge.objects.filter(territory=OuterRef("territory"), year=year)
        .order_by()
        .values("territory")
        .annotate(people=Sum("males") + Sum("females"))
        .values("people")
    )
    return practices.annotate(territory_population=Subquery(residents, output_field=IntegerField()))


def _territory_filter(filters: Mapping[str, Any]) -> list[Territory] | None:
    """The territories the filters name (`territory` object, `regione`/`provincia` codes, `comune` code
    or name); None when none is asked for, an empty list when what is asked for does not exist."""
    wanted: list[Territory] | None = None

    def narrow(found: Iterable[Territory]) -> None:
        nonlocal wanted
        found = list(found)
        # Several filters narrow each other: keep the most specific one that is inside the others.
        wanted = found if wanted is None else [t for t in found if _inside_any(t, wanted)]

    if (territory := filters.get("territory")) is not None:
        narrow([territory])
    if regione := filters.get("regione"):
        narrow(Territory.objects.filter(kind=Territory.Kind.REGIONE, code=regione))
    if provincia := filters.get("provincia"):
        narrow(Territory.objects.filter(kind=Territory.Kind.PROVINCIA, code=provincia))
    if comune := str(filters.get("comune") or "").strip():
        comuni = Territory.objects.filter(kind=Territory.Kind.COMUNE)
        comuni = comuni.filter(code=comune) if comune.isdigit() else comuni.filter(name_folded=fold(comune))
        narrow(comuni)
    return wanted


def _inside_any(territory: Territory, others: Sequence[Territory]) -> bool:
    for other in others:
        if other.kind == Territory.Kind.ITALIA or other.pk == territory.pk:
            return True
        if other.pk in (territory.regione_id, territory.provincia_id, territory.ambito_id):
            return True
    return False


def practice_list(
    *, filters: Mapping[str, Any] | None = None, search: PracticeSearchResult | None = None
) -> QuerySet[Practice]:
    """The published practices matching `filters`, annotated with `territory_population`.

    Filters (all optional, empty values ignored):
    - `q`: keywords, ranked by the search engine (`practices.search`: BM25, Italian stems, synonyms,
      typos); the best match first. Without `q`, the latest published first.
    - `need_domain`: a `NeedDomain.code`;
    - `territory` (a Territory), `regione` and `provincia` (ISTAT codes), `comune` (code or name): the
      practices in or inside it (`published_practices`); combined, they narrow each other;
    - `size`: a code of POPULATION_BANDS, on the residents of the practice's own territory.

    `search` is `practice_search(query=filters["q"])` when the caller already has it (for snippets).
    """
    filters = filters or {}
    domain = filters.get("need_domain")
    practices = published_practices(
        need_domain_codes=[domain] if domain else None, territories=_territory_filter(filters)
    )
    practices = with_population(practices)
    if band := BANDS_BY_CODE.get(str(filters.get("size") or "")):
        # Q, not keywords: the annotation is the caller's (with_population), unknown to the type checker.
        practices = practices.filter(Q(territory_population__gte=band.low))
        if band.high is not None:
            practices = practices.filter(Q(territory_population__lte=band.high))
    query = " ".join(str(filters.get("q") or "").split())
    if query:
        from welfarelab.practices.search import practice_search

        if search is None or search.query != query:
            search = practice_search(query=query, snippets=0)
        ranked = list(search.ranked)
        order = Case(
            *(When(slug=slug, then=Value(rank)) for rank, slug in enumerate(ranked)),
            output_field=IntegerField(),
        )
        practices = practices.filter(slug__in=ranked).order_by(order, "pk") if ranked else practices.none()
    return practices


def _visible(user: User | AnonymousUser) -> QuerySet[Practice]:
    """Published practices, and the others `user` may see (permissions.may_view_practice)."""
    practices = Practice.objects.all()
    if is_coordinator(user) or may_review(user):
        return practices
    visible = Q(status=Practice.Status.PUBLISHED)
    if user.is_authenticated:
        visible |= Q(submitted_by_id=user.pk)
        own = organisation_ids_of(user, roles=CHANGE_ROLES)
        if own:
            visible |= Q(owner_organisation_id__in=own)
    return practices.filter(visible)


def practice_get(*, user: User | AnonymousUser, slug: str) -> Practice:
    """The practice `slug` with everything its page shows; Http404 if `user` may not see it."""
    practices = _visible(user).select_related(
        "territory",
        "territory__regione",
        "territory__provincia",
        "owner_organisation",
        "submitted_by",
        "reviewer",
    )
    practices = practices.prefetch_related(
        "need_domains",
        "other_territories",
        Prefetch("partners", queryset=PracticePartner.objects.select_related("organisation")),
        "contacts",
        _public_contacts(),
        "attachments",
        Prefetch(
            "evidence",
            queryset=PracticeEvidence.objects.select_related("indicator", "territory"),
        ),
    )
    try:
        practice = practices.get(slug=slug)
    except Practice.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    if not may_view_practice(user, practice):  # the query above already scoped it: a second lock
        raise Http404(NOT_FOUND)
    return practice


def evidence_rows(*, practice: Practice) -> list[EvidenceRow]:
    """The practice's evidence with the values the indicator table holds before and after (one query)."""
    evidence = list(practice.evidence.all())
    if not evidence:
        return []
    wanted = Q(pk__in=[])
    for item in evidence:
        wanted |= Q(
            indicator_id=item.indicator_id,
            territory_id=item.territory_id,
            period__in=(item.period_before, item.period_after),
        )
    observed = {(o.indicator_id, o.territory_id, o.period): o for o in Observation.objects.filter(wanted)}
    return [
        EvidenceRow(
            evidence=item,
            before=observed.get((item.indicator_id, item.territory_id, item.period_before)),
            after=observed.get((item.indicator_id, item.territory_id, item.period_after)),
        )
        for item in evidence
    ]


def practice_events(*, practice: Practice) -> QuerySet[PracticeEvent]:
    return practice.events.select_related("actor").order_by("created_at", "pk")


def review_queue() -> QuerySet[Practice]:
    """The practices waiting for a reviewer (proposed) or being reviewed, the oldest proposal first."""
    return (
        Practice.objects.filter(status__in=[Practice.Status.PROPOSED, Practice.Status.IN_REVIEW])
        .select_related("territory", "owner_organisation", "submitted_by", "reviewer")
        .prefetch_related("need_domains")
        .order_by("submitted_at", "pk")
    )


def practices_of(*, user: User | AnonymousUser) -> QuerySet[Practice]:
    """The practices `user` proposed or its organisations (as editor or admin) propose, any status."""
    if not user.is_authenticated:
        return Practice.objects.none()
    mine = Q(submitted_by_id=user.pk)
    own = organisation_ids_of(user, roles=CHANGE_ROLES)
    if own:
        mine |= Q(owner_organisation_id__in=own)
    return (
        Practice.objects.filter(mine)
        .select_related("territory", "owner_organisation")
        .order_by("-updated_at", "pk")
    )


def need_domain_choices() -> list[tuple[str, str]]:
    return [(domain.code, domain.name) for domain in NeedDomain.objects.order_by("position", "code")]
