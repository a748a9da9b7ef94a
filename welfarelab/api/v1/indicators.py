"""Indicators: the catalogue and the values of each indicator for every territory and period.

    GET /api/v1/indicators?domain=invecchiamento_non_autosufficienza&format=json|csv|xlsx
    GET /api/v1/indicators/{code}
    GET /api/v1/indicators/{code}/values?kind=comune&period=2023&within=regione:05&format=json|csv|xlsx

Every value comes with its numerator, denominator and 95% limits (null where the kind of statistic has
no interval). Values of territories marked `aggregated` are sums of their comuni's numerators and
denominators; `coverage` is the share of the comuni that had a value.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, QueryEx, Router, Schema
from pydantic import Field

from welfarelab.api.v1.common import (
    DEFAULT_PAGE_SIZE,
    DOWNLOAD_RESPONSES,
    FORMAT_DESCRIPTION,
    MAX_PAGE_SIZE,
    PAGE_DESCRIPTION,
    PAGE_SIZE_DESCRIPTION,
    ErrorOut,
    PageSlice,
    TabularFormat,
    ValidationErrorOut,
    export_response,
)
from welfarelab.api.v1.territories import TerritoryKind
from welfarelab.indicators import selectors
from welfarelab.indicators.models import FIRST_PERIOD, LAST_PERIOD, Indicator, Observation
from welfarelab.territories.models import Territory
from welfarelab.territories.selectors import territory_get

router = Router(tags=["indicators"])

INDICATOR_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,62}$"
WITHIN_PATTERN = r"^(italia|regione|provincia|ambito):[A-Za-z0-9][A-Za-z0-9 ._-]{0,11}$"
Statistic = Literal["proportion", "rate", "count", "ratio", "mean", "change", "enumeration"]
Polarity = Literal["higher_is_better", "lower_is_better", "no_judgement"]


class NeedDomainOut(Schema):
    code: str = Field(examples=["invecchiamento_non_autosufficienza"])
    name: str


class IndicatorListItem(Schema):
    code: str = Field(examples=["old_age_index"])
    name: str = Field(examples=["Indice di vecchiaia"])
    definition: str
    unit: str = Field(examples=["per 100"])
    multiplier: float = Field(examples=[100])
    statistic: Statistic = Field(description="Kind of statistic; decides the interval method.")
    polarity: Polarity
    period_type: str = Field(examples=["1_january"])
    source: str
    licence: str

    @staticmethod
    def resolve_name(obj: Indicator) -> str:
        return obj.name

    @staticmethod
    def resolve_definition(obj: Indicator) -> str:
        return obj.definition

    @staticmethod
    def resolve_unit(obj: Indicator) -> str:
        return obj.unit


class IndicatorPage(Schema):
    count: int
    page: int
    pages: int
    results: list[IndicatorListItem]


class IndicatorDetail(IndicatorListItem):
    name_it: str
    name_en: str
    definition_it: str
    definition_en: str
    numerator: str = Field(description="What is counted above the line; empty for a count.")
    denominator: str = Field(description="What it is divided by; empty for a count.")
    interval_method: str = Field(examples=["wilson", "byar_or_exact_poisson", "none"])
    decimals: int
    need_domains: list[NeedDomainOut]
    source_url: str
    leps_code: str | None
    target_value: float | None
    target_direction: str | None
    periods: list[int] = Field(description="Periods with values, latest first.")

    @staticmethod
    def resolve_numerator(obj: Indicator) -> str:
        return obj.numerator

    @staticmethod
    def resolve_need_domains(obj: Indicator) -> list[dict[str, str]]:
        return [{"code": d.code, "name": d.name} for d in obj.need_domains.all()]

    @staticmethod
    def resolve_leps_code(obj: Indicator) -> str | None:
        return obj.leps_code or None

    @staticmethod
    def resolve_target_direction(obj: Indicator) -> str | None:
        return obj.target_direction or None

    @staticmethod
    def resolve_denominator(obj: Indicator) -> str:
        return obj.denominator


class ValueItem(Schema):
    territory_kind: TerritoryKind
    territory_code: str = Field(examples=["058091"])
    territory_name: str = Field(examples=["Roma"])
    period: int = Field(examples=[2023])
    value: float | None = Field(description="null when unknown.")
    numerator: float | None
    denominator: float | None
    lower_95: float | None = Field(description="Lower 95% limit; null when the statistic has no interval.")
    upper_95: float | None
    origin: Literal["reported", "aggregated"]
    coverage: float | None = Field(description="For a sum of comuni, the share of its comuni with a value.")


class ValuePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ValueItem]


VALUE_EXPORT_PATHS = {
    "territory_kind": "territory__kind",
    "territory_code": "territory__code",
    "territory_name": "territory__name",
    "period": "period",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "lower_95": "lower_95",
    "upper_95": "upper_95",
    "origin": "origin",
    "coverage": "coverage",
}
INDICATOR_EXPORT_PATHS = {
    "code": "code",
    "name": "name_it",
    "definition": "definition_it",
    "unit": "unit_it",
    "multiplier": "multiplier",
    "statistic": "statistic",
    "polarity": "polarity",
    "period_type": "period_type",
    "source": "source",
    "licence": "licence",
}
INTERVAL_METHODS: dict[str, str] = {
    Indicator.Statistic.PROPORTION: "wilson",
    Indicator.Statistic.RATE: "byar_or_exact_poisson",
    Indicator.Statistic.COUNT: "byar_or_exact_poisson",
}


def _indicator(code: str) -> Indicator:
    try:
        return selectors.indicator_get(code=code)
    except Indicator.DoesNotExist:
        raise Http404(f"No indicator with code '{code}'.") from None


def _within(within: str | None) -> Territory | None:
    if not within:
        return None
    kind, code = within.split(":", 1)
    return territory_get(kind=kind, code=code)


@router.get(
    "",
    response={200: IndicatorPage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List indicators",
)
def indicator_list_endpoint(
    request: HttpRequest,
    domain: QueryEx[str | None, P(max_length=40, description="Only indicators of this need domain.")] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The published indicators in catalogue order, with their definition, unit, source and licence."""
    indicators: QuerySet[Indicator] = selectors.indicator_list(domain=domain)
    if fmt != TabularFormat.JSON:
        return export_response(
            queryset=indicators,
            item_schema=IndicatorListItem,
            paths=INDICATOR_EXPORT_PATHS,
            fmt=fmt,
            filename="indicators",
        )
    return PageSlice(indicators, page=page, page_size=page_size).as_dict()


