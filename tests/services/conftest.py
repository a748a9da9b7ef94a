"""A piece of Italy with an ambito, known populations and the service catalogue; people with each role.

Populations are built age by age so that every denominator is known exactly: Agliè has 42,000
residents of whom 500 aged 0–2 and 8,000 aged 65+ (the two worked examples of the LEPS gaps).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from tests.factories import MembershipFactory, OrganisationFactory, TerritoryFactory, make_italy_slice
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import Observation
from welfarelab.organisations.models import Organisation
from welfarelab.services.catalogue import services_catalogue_load
from welfarelab.services.models import SocialService, SupplyDeclaration, SupplyImport
from welfarelab.services.services import DeclarationFigures, declaration_save
from welfarelab.territories.models import PopulationByAge, Territory

YEAR = 2023

HEADER = (
    "tipo_territorio,codice_territorio,anno,codice_servizio,posti,utenti,utenti_65_e_piu,personale_etp,"
    "as_etp_indeterminato,as_etp_determinato,spesa_euro,gestione,domini_bisogno,note\n"
)


def set_population(territory: Territory, *, year: int, people: dict[int, int]) -> int:
    """Residents of `territory` in `year` by single age (males = half, rounded down); return the total."""
    PopulationByAge.objects.bulk_create(
        PopulationByAge(territory=territory, year=year, age=age, males=count // 2, females=count - count // 2)
        for age, count in people.items()
    )
    return sum(people.values())


def sum_population(parent: Territory, children: list[Territory], *, year: int) -> None:
    """Store the parent's population as the sum of its children's, as the loaders do."""
    totals: dict[int, list[int]] = {}
    for row in PopulationByAge.objects.filter(territory__in=children, year=year):
        pair = totals.setdefault(row.age, [0, 0])
        pair[0] += row.males
        pair[1] += row.females
    PopulationByAge.objects.bulk_create(
        PopulationByAge(territory=parent, year=year, age=age, males=m, females=f)
        for age, (m, f) in totals.items()
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(db) -> dict[str, SocialService]:
    services_catalogue_load()
    return {s.code: s for s in SocialService.objects.all()}


@pytest.fixture
def italy(db) -> dict[str, Any]:
    """Piemonte > Torino > Agliè (42,000 residents) and Bairo (8,000) in the ambito TO-4; Lazio > Roma (7,000).

    Ages: Agliè 500 aged 0–2, 33,500 aged 30, 8,000 aged 70; Bairo 100, 6,300, 1,600; Roma 70, 5,930, 1,000.
    """
    places: dict[str, Any] = dict(make_italy_slice())
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="TO-4", name="Ambito di Cuorgnè", regione=places["piemonte"]
    )
    bairo = TerritoryFactory(
        code="001015", name="Bairo", regione=places["piemonte"], provincia=places["torino"]
    )
    for comune in (places["aglie"], bairo):
        comune.ambito = ambito
        comune.save(update_fields=["ambito"])
    places.update(ambito=ambito, bairo=bairo)
    set_population(places["aglie"], year=YEAR, people={0: 167, 1: 167, 2: 166, 30: 33_500, 70: 8_000})
    set_population(bairo, year=YEAR, people={0: 34, 1: 33, 2: 33, 30: 6_300, 70: 1_600})
    set_population(places["roma"], year=YEAR, people={0: 24, 1: 23, 2: 23, 30: 5_930, 70: 1_000})
    piemonte_comuni = [places["aglie"], bairo]
    for parent in (ambito, places["torino"], places["piemonte"]):
        sum_population(parent, piemonte_comuni, year=YEAR)
    for parent in (places["roma_provincia"], places["lazio"]):
        sum_population(parent, [places["roma"]], year=YEAR)
    sum_population(places["italia"], [places["aglie"], bairo, places["roma"]], year=YEAR)
    return places


def public_body(territory: Territory) -> Organisation:
    return OrganisationFactory(kind=territory.kind, name=f"Ente {territory.name}", territory=territory)


def editor_of(territory: Territory, role: str = Membership.Role.EDITOR):
    return MembershipFactory(organisation=public_body(territory), role=role).user


def declare(
    territory: Territory,
    service: str,
    *,
    year: int = YEAR,
    management: str = "diretta",
    need_domains: tuple[str, ...] = (),
    **figures: Any,
) -> SupplyDeclaration:
    """A declaration written by the platform (no user), as the services write it."""
    converted = {
        name: Decimal(str(value)) if name.endswith("fte") or name == "spending_eur" else value
        for name, value in figures.items()
    }
    return declaration_save(
        user=None,
        territory=territory,
        year=year,
        service=SocialService.objects.get(code=service),
        figures=DeclarationFigures(management=management, need_domains=need_domains, **converted),
    )


def observation(code: str, territory: Territory, period: int = YEAR) -> Observation | None:
    return Observation.objects.filter(indicator__code=code, territory=territory, period=period).first()


def written() -> tuple[int, int, int]:
    """Declarations, imports and observations: a refused file changes none of them."""
    return SupplyDeclaration.objects.count(), SupplyImport.objects.count(), Observation.objects.count()
