"""Reads of territories and population, shared by pages, API and exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404

from welfarelab.core.text import fold
from welfarelab.territories.models import PopulationByAge, Territory

# Age bands shown on territory pages and in the API (upper bound inclusive; None = open-ended).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-14", 6, 14),
    ("15-24", 15, 24),
    ("25-44", 25, 44),
    ("45-64", 45, 64),
    ("65-74", 65, 74),
    ("75-84", 75, 84),
    ("85+", 85, None),
)

# Larger territories first when names tie: the provincia of Roma before the comune of Roma.
_KIND_ORDER = Case(
    When(kind=Territory.Kind.ITALIA, then=Value(0)),
    When(kind=Territory.Kind.REGIONE, then=Value(1)),
    When(kind=Territory.Kind.PROVINCIA, then=Value(2)),
    When(kind=Territory.Kind.AMBITO, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class PopulationBand:
    label: str
    males: int
    females: int
    share: float | None = None  # percent of all residents, when the band is part of a whole

    @property
    def total(self) -> int:
        return self.males + self.females


@dataclass(frozen=True)
class PopulationChange:
    """Residents in two years and the change between them (the first and the last year known)."""

    first_year: int
    first: int
    last_year: int
    last: int

    @property
    def absolute(self) -> int:
        return self.last - self.first

    @property
    def percent(self) -> float | None:
        return 100 * self.absolute / self.first if self.first else None


@dataclass(frozen=True)
class PopulationProfile:
    """Everything a territory page shows about residents; `year` is None when nothing is known."""

    totals: dict[int, int]
    change: PopulationChange | None
    year: int | None
    pyramid: list[tuple[int, int, int]] = field(default_factory=list)
    bands: list[PopulationBand] = field(default_factory=list)
    groups: list[PopulationBand] = field(default_factory=list)

    @property
    def total(self) -> int | None:
        return self.totals[self.year] if self.year is not None else None


def territory_search(*, query: str, kind: str | None = None) -> QuerySet[Territory]:
    """Territories whose name matches `query`, ignoring accents and case (`forli` finds Forlì).

    Names that start with the query come first, then names with a word starting with it, then the rest;
    within each group, larger kinds first, then alphabetical.
    """
    folded = fold(query)
    territories = Territory.objects.select_related("provincia", "regione")
    if kind:
        territories = territories.filter(kind=kind)
    if not folded:
        return territories.none()
    match_rank = Case(
        When(name_folded=folded, then=Value(0)),
        When(name_folded__startswith=folded, then=Value(1)),
        When(name_folded__contains=f" {folded}", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        territories.filter(Q(name_folded__contains=folded) | Q(code=query.strip()))
        .annotate(match_rank=match_rank, kind_rank=_KIND_ORDER)
        .order_by("match_rank", "kind_rank", "name_folded", "code")
    )


def territory_list(*, kind: str | None = None) -> QuerySet[Territory]:
    territories = Territory.objects.select_related("provincia", "regione")
    if kind:
        territories = territories.filter(kind=kind)
    return territories.annotate(kind_rank=_KIND_ORDER).order_by("kind_rank", "name_folded", "code")


def territory_counts() -> dict[str, int]:
    """How many territories of each kind are loaded; every kind is a key: {"comune": 7899, "ambito": 0, …}."""
    counts = dict.fromkeys(Territory.Kind.values, 0)
    counts.update(Territory.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    return counts


def territory_italy() -> Territory | None:
    """The single Italia row, or None before the open data are loaded."""
    return Territory.objects.filter(kind=Territory.Kind.ITALIA).first()


def territory_get(*, kind: str, code: str) -> Territory:
    """The territory of `kind` with ISTAT `code`, or Http404 naming what was not found."""
    try:
        return Territory.objects.select_related("provincia", "regione", "ambito").get(kind=kind, code=code)
    except Territory.DoesNotExist:
        raise Http404(f"No {kind} with code {code!r}.") from None


def territory_parents(*, territory: Territory) -> list[Territory]:
    """From the largest to the nearest: Italia, regione, provincia, ambito (those that apply)."""
    parents: list[Territory] = []
    if not territory.is_italy:
        parents.extend(Territory.objects.filter(kind=Territory.Kind.ITALIA))
    parents.extend(p for p in (territory.regione, territory.provincia, territory.ambito) if p is not None)
    return parents


def territory_members(*, territory: Territory) -> QuerySet[Territory]:
    """The comuni of an ambito or provincia; the regioni of Italy; the province of a regione."""
    if territory.kind in (Territory.Kind.AMBITO,):
        return territory.member_comuni.order_by("name_folded")
    if territory.kind == Territory.Kind.PROVINCIA:
        return territory.comuni.filter(kind=Territory.Kind.COMUNE).order_by("name_folded")
    if territory.kind == Territory.Kind.REGIONE:
        return Territory.objects.filter(kind=Territory.Kind.PROVINCIA, regione=territory).order_by(
            "name_folded"
        )
    if territory.kind == Territory.Kind.ITALIA:
        return Territory.objects.filter(kind=Territory.Kind.REGIONE).order_by("code")
    return Territory.objects.none()


def population_years(*, territory: Territory) -> list[int]:
    return list(
        PopulationByAge.objects.filter(territory=territory)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )


def population_totals(*, territory: Territory) -> dict[int, int]:
    """Residents by year, e.g. {2022: 2_749_031, 2023: 2_755_309}; empty when unknown."""
    rows = (
        PopulationByAge.objects.filter(territory=territory)
        .values("year")
        .annotate(people=Sum("males") + Sum("females"))
        .order_by("year")
    )
    return {row["year"]: row["people"] for row in rows}


def population_totals_of(*, territories: Iterable[Territory], year: int) -> dict[int, int]:
    """Residents of `year` by territory id, for a page of territories; those without data are absent."""
    rows = (
        PopulationByAge.objects.filter(territory__in=[t.pk for t in territories], year=year)
        .values("territory_id")
        .annotate(people=Sum("males") + Sum("females"))
    )
    return {row["territory_id"]: row["people"] for row in rows}


def population_change(*, totals: dict[int, int]) -> PopulationChange | None:
    """The change from the first to the last year of `totals`; None with fewer than two years."""
    if len(totals) < 2:
        return None
    first_year, last_year = min(totals), max(totals)
    return PopulationChange(
        first_year=first_year, first=totals[first_year], last_year=last_year, last=totals[last_year]
    )


def population_pyramid(*, territory: Territory, year: int) -> list[tuple[int, int, int]]:
    """(age, males, females) for ages 0..100 of `year`; empty when the territory has no data."""
    return list(
        PopulationByAge.objects.filter(territory=territory, year=year)
        .order_by("age")
        .values_list("age", "males", "females")
    )


def population_bands(*, territory: Territory, year: int) -> list[PopulationBand]:
    """Residents of `year` in the age bands of AGE_BANDS; empty when the territory has no data."""
    return _bands_of(population_pyramid(territory=territory, year=year))


def _bands_of(pyramid: list[tuple[int, int, int]]) -> list[PopulationBand]:
    if not pyramid:
        return []
    bands = []
    for label, low, high in AGE_BANDS:
        rows = [r for r in pyramid if r[0] >= low and (high is None or r[0] <= high)]
        bands.append(
            PopulationBand(label=label, males=sum(r[1] for r in rows), females=sum(r[2] for r in rows))
        )
    return bands


def population_age_groups(*, pyramid: list[tuple[int, int, int]], width: int = 5) -> list[PopulationBand]:
    """Fold a single-age `pyramid` into groups of `width` years (0-4, 5-9, …, 95-99, 100+)."""
    groups: list[PopulationBand] = []
    for low in range(0, PopulationByAge.MAX_AGE, width):
        high = min(low + width, PopulationByAge.MAX_AGE) - 1
        rows = [r for r in pyramid if low <= r[0] <= high]
        groups.append(
            PopulationBand(
                label=f"{low}-{high}", males=sum(r[1] for r in rows), females=sum(r[2] for r in rows)
            )
        )
    top = [r for r in pyramid if r[0] >= PopulationByAge.MAX_AGE]
    groups.append(
        PopulationBand(
            label=f"{PopulationByAge.MAX_AGE}+", males=sum(r[1] for r in top), females=sum(r[2] for r in top)
        )
    )
    return groups


def population_profile(*, territory: Territory) -> PopulationProfile:
    """Residents by year, their change, and the latest year's pyramid, bands and 5-year groups.

    A territory without population rows gets an empty profile (`year` None): unknown, never zero.
    """
    totals = population_totals(territory=territory)
    if not totals:
        return PopulationProfile(totals={}, change=None, year=None)
    year = max(totals)
    pyramid = population_pyramid(territory=territory, year=year)
    everyone = totals[year]

    def with_share(bands: list[PopulationBand]) -> list[PopulationBand]:
        return [replace(b, share=100 * b.total / everyone if everyone else None) for b in bands]

    return PopulationProfile(
        totals=totals,
        change=population_change(totals=totals),
        year=year,
        pyramid=pyramid,
        bands=with_share(_bands_of(pyramid)),
        groups=with_share(population_age_groups(pyramid=pyramid)),
    )
