"""A small lab: the comuni of Roma, Fiumicino and Agliè with their public bodies, two indicators of the
lab's own, and an open round asking Roma and Agliè for them, 7 days before its deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from tests.factories import (
    IndicatorFactory,
    MembershipFactory,
    OrganisationFactory,
    TerritoryFactory,
    UserFactory,
    make_italy_slice,
)
from welfarelab.accounts.models import Membership, User
from welfarelab.indicators.models import ImportBatch, Indicator, Observation
from welfarelab.organisations.models import Organisation
from welfarelab.rounds import services
from welfarelab.rounds.models import Round, RoundMember, RoundSubmission
from welfarelab.territories.models import Territory

PERIOD = 2024


@pytest.fixture
def english():
    """Compare messages and pages with their English msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def places(db) -> dict[str, Territory]:
    """make_italy_slice() plus Fiumicino (provincia di Roma) and the ambito RM-1 holding Roma and Fiumicino."""
    places = make_italy_slice()
    places["fiumicino"] = TerritoryFactory(
        code="058120", name="Fiumicino", regione=places["lazio"], provincia=places["roma_provincia"]
    )
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="RM-1", name="Ambito RM-1", regione=places["lazio"]
    )
    Territory.objects.filter(pk__in=[places["roma"].pk, places["fiumicino"].pk]).update(ambito=ambito)
    places["ambito"] = ambito
    return places


@pytest.fixture
def bodies(places) -> dict[str, Organisation]:
    def body(kind: str, name: str, territory: Territory) -> Organisation:
        return OrganisationFactory(kind=kind, name=name, territory=territory)

    return {
        "roma": body(Organisation.Kind.COMUNE, "Roma Capitale", places["roma"]),
        "aglie": body(Organisation.Kind.COMUNE, "Comune di Agliè", places["aglie"]),
        "fiumicino": body(Organisation.Kind.COMUNE, "Comune di Fiumicino", places["fiumicino"]),
        "ambito": body(Organisation.Kind.AMBITO, "Ufficio di Piano RM-1", places["ambito"]),
        "ets": OrganisationFactory(name="Associazione Solidale", territory=places["roma"]),
    }


@pytest.fixture
def indicators(db) -> dict[str, Indicator]:
    return {
        "share": IndicatorFactory(
            code="minori_in_carico", name_it="Minori in carico", statistic="proportion", multiplier=100
        ),
        "count": IndicatorFactory(
            code="accessi_pua", name_it="Accessi al PUA", statistic="count", multiplier=1, decimals=0
        ),
        "other": IndicatorFactory(code="sfratti_1000", name_it="Sfratti", statistic="rate", multiplier=1000),
        "builtin": IndicatorFactory(
            code="pop_total", name_it="Popolazione", statistic="enumeration", multiplier=1, is_builtin=True
        ),
    }


@pytest.fixture
def coordinator(db) -> User:
    return UserFactory(email="coordinamento@example.org", is_lab_coordinator=True)


def person(organisation: Organisation, role: str = Membership.Role.EDITOR, **kwargs) -> User:
    return MembershipFactory(organisation=organisation, role=role, **kwargs).user


@pytest.fixture
def lab_round(coordinator, bodies, indicators, today) -> Round:
    """Open since 10 days, deadline in 7 days; asks Roma and Agliè for minori_in_carico and accessi_pua."""
    round = services.round_create(
        created_by=coordinator,
        title="Servizi 2024",
        period=PERIOD,
        opens_on=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=7),
        indicators=[indicators["share"], indicators["count"]],
    )
    services.round_members_add(
        round=round, organisations=[bodies["roma"], bodies["aglie"]], added_by=coordinator
    )
    return services.round_open(round=round, opened_by=coordinator)


def member_of(round: Round, organisation: Organisation) -> RoundMember:
    return RoundMember.objects.select_related("round", "organisation", "territory").get(
        round=round, organisation=organisation
    )


@dataclass(frozen=True)
class Counts:
    observations: int
    batches: int
    submissions: int


def written() -> Counts:
    """How many observations, batches and submissions there are: a refused sending changes none."""
    return Counts(Observation.objects.count(), ImportBatch.objects.count(), RoundSubmission.objects.count())
