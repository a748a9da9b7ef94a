"""Reads of the service catalogue, the declarations and the LEPS gaps, for pages and other apps.

`territory_leps_gaps(territory, year)` is the one the community profile and its API call: where a
territory stands against every LEPS of the table, in four queries whatever the territory (the LEPS
table and the catalogue file are read once per process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from welfarelab.analytics.leps import (
    CoverageTarget,
    GapFigures,
    PopulationRatioTarget,
    coverage_gap,
    population_ratio_gap,
    round_up,
)
from welfarelab.indicators.models import Observation
from welfarelab.services.catalogue import services_file
from welfarelab.services.leps import (
    NUMERIC_BINDINGS,
    Leps,
    LepsReference,
    LepsTarget,
    leps_catalogue,
    level_label,
)
from welfarelab.services.models import ServiceMacroArea, SocialService, SupplyDeclaration
from welfarelab.territories.models import Territory

# Statuses of a LEPS for a territory.
MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"
DECLARED = "declared"
PARTLY_DECLARED = "partly_declared"
NOT_DECLARED = "not_declared"


def status_label(status: str) -> str:
    return {
        MET: _("Met"),
        NOT_MET: _("Not met"),
        NO_DATA: _("No data"),
        DECLARED: _("Service declared"),
        PARTLY_DECLARED: _("Partly declared"),
        NOT_DECLARED: _("Service not declared"),
    }[status]


@dataclass(frozen=True)
class LepsGap:
    """Where a territory stands against one LEPS target in one year (one row of the LEPS table).

    A LEPS with numeric targets the platform measures gives one LepsGap per target (the essential level
    and the service target); any other LEPS gives one, saying whether its service is declared.

    - `level` is "LEP" or "obiettivo_servizio" (`level_label` in words);
    - `status` is met, not_met or no_data for a numeric target; declared, partly_declared,
      not_declared or no_data for a LEPS without one (`status_label` in words);
    - `current` and `target` are in the target's terms: inhabitants per unit for a ratio (5000 for
      1 per 5,000), percent for coverage; `missing` is the amount to add (social workers in FTE,
      whole nursery places), 0 when met, None when unknown; `missing_label` says it in words;
    - `coverage` is the share of the territory's comuni the figures come from (1 = all);
    - `to_verify` lists what the LEPS table marks as not confirmed; pages show it as "to verify".
    """

    leps_id: str
    name: str
    level: str
    level_label: str
    kind_label: str
    target_text: str
    target_label: str
    deadline: str
    status: str
    status_label: str
    current: float | None = None
    current_label: str = ""
    target: float | None = None
    missing: float | None = None
    required: float | None = None
    missing_unit: str = ""
    missing_label: str = ""
    indicator_code: str = ""
    coverage: float | None = None
    declared_services: tuple[str, ...] = ()
    missing_services: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    to_verify: tuple[str, ...] = ()
    references: tuple[LepsReference, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def is_numeric(self) -> bool:
        return bool(self.indicator_code)

    @property
    def shortfall(self) -> float | None:
        """The share of what the target asks that is missing, 0 (met) to 1 (none of it); None if unknown.

        Direction-free: 3.4 of 8.4 social workers missing is 0.40; no social worker at all is 1.
        """
        if self.missing is None or not self.required:
            return None
        return min(1.0, self.missing / self.required)


def _number(value: float, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _percent(value: float) -> str:
    """At most two decimals, none written in vain: 33%, 24.8%, 28.88%."""
    decimals = next(d for d in (0, 1, 2) if round(value, d) == round(value, 2))
    return f"{_number(value, decimals)}%"


def target_words(target: PopulationRatioTarget | CoverageTarget) -> str:
    """A numeric target in the page's language: "1 per 5,000 inhabitants", "33% coverage"."""
    if isinstance(target, PopulationRatioTarget):
        return _("%(units)s per %(people)s inhabitants") % {
            "units": _number(target.units, 0 if target.units.is_integer() else 1),
            "people": _number(target.inhabitants),
        }
    return _("%(percent)s coverage") % {"percent": _percent(target.percent)}


def _common(leps: Leps) -> dict[str, object]:
    return {
        "leps_id": leps.id,
        "name": leps.name,
        "kind_label": leps.kind_label,
        "to_verify": leps.to_verify,
        "references": leps.references,
        "sources": leps.sources,
    }


def _level_note(leps: Leps, territory: Territory) -> tuple[str, ...]:
    if leps.measured_at.upper() == "ATS" and territory.kind != Territory.Kind.AMBITO:
        return (_("The level is set for the social district (ambito): this figure is shown for comparison."),)
    return ()


def _coverage_note(coverage: float | None) -> tuple[str, ...]:
    if coverage is None or coverage >= 1:
        return ()
    return (
        _("Computed on the comuni with declarations: %(share)s of the comuni of the territory.")
        % {"share": _percent(round(coverage * 100, 1))},
    )