@router.get(
    "/{code}",
    response={200: IndicatorDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One indicator",
    url_name="indicator_detail",
)
def indicator_detail_endpoint(
    request: HttpRequest,
    code: PathEx[str, P(pattern=INDICATOR_CODE_PATTERN, example="old_age_index")],
) -> Indicator:
    """Everything about an indicator: definition in Italian and English, numerator, denominator,
    multiplier, kind of statistic and interval method, polarity, need domains, source, licence, legal
    target, and the periods that have values."""
    indicator = _indicator(code)
    # The model carries the other fields; these two are set on it for the schema to read.
    indicator.interval_method = INTERVAL_METHODS.get(indicator.statistic, "none")  # type: ignore[attr-defined]
    indicator.periods = selectors.indicator_periods(indicator=indicator)  # type: ignore[attr-defined]
    return indicator


@router.get(
    "/{code}/values",
    response={200: ValuePage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="Values of an indicator",
    url_name="indicator_values",
)
def indicator_values_endpoint(
    request: HttpRequest,
    code: PathEx[str, P(pattern=INDICATOR_CODE_PATTERN, example="old_age_index")],
    kind: QueryEx[TerritoryKind | None, P(description="Only territories of this kind.")] = None,
    period: QueryEx[
        int | None, P(ge=FIRST_PERIOD, le=LAST_PERIOD, description="Only this period (year).")
    ] = None,
    within: QueryEx[
        str | None,
        P(
            pattern=WITHIN_PATTERN,
            description="Only territories inside this one, as `kind:code` (e.g. `regione:05`).",
        ),
    ] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """Values with numerator, denominator and 95% limits, ordered by period, kind and territory code.

    Answers 404 for an unknown indicator or `within` territory.
    """
    indicator = _indicator(code)
    values: QuerySet[Observation] = selectors.observation_values(
        indicator=indicator, kind=kind, period=period, within=_within(within)
    )
    if fmt != TabularFormat.JSON:
        name = "-".join(str(part) for part in (indicator.code, kind, period) if part)
        return export_response(
            queryset=values, item_schema=ValueItem, paths=VALUE_EXPORT_PATHS, fmt=fmt, filename=name
        )
    page_slice = PageSlice(values, page=page, page_size=page_size)
    return {
        **page_slice.as_dict(),
        "results": [
            {
                **{
                    path: getattr(o, path)
                    for path in (
                        "period",
                        "value",
                        "numerator",
                        "denominator",
                        "lower_95",
                        "upper_95",
                        "origin",
                        "coverage",
                    )
                },
                "territory_kind": o.territory.kind,
                "territory_code": o.territory.code,
                "territory_name": o.territory.name,
            }
            for o in page_slice.results
        ],
    }
