"""Territories: Italia, regioni, province, ambiti territoriali sociali (ATS) and comuni, with their residents.

    GET /api/v1/territories?kind=comune&search=forli&page=1&page_size=50&format=json|csv|xlsx
    GET /api/v1/territories/{kind}/{code}          e.g. /api/v1/territories/comune/058091

Population is never 0 for "unknown": a territory without data has `population_2023: null` in lists and
`population_available: false` in its detail.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from ninja import P, PathEx, QueryEx, Router, Schema
from pydantic import Field

from welfarelab.api.v1.common import (
    DEFAULT_PAGE_SIZE,
    DOWNLOAD_RESPONSES,
    FORMAT_DESCRIPTION,
    MAX_PAGE_SIZE,
    PAGE_DESCRIPTION,
    PAGE_SIZE_DESCRIPTION,
    SEARCH_DESCRIPTION,
    ErrorOut,
    PageSlice,
    TabularFormat,
    ValidationErrorOut,
    export_response,
)
from welfarelab.territories.models import PopulationByAge, Territory
from welfarelab.territories.selectors import (
    population_bands,
    population_totals,
    population_totals_of,
    territory_get,
    territory_list,
    territory_members,
    territory_parents,
    territory_search,
)

router = Router(tags=["territories"])

# The values of Territory.Kind (a test keeps them equal), as a closed set the OpenAPI document lists.
TerritoryKind = Literal["italia", "regione", "provincia", "ambito", "comune"]

# ISTAT codes (`058091`, `058`, `12`), `IT` for Italy, the regions' codes of ambiti (`RM 5.1`, `A01`).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,11}$"

# The year of the residents shown in lists (1 January); the detail gives every year there is.
POPULATION_YEAR = 2023

# Who the members of a territory are (see territories.selectors.territory_members).
MEMBER_KIND: dict[str, TerritoryKind] = {
    Territory.Kind.ITALIA: "regione",
    Territory.Kind.REGIONE: "provincia",
    Territory.Kind.PROVINCIA: "comune",
    Territory.Kind.AMBITO: "comune",
}


class TerritoryListItem(Schema):
    code: str = Field(description="ISTAT code, as text.", examples=["058091"])
    kind: TerritoryKind
    name: str = Field(examples=["Roma"])
    regione_code: str | None = Field(examples=["12"])
    provincia_code: str | None = Field(examples=["058"])
    ambito_code: str | None = Field(examples=[None])
    population_2023: int | None = Field(
        description=f"Residents on 1 January {POPULATION_YEAR}; null when unknown.", examples=[2_748_109]
    )

    @staticmethod
    def resolve_regione_code(obj: Territory) -> str | None:
        return obj.regione.code if obj.regione is not None else None

    @staticmethod
    def resolve_provincia_code(obj: Territory) -> str | None:
        return obj.provincia.code if obj.provincia is not None else None

    @staticmethod
    def resolve_ambito_code(obj: Territory) -> str | None:
        return obj.ambito.code if obj.ambito is not None else None


class TerritoryPage(Schema):
    count: int = Field(description="Territories in the whole filtered list.")
    page: int
    pages: int = Field(description="Number of pages; at least 1, even for an empty list.")
    results: list[TerritoryListItem]


class TerritoryRef(Schema):
    kind: TerritoryKind
    code: str
    name: str


class ComuneAttributes(Schema):
    """ISTAT classifications 2023, DPCoe inner areas 2020, SITUAS 2026; null when unknown."""

    cadastral_code: str | None = Field(examples=["H501"])
    province_abbreviation: str | None = Field(examples=["RM"])
    altimetric_zone: int | None = Field(description="ISTAT altimetric zone, 1 to 5.", examples=[5])
    altimetric_zone_label: str | None
    altitude_m: int | None = Field(description="Altitude of the town hall, in metres.")
    is_coastal: bool | None = Field(description="The comune touches the sea.")
    is_island: bool | None = Field(description="The comune is on a minor island.")
    is_coastal_area: bool | None = Field(description="Eurostat coastal area.")
    degurba: int | None = Field(description="Degree of urbanisation: 1 cities, 2 towns, 3 rural.")
    degurba_label: str | None
    inner_area_class: str | None = Field(description="Inner-area class 2020, A (hub) to F.")
    inner_area_class_label: str | None
    inner_area_code_2020: str | None
    travel_minutes_to_hub: float | None
    code_2026: str | None = Field(description="ISTAT code of the comune in 2026.")
    crosswalk_2026: str | None = Field(description="What happened to the 2023 code by 2026.")
    crosswalk_2026_label: str | None
    tax_code: str | None = Field(description="Tax code of the comune as a public body.")


class MembersOut(Schema):
    kind: TerritoryKind = Field(description="The kind of the members: the comuni of an ambito, …")
    count: int


class AgeBandOut(Schema):
    band: str = Field(examples=["0-2", "85+"])
    males: int
    females: int
    total: int


class TerritoryDetail(Schema):
    code: str = Field(examples=["058091"])
    kind: TerritoryKind
    name: str = Field(examples=["Roma"])
    area_km2: float | None
    comune: ComuneAttributes | None = Field(description="Attributes of a comune; null for the other kinds.")
    parents: list[TerritoryRef] = Field(description="From the largest (Italia) to the nearest.")
    members: MembersOut | None = Field(description="Territories it is made of; null for a comune.")
    population_available: bool = Field(description="False when there are no residents' data at all.")
    population_total: dict[str, int] = Field(
        description="Residents on 1 January, by year.", examples=[{"2022": 2_749_031, "2023": 2_748_109}]
    )
    population_by_age_band: dict[str, list[AgeBandOut]] = Field(description="Residents by age band, by year.")


# The columns of a download (`?format=csv|xlsx`): the fields of TerritoryListItem, as the database has them.
TERRITORY_EXPORT_PATHS = {
    "code": "code",
    "kind": "kind",
    "name": "name",
    "regione_code": "regione__code",
    "provincia_code": "provincia__code",
    "ambito_code": "ambito__code",
    "population_2023": "population_2023",
}


def with_population(queryset: QuerySet[Territory]) -> QuerySet[Territory]:
    """Annotate `population_2023` (residents, or None when unknown) on every row, in the same query.

    For downloads of whole lists; a page sums its residents in one query after the page is read
    (`population_totals_of`), which spares the database a sum for every row it sorts.
    """
    residents = (
        PopulationByAge.objects.filter(territory=OuterRef("pk"), year=POPULATION_YEAR)
        .values("territory")
        .annotate(people=Sum("males") + Sum("females"))
        .values("people")
    )
    return queryset.annotate(population_2023=Subquery(residents, output_field=IntegerField()))


@router.get(
    "",
    response={200: TerritoryPage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List territories",
)
def territory_list_endpoint(
    request: HttpRequest,
    kind: QueryEx[TerritoryKind | None, P(description="Only territories of this kind.")] = None,
    search: QueryEx[str | None, P(max_length=100, description=SEARCH_DESCRIPTION)] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """Territories ordered by kind (largest first) and name; with `search`, the best matches first.

    A `search` also matches an exact code (`058091`). Each territory carries the codes of its regione,
    provincia and ambito, and its residents in 2023.
    """
    query = (search or "").replace("\x00", "").strip()
    territories = territory_search(query=query, kind=kind) if query else territory_list(kind=kind)
    if fmt != TabularFormat.JSON:
        return export_response(
            queryset=with_population(territories),
            item_schema=TerritoryListItem,
            paths=TERRITORY_EXPORT_PATHS,
            fmt=fmt,
            filename=f"territories-{kind}" if kind else "territories",
        )
    page_slice = PageSlice(territories.select_related("ambito"), page=page, page_size=page_size)
    residents = population_totals_of(territories=page_slice.results, year=POPULATION_YEAR)
    for territory in page_slice.results:
        territory.population_2023 = residents.get(territory.pk)  # type: ignore[attr-defined]
    return page_slice.as_dict()


@router.get(
    "/{kind}/{code}",
    response={200: TerritoryDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One territory",
)
def territory_detail_endpoint(
    request: HttpRequest,
    kind: TerritoryKind,
    code: PathEx[str, P(pattern=CODE_PATTERN, description="ISTAT code, as text.", example="058091")],
) -> dict[str, object]:
    """A territory with its parents, members, comune attributes and residents by year and age band.

    Answers 404 `{"detail": "No comune with code '999999'."}` for an unknown code.
    """
    territory = territory_get(kind=kind, code=code)
    return territory_detail(territory)


def territory_detail(territory: Territory) -> dict[str, object]:
    totals = population_totals(territory=territory)
    member_kind = MEMBER_KIND.get(territory.kind)
    return {
        "code": territory.code,
        "kind": territory.kind,
        "name": territory.name,
        "area_km2": territory.area_km2,
        "comune": _comune_attributes(territory) if territory.is_comune else None,
        "parents": [
            {"kind": parent.kind, "code": parent.code, "name": parent.name}
            for parent in territory_parents(territory=territory)
        ],
        "members": (
            {"kind": member_kind, "count": territory_members(territory=territory).count()}
            if member_kind is not None
            else None
        ),
        "population_available": bool(totals),
        "population_total": {str(year): people for year, people in totals.items()},
        "population_by_age_band": {
            str(year): [
                {"band": band.label, "males": band.males, "females": band.females, "total": band.total}
                for band in population_bands(territory=territory, year=year)
            ]
            for year in totals
        },
    }


def _comune_attributes(comune: Territory) -> dict[str, object]:
    return {
        "cadastral_code": comune.cadastral_code or None,
        "province_abbreviation": comune.province_abbreviation or None,
        "altimetric_zone": comune.altimetric_zone,
        "altimetric_zone_label": _label(comune.altimetric_zone, comune.get_altimetric_zone_display()),
        "altitude_m": comune.altitude_m,
        "is_coastal": comune.is_coastal,
        "is_island": comune.is_island,
        "is_coastal_area": comune.is_coastal_area,
        "degurba": comune.degurba,
        "degurba_label": _label(comune.degurba, comune.get_degurba_display()),
        "inner_area_class": comune.inner_area_class or None,
        "inner_area_class_label": _label(comune.inner_area_class, comune.get_inner_area_class_display()),
        "inner_area_code_2020": comune.inner_area_code_2020 or None,
        "travel_minutes_to_hub": comune.travel_minutes_to_hub,
        "code_2026": comune.code_2026 or None,
        "crosswalk_2026": comune.crosswalk_2026 or None,
        "crosswalk_2026_label": _label(comune.crosswalk_2026, comune.get_crosswalk_2026_display()),
        "tax_code": comune.tax_code or None,
    }


def _label(value: object, display: object) -> str | None:
    """The translated label of a coded value, or None when the value is unknown (null or blank)."""
    return str(display) if value not in (None, "") else None