def _numeric_gap(
    leps: Leps, target: LepsTarget, observation: Mapping[str, Any] | None, territory: Territory
) -> LepsGap:
    binding = NUMERIC_BINDINGS[leps.id]
    numeric = target.numeric
    numerator = observation["numerator"] if observation else None
    denominator = observation["denominator"] if observation else None
    coverage = observation["coverage"] if observation else None
    words = target_words(numeric)  # type: ignore[arg-type]
    figures: GapFigures
    if isinstance(numeric, PopulationRatioTarget):
        figures = population_ratio_gap(units=numerator, population=denominator, target=numeric)
        unit = _("social workers on permanent contracts (FTE)")
        if figures.current is not None:
            current_label = _("1 per %(people)s inhabitants") % {"people": _number(figures.current)}
        elif figures.required is not None:
            current_label = _("no social worker on a permanent contract declared")
        else:
            current_label = ""
        missing_label = ""
        if figures.missing:
            amount = round_up(figures.missing, 1)
            missing_label = ngettext(
                "%(amount)s social worker missing for %(target)s",
                "%(amount)s social workers missing for %(target)s",
                1 if amount == 1 else 2,
            ) % {"amount": _number(amount, 1), "target": words}
    else:
        assert isinstance(numeric, CoverageTarget)
        figures = coverage_gap(places=numerator, eligible=denominator, target=numeric)
        unit = _("nursery places")
        current_label = _percent(round(figures.current, 1)) if figures.current is not None else ""
        missing_label = ""
        if figures.missing:
            missing_label = ngettext(
                "%(amount)s nursery place missing for %(target)s",
                "%(amount)s nursery places missing for %(target)s",
                int(figures.missing),
            ) % {"amount": _number(figures.missing), "target": words}
    status = NO_DATA if figures.met is None else (MET if figures.met else NOT_MET)
    return LepsGap(
        **_common(leps),  # type: ignore[arg-type]
        level=target.level,
        level_label=target.level_label,
        target_text=target.text,
        target_label=words,
        deadline=target.deadline,
        status=status,
        status_label=status_label(status),
        current=figures.current,
        current_label=current_label,
        target=figures.target,
        missing=figures.missing,
        required=figures.required,
        missing_unit=unit,
        missing_label=missing_label,
        indicator_code=binding.indicator,
        coverage=coverage,
        notes=_level_note(leps, territory) + _coverage_note(coverage),
    )


@dataclass(frozen=True)
class _Declared:
    """Which services the comuni of a territory have in a year, their own or their ambito's.

    Comuni with the same services are counted together (`units`: set of service codes → how many
    comuni), so that Italy's 7,899 comuni are a handful of sets to check against each LEPS.
    """

    units: Counter[frozenset[str]]
    reporting: int  # comuni with at least one declared service

    @property
    def total(self) -> int:
        return sum(self.units.values())


def _declared(territory: Territory, year: int, codes: dict[int, str]) -> _Declared:
    """Two queries: the comuni of the territory with their ambito, and the year's declarations that reach them.

    `codes` maps service ids to codes. A territory without comuni (an ambito not yet given them) is
    read from its own declarations.
    """
    kind = territory.kind
    if kind == Territory.Kind.COMUNE:
        comuni = {territory.pk: territory.ambito_id}
    else:
        members = Territory.objects.filter(kind=Territory.Kind.COMUNE)
        if kind == Territory.Kind.AMBITO:
            members = members.filter(ambito=territory)
        elif kind == Territory.Kind.PROVINCIA:
            members = members.filter(provincia=territory)
        elif kind == Territory.Kind.REGIONE:
            members = members.filter(regione=territory)
        comuni = dict(members.values_list("pk", "ambito_id"))
    declarations = SupplyDeclaration.objects.filter(year=year)
    if kind != Territory.Kind.ITALIA:  # by ids, which the indexes answer: no join, no OR
        reaching = {territory.pk, *comuni, *(ambito for ambito in comuni.values() if ambito)}
        declarations = declarations.filter(territory_id__in=sorted(reaching))
    services: dict[int, set[str]] = {}
    for territory_id, service_id in declarations.values_list("territory_id", "service_id"):
        services.setdefault(territory_id, set()).add(codes[service_id])
    if not comuni:
        own = frozenset(services.get(territory.pk, set()))
        return _Declared(units=Counter([own]), reporting=1 if own else 0)
    nothing: set[str] = set()
    units = Counter(
        frozenset(services.get(comune, nothing) | (services.get(ambito, nothing) if ambito else nothing))
        for comune, ambito in comuni.items()
    )
    return _Declared(units=units, reporting=sum(count for codes, count in units.items() if codes))


