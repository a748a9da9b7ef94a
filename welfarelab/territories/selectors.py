"""Reads of territories and population, shared by pages, API and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
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

# Larger territories first when names tie: "Roma" the comune after nothing, but Lazio before a comune "Lazio…".
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

    @property
    def total(self) -> int:
        return self.males + self.females


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
        return Territory.objects.filter(kind=Territory.Kind.PROVINCIA, regione=territory).order_by("name_folded")
    if territory.kind == Territory.Kind.ITALIA:
        return Territory.objects.filter(kind=Territory.Kind.REGIONE).order_by("code")
    return Territory.objects.none()


def population_years(*, territory: Territory) -> list[int]:
    return list(
        PopulationByAge.objects.filter(territory=territory).values_list("year", flat=True).distinct().order_by("year")
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


def population_pyramid(*, territory: Territory, year: int) -> list[tuple[int, int, int]]:
    """(age, males, females) for ages 0..100 of `year`; empty when the territory has no data."""
    return list(
        PopulationByAge.objects.filter(territory=territory, year=year)
        .order_by("age")
        .values_list("age", "males", "females")
    )


def population_bands(*, territory: Territory, year: int) -> list[PopulationBand]:
    """Residents of `year` in the age bands of AGE_BANDS; empty when the territory has no data."""
    pyramid = population_pyramid(territory=territory, year=year)
    if not pyramid:
        return []
    bands = []
    for label, low, high in AGE_BANDS:
        rows = [r for r in pyramid if r[0] >= low and (high is None or r[0] <= high)]
        bands.append(PopulationBand(label=label, males=sum(r[1] for r in rows), females=sum(r[2] for r in rows)))
    return bands
