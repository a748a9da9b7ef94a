"""Supply indicators computed from the declarations, written through the indicators' one writer.

`supply_indicators_refresh(periods=…)` is called after every change of declarations (form, import,
catalogue load). For each year it computes every comune's counts from all the declarations of that year
(analytics.supply: own declarations plus a share of the ambito's), compares them with the stored
observations and writes only the indicators that changed: `observations_store` for new or changed
cells, `observations_withdraw` for comuni that no longer have a value; both rebuild the sums into
ambiti, province, regioni and Italy. Denominators are ISTAT residents at 1 January of the year, or of
the latest year loaded before it (the first loaded when the year is earlier than all).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db import connection, transaction
from django.db.models import Q

from welfarelab.analytics.supply import (
    AGED_0_2,
    AGED_65_PLUS,
    HOME_CARE_USERS_65,
    NURSERY_PLACES,
    RESIDENTS,
    SOCIAL_WORKERS_PERMANENT_FTE,
    SPENDING,
    SPENDING_DOMAIN_PREFIX,
    SupplyRatio,
    comune_amounts,
    declaration_contributions,
    supply_counts,
)
from welfarelab.indicators.frames import query_frame
from welfarelab.indicators.models import Indicator, Observation
from welfarelab.indicators.services import observations_store, observations_withdraw
from welfarelab.services.models import SupplyDeclaration
from welfarelab.territories.models import PopulationByAge, Territory

SOURCE = "Dichiarazioni dell'offerta dei servizi sociali di comuni e ambiti (welfarelab)"
SPENDING_BY_DOMAIN_PREFIX = "social_spending_pc_"


def supply_ratios(*, domain_codes: Iterable[str]) -> list[SupplyRatio]:
    """The supply indicators and what each is made of (their texts are in supply_indicators.yaml)."""
    return [
        SupplyRatio("nursery_places_per_100_0_2", NURSERY_PLACES, AGED_0_2),
        SupplyRatio("social_workers_per_10000", SOCIAL_WORKERS_PERMANENT_FTE, RESIDENTS),
        SupplyRatio("residents_per_social_worker", SOCIAL_WORKERS_PERMANENT_FTE, RESIDENTS, inverted=True),
        SupplyRatio("home_care_users_65_per_100", HOME_CARE_USERS_65, AGED_65_PLUS),
        SupplyRatio("social_spending_pc", SPENDING, RESIDENTS),
        *(
            SupplyRatio(f"{SPENDING_BY_DOMAIN_PREFIX}{code}", f"{SPENDING_DOMAIN_PREFIX}{code}", RESIDENTS)
            for code in domain_codes
        ),
    ]


def _supply_indicators() -> tuple[dict[str, Indicator], list[SupplyRatio]]:
    """The supply indicators loaded in the catalogue, by code, and their ratios (only those loaded)."""
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=[r.code for r in supply_ratios(domain_codes=())])
        | Indicator.objects.filter(code__startswith=SPENDING_BY_DOMAIN_PREFIX, is_builtin=True)
    }
    domains = [
        code.removeprefix(SPENDING_BY_DOMAIN_PREFIX)
        for code in indicators
        if code.startswith(SPENDING_BY_DOMAIN_PREFIX)
    ]
    return indicators, [r for r in supply_ratios(domain_codes=domains) if r.code in indicators]


def _declarations_frame(year: int, *, comune_ids: list[int] | None) -> pl.DataFrame:
    """The declarations of `year` (of `comune_ids` and their ambiti) in the shape analytics.supply wants."""
    declarations = SupplyDeclaration.objects.filter(year=year)
    if comune_ids is not None:
        ambiti = Territory.objects.filter(pk__in=comune_ids).exclude(ambito=None).values("ambito_id")
        declarations = declarations.filter(Q(territory_id__in=comune_ids) | Q(territory_id__in=ambiti))
    domains: dict[int, list[str]] = {}
    for declaration_id, code in SupplyDeclaration.need_domains.through.objects.filter(
        supplydeclaration__in=declarations
    ).values_list("supplydeclaration_id", "needdomain__code"):
        domains.setdefault(declaration_id, []).append(code)
    rows = [
        (
            pk,
            territory_id,
            kind,
            list(counts_as),
            places,
            older_users,
            None if social_workers is None else float(social_workers),
            None if spending is None else float(spending),
        )
        for pk, territory_id, kind, counts_as, places, older_users, social_workers, spending in declarations.values_list(
            "pk",
            "territory_id",
            "territory__kind",
            "service__counts_as",
            "places",
            "users_aged_65_plus",
            "social_workers_permanent_fte",
            "spending_eur",
        )
    ]
    return pl.DataFrame(
        [(*row[1:], sorted(domains.get(row[0], []))) for row in rows],
        schema={
            "territory": pl.Int64,
            "level": pl.String,
            "counts_as": pl.List(pl.String),
            "places": pl.Float64,
            "users_aged_65_plus": pl.Float64,
            "social_workers_permanent_fte": pl.Float64,
            "spending": pl.Float64,
            "domains": pl.List(pl.String),
        },
        orient="row",
    )


def population_year_for(year: int, years: list[int]) -> int | None:
    """The population year used for declarations of `year`: itself, else the latest before, else the first."""
    earlier = [y for y in years if y <= year]
    if earlier:
        return max(earlier)
    return min(years) if years else None


def _population_years() -> list[int]:
    """The years of population loaded (read from Italy and the regioni: a few rows, not 800,000)."""
    large = PopulationByAge.objects.filter(
        territory__kind__in=[Territory.Kind.ITALIA, Territory.Kind.REGIONE]
    )
    years = set(large.values_list("year", flat=True).distinct())
    return sorted(years or set(PopulationByAge.objects.values_list("year", flat=True).distinct()))


def _comuni_frame(population_year: int | None, *, comune_ids: list[int] | None) -> pl.DataFrame:
    """Comuni with their ambito and their residents, aged 0–2 and aged 65+ in `population_year`."""
    population = connection.ops.quote_name(PopulationByAge._meta.db_table)
    territory = connection.ops.quote_name(Territory._meta.db_table)
    only = ""
    params: list[int | str] = [
        population_year if population_year is not None else -1,
        Territory.Kind.COMUNE.value,
    ]
    if comune_ids is not None:
        only = f" AND t.id IN ({', '.join(['%s'] * len(comune_ids))})" if comune_ids else " AND 1 = 0"
        params.extend(comune_ids)
    return query_frame(
        f"SELECT t.id, t.ambito_id, SUM(p.males + p.females), "  # noqa: S608
        f"SUM(CASE WHEN p.age <= 2 THEN p.males + p.females ELSE 0 END), "
        f"SUM(CASE WHEN p.age >= 65 THEN p.males + p.females ELSE 0 END) "
        f"FROM {territory} t LEFT JOIN {population} p ON p.territory_id = t.id AND p.year = %s "
        f"WHERE t.kind = %s{only} GROUP BY t.id, t.ambito_id",
        params,
        {
            "comune": pl.Int64,
            "ambito": pl.Int64,
            RESIDENTS: pl.Float64,
            AGED_0_2: pl.Float64,
            AGED_65_PLUS: pl.Float64,
        },
    )


def supply_counts_for_year(
    year: int, *, ratios: list[SupplyRatio], population_year: int | None, comune_ids: list[int] | None = None
) -> pl.DataFrame:
    """(indicator, comune, numerator, denominator) for the comuni (all, or `comune_ids`) with something
    declared in `year`, by themselves or by their ambito."""
    comuni = _comuni_frame(population_year, comune_ids=comune_ids)
    contributions = declaration_contributions(_declarations_frame(year, comune_ids=comune_ids))
    return supply_counts(comune_amounts(contributions, comuni), comuni, ratios)


def _stored(indicator_ids: list[int], period: int, *, comune_ids: list[int] | None) -> pl.DataFrame:
    observations = Observation.objects.filter(
        period=period, origin=Observation.Origin.REPORTED, indicator_id__in=indicator_ids
    )
    if comune_ids is not None:
        observations = observations.filter(territory_id__in=comune_ids)
    return pl.DataFrame(
        list(observations.values_list("indicator_id", "territory_id", "numerator", "denominator")),
        schema={
            "indicator_id": pl.Int64,
            "territory_id": pl.Int64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )


def _same(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Equal numbers (to a relative 1e-9: float noise of the shares) or both unknown."""
    both_null = left.is_null() & right.is_null()
    close = (left - right).abs() <= 1e-9 * pl.max_horizontal(left.abs(), right.abs(), pl.lit(1.0))
    return both_null | close.fill_null(False)