def _service_gap(leps: Leps, declared: _Declared, names: dict[str, str], year: int) -> LepsGap:
    requirements = services_file().leps_requirements.get(leps.id, ())
    target = leps.targets[0] if leps.targets else None
    common = {
        **_common(leps),
        "level": target.level if target else leps.level,
        "level_label": target.level_label if target else level_label(leps.level),
        "target_text": target.text if target else "",
        "target_label": "",
        "deadline": target.deadline if target else "",
    }
    notes: list[str] = []
    if target is not None and target.numeric is not None:
        notes.append(
            _(
                "Its numeric target is national (a share of all ambiti): a territory is shown with its services."
            )
        )
    if not requirements:
        notes.append(
            _("No service of the catalogue corresponds to it: it cannot be read from the declarations.")
        )
        return LepsGap(**common, status=NO_DATA, status_label=status_label(NO_DATA), notes=tuple(notes))  # type: ignore[arg-type]
    if declared.reporting == 0:
        notes.append(_("No service declared for %(year)s.") % {"year": year})
        return LepsGap(**common, status=NO_DATA, status_label=status_label(NO_DATA), notes=tuple(notes))  # type: ignore[arg-type]
    units = declared.units
    met = any(set(r.services) & codes for r in requirements for codes in units)  # anything of it
    complete = sum(
        count for codes, count in units.items() if all(set(r.services) & codes for r in requirements)
    )
    found = sorted(
        {code for r in requirements for code in r.services if any(code in codes for codes in units)}
    )
    missing = [
        _("one of: %(services)s") % {"services": ", ".join(names[c] for c in r.services)}
        if len(r.services) > 1
        else names[r.services[0]]
        for r in requirements
        if not any(set(r.services) & codes for codes in units)
    ]
    if complete == declared.total:
        status = DECLARED
    elif met:
        status = PARTLY_DECLARED
    else:
        status = NOT_DECLARED
    if declared.total > 1:
        notes.append(
            _("%(complete)s of %(total)s comuni have it (declared by the comune or its ambito).")
            % {"complete": complete, "total": declared.total}
        )
    return LepsGap(
        **common,  # type: ignore[arg-type]
        status=status,
        status_label=status_label(status),
        coverage=complete / declared.total,
        declared_services=tuple(names[c] for c in found),
        missing_services=tuple(missing),
        notes=tuple(notes),
    )


def territory_leps_gaps(territory: Territory, year: int) -> list[LepsGap]:
    """Every LEPS of the table for `territory` (any kind) in `year`, in the table's order.

    Numeric targets (1 social worker per 5,000 inhabitants, 33% nursery coverage) are measured on the
    supply indicators' observation of the territory (its own, or the sum of its comuni), so they agree
    with the indicator pages; a LEPS without one says whether its services are declared by the
    territory's comuni or their ambiti. Four queries; texts are in the active language.
    """
    catalogue = leps_catalogue()
    indicator_codes = {binding.indicator for binding in NUMERIC_BINDINGS.values()}
    observations = {
        row["indicator__code"]: row
        for row in Observation.objects.filter(
            territory=territory, period=year, indicator__code__in=indicator_codes
        ).values("indicator__code", "numerator", "denominator", "coverage")
    }
    services = list(SocialService.objects.only("pk", "code", "name_it", "name_en"))
    declared = _declared(territory, year, {s.pk: s.code for s in services})
    names = {s.code: s.name for s in services}
    gaps: list[LepsGap] = []
    for leps in catalogue:
        numeric = leps.numeric_targets
        if numeric:
            observation = observations.get(NUMERIC_BINDINGS[leps.id].indicator)
            gaps.extend(_numeric_gap(leps, target, observation, territory) for target in numeric)
        else:
            gaps.append(_service_gap(leps, declared, names, year))
    return gaps


def leps_latest_year(territory: Territory) -> int | None:
    """The latest year with a declaration of the territory, of its comuni or of its ambito; None if none."""
    declarations = SupplyDeclaration.objects.all()
    if territory.kind == Territory.Kind.COMUNE:
        declarations = declarations.filter(territory_id__in=[territory.pk, territory.ambito_id])
    elif territory.kind == Territory.Kind.AMBITO:
        declarations = declarations.filter(Q(territory=territory) | Q(territory__ambito=territory))
    elif territory.kind == Territory.Kind.PROVINCIA:
        declarations = declarations.filter(territory__provincia=territory)
    elif territory.kind == Territory.Kind.REGIONE:
        declarations = declarations.filter(Q(territory__regione=territory))
    year = declarations.aggregate(year=Max("year"))["year"]
    return int(year) if year is not None else None


def macro_areas_with_services() -> QuerySet[ServiceMacroArea]:
    services = SocialService.objects.filter(is_active=True).prefetch_related("need_domains")
    return ServiceMacroArea.objects.prefetch_related(Prefetch("services", queryset=services))


def territory_declarations(*, territory: Territory, year: int) -> QuerySet[SupplyDeclaration]:
    return (
        SupplyDeclaration.objects.filter(territory=territory, year=year)
        .select_related("service", "service__macro_area", "updated_by")
        .prefetch_related("need_domains")
        .order_by("service__position")
    )


def user_area_names(codes: Iterable[str]) -> list[str]:
    """Names of ISTAT user areas in the page's language (from the catalogue file)."""
    from django.utils.translation import get_language

    english = (get_language() or "it").startswith("en")
    areas = services_file().user_areas
    return [
        (areas[c].name_en or areas[c].name_it) if english else areas[c].name_it for c in codes if c in areas
    ]
