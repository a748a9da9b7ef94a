"""Writing supply declarations: one service of one territory in one year, then the supply indicators.

Every write checks the user's right to the territory (indicators.permissions: coordinators anything,
editors and admins of a public body their territory and, for an ambito, its comuni), validates with
`full_clean()`, and recomputes the supply indicators of the comuni it reaches in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from welfarelab.accounts.models import User
from welfarelab.indicators.models import NeedDomain
from welfarelab.indicators.permissions import NOT_ALLOWED, writable_territory_ids
from welfarelab.services.models import SocialService, SupplyDeclaration, SupplyImport
from welfarelab.services.supply import supply_indicators_refresh
from welfarelab.territories.models import Territory


@dataclass(frozen=True)
class DeclarationFigures:
    """What a declaration says beside its key; None = unknown. Empty `need_domains` = the service's own."""

    management: str
    places: int | None = None
    users_served: int | None = None
    users_aged_65_plus: int | None = None
    staff_fte: Decimal | None = None
    social_workers_permanent_fte: Decimal | None = None
    social_workers_fixed_term_fte: Decimal | None = None
    spending_eur: Decimal | None = None
    need_domains: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""


def can_declare(user: User | AnonymousUser, territory: Territory) -> bool:
    """May `user` declare the services of `territory` (a comune or an ambito)?"""
    writable = writable_territory_ids(user)
    return writable is None or territory.pk in writable


def _check_right(user: User | AnonymousUser | None, territory: Territory) -> None:
    if user is not None and not can_declare(user, territory):
        raise PermissionDenied(NOT_ALLOWED)


def _write(
    *,
    territory: Territory,
    year: int,
    service: SocialService,
    figures: DeclarationFigures,
    user: User | None,
    source_import: SupplyImport | None,
    domains: dict[str, NeedDomain],
    default_domains: tuple[str, ...],
) -> SupplyDeclaration:
    declaration = SupplyDeclaration.objects.filter(territory=territory, year=year, service=service).first()
    if declaration is None:
        declaration = SupplyDeclaration(territory=territory, year=year, service=service)
    for name in (
        "management",
        "places",
        "users_served",
        "users_aged_65_plus",
        "staff_fte",
        "social_workers_permanent_fte",
        "social_workers_fixed_term_fte",
        "spending_eur",
        "note",
    ):
        setattr(declaration, name, getattr(figures, name))
    declaration.updated_by = user
    declaration.source_import = source_import
    declaration.full_clean(validate_unique=False)
    declaration.save()
    codes = figures.need_domains or default_domains
    declaration.need_domains.set([domains[code] for code in codes])
    return declaration


@transaction.atomic
def declaration_save(
    *,
    user: User | AnonymousUser | None,
    territory: Territory,
    year: int,
    service: SocialService,
    figures: DeclarationFigures,
) -> SupplyDeclaration:
    """Create or replace the declaration of `service` by `territory` in `year`; recompute the supply
    indicators. `user` None is the platform itself (commands). Raises PermissionDenied or ValidationError."""
    _check_right(user, territory)
    author = user if isinstance(user, User) else None
    declaration = _write(
        territory=territory,
        year=year,
        service=service,
        figures=figures,
        user=author,
        source_import=None,
        domains={d.code: d for d in NeedDomain.objects.all()},
        default_domains=tuple(service.need_domains.values_list("code", flat=True)),
    )
    supply_indicators_refresh(periods=[year], territories=[territory])
    return declaration


@transaction.atomic
def declaration_delete(*, user: User | AnonymousUser | None, declaration: SupplyDeclaration) -> None:
    """Withdraw a declaration (the service is no longer said to run); recompute the supply indicators."""
    _check_right(user, declaration.territory)
    territory, year = declaration.territory, declaration.year
    declaration.delete()
    supply_indicators_refresh(periods=[year], territories=[territory])


@dataclass(frozen=True)
class DeclarationRow:
    """One checked row of an import, ready to write."""

    territory: Territory
    year: int
    service: SocialService
    figures: DeclarationFigures


_FIGURES = (
    "management",
    "places",
    "users_served",
    "users_aged_65_plus",
    "staff_fte",
    "social_workers_permanent_fte",
    "social_workers_fixed_term_fte",
    "spending_eur",
    "note",
)
_BULK = 2_000


@transaction.atomic
def declarations_write_all(
    *, rows: list[DeclarationRow], user: User | None, supply_import: SupplyImport
) -> int:
    """Write rows the import checked whole (importers.py applies the model's rules and the rights to every
    row), in bulk, and recompute the supply indicators once; return how many were written."""
    domains = {d.code: d.pk for d in NeedDomain.objects.all()}
    defaults: dict[int, tuple[str, ...]] = {}
    for service_id, code in SocialService.need_domains.through.objects.values_list(
        "socialservice_id", "needdomain__code"
    ):
        defaults[service_id] = (*defaults.get(service_id, ()), code)
    territory_ids = {row.territory.pk for row in rows}
    existing = {
        (d.territory_id, d.year, d.service_id): d
        for d in SupplyDeclaration.objects.filter(
            year__in={row.year for row in rows}, territory_id__in=territory_ids
        )
    }
    now = timezone.now()
    created: list[SupplyDeclaration] = []
    updated: list[SupplyDeclaration] = []
    for row in rows:
        key = (row.territory.pk, row.year, row.service.pk)
        declaration = existing.get(key) or SupplyDeclaration(
            territory=row.territory, year=row.year, service=row.service, created_at=now
        )
        for name in _FIGURES:
            setattr(declaration, name, getattr(row.figures, name))
        declaration.updated_by = user
        declaration.source_import = supply_import
        declaration.updated_at = now
        (updated if declaration.pk else created).append(declaration)
    SupplyDeclaration.objects.bulk_create(created, batch_size=_BULK)
    SupplyDeclaration.objects.bulk_update(
        updated, [*_FIGURES, "updated_by", "source_import", "updated_at"], batch_size=_BULK
    )
    # bulk_create sets the primary keys on PostgreSQL and SQLite: read them back anyway, for every backend.
    ids = {
        (d.territory_id, d.year, d.service_id): d.pk
        for d in SupplyDeclaration.objects.filter(
            year__in={row.year for row in rows}, territory_id__in=territory_ids
        ).only("pk", "territory_id", "year", "service_id")
    }
    through = SupplyDeclaration.need_domains.through
    written = [ids[(row.territory.pk, row.year, row.service.pk)] for row in rows]
    for start in range(0, len(written), _BULK):
        through.objects.filter(supplydeclaration_id__in=written[start : start + _BULK]).delete()
    through.objects.bulk_create(
        [
            through(supplydeclaration_id=pk, needdomain_id=domains[code])
            for pk, row in zip(written, rows, strict=True)
            for code in (row.figures.need_domains or defaults.get(row.service.pk, ()))
        ],
        batch_size=_BULK,
    )
    years = sorted({row.year for row in rows})
    territories = list({row.territory.pk: row.territory for row in rows}.values())
    supply_indicators_refresh(periods=years, territories=territories)
    return len(rows)