def _scope(territories: Iterable[Territory]) -> list[int]:
    """The comuni whose counts a change of `territories`' declarations may move: a comune's whole ambito
    (its share of the ambito's services depends on its fellow comuni), an ambito's comuni."""
    ambiti: set[int] = set()
    comuni: set[int] = set()
    for territory in territories:
        if territory.kind == Territory.Kind.AMBITO:
            ambiti.add(territory.pk)
        elif territory.ambito_id is not None:
            ambiti.add(territory.ambito_id)
        else:
            comuni.add(territory.pk)
    members = Territory.objects.filter(kind=Territory.Kind.COMUNE, ambito_id__in=ambiti).values_list(
        "pk", flat=True
    )
    return sorted(comuni | set(members))


@transaction.atomic
def supply_indicators_refresh(
    *, periods: Iterable[int] | None = None, territories: Iterable[Territory] | None = None
) -> int:
    """Recompute the supply indicators of `periods` (every declared or stored year if None), for the comuni
    `territories`' declarations reach (every comune if None). Returns the cells written or withdrawn."""
    indicators, ratios = _supply_indicators()
    if not indicators:
        return 0  # the catalogue is not loaded yet: nothing to write into
    by_id = {i.pk: i for i in indicators.values()}
    if periods is None:
        periods = set(SupplyDeclaration.objects.values_list("year", flat=True).distinct()) | set(
            Observation.objects.filter(indicator_id__in=list(by_id), origin=Observation.Origin.REPORTED)
            .values_list("period", flat=True)
            .distinct()
        )
    comune_ids = None if territories is None else _scope(territories)
    years = _population_years()
    ids = {code: indicator.pk for code, indicator in indicators.items()}
    changed = 0
    for period in sorted(set(periods)):
        population_year = population_year_for(period, years)
        computed = supply_counts_for_year(
            period, ratios=ratios, population_year=population_year, comune_ids=comune_ids
        ).select(
            pl.col("indicator").replace_strict(ids, return_dtype=pl.Int64).alias("indicator_id"),
            pl.col("comune").alias("territory_id"),
            "numerator",
            "denominator",
            computed=pl.lit(True),
        )
        compared = computed.join(
            _stored(list(by_id), period, comune_ids=comune_ids),
            on=["indicator_id", "territory_id"],
            how="full",
            coalesce=True,
            suffix="_stored",
        )
        is_computed = pl.col("computed").fill_null(False)
        unchanged = _same(pl.col("numerator"), pl.col("numerator_stored")) & _same(
            pl.col("denominator"), pl.col("denominator_stored")
        )
        fresh = compared.filter(is_computed & ~unchanged)
        gone = compared.filter(~is_computed)
        source = SOURCE + (
            f"; ISTAT, popolazione residente al 1° gennaio {population_year}" if population_year else ""
        )
        for indicator_id in sorted(
            set(fresh["indicator_id"].to_list()) | set(gone["indicator_id"].to_list())
        ):
            indicator = by_id[indicator_id]
            stale = gone.filter(pl.col("indicator_id") == indicator_id)["territory_id"].to_list()
            if stale:
                changed += observations_withdraw(indicator=indicator, territory_ids=stale, period=period)
            rows = fresh.filter(pl.col("indicator_id") == indicator_id)
            if rows.height:
                changed += observations_store(
                    indicator=indicator,
                    frame=rows.select(
                        "territory_id", pl.lit(period).alias("period"), "numerator", "denominator"
                    ),
                    batch=None,
                    source=source,
                )
    return changed
