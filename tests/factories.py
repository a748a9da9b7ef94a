"""Factories shared by the tests. Codes are real-looking ISTAT codes, as text."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from welfarelab.accounts.models import Membership, User
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import PopulationByAge, Territory


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    kind = Territory.Kind.COMUNE
    code = factory.Sequence(lambda n: f"{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Comune {n}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.name))


def make_italy_slice() -> dict[str, Territory]:
    """A small, consistent piece of Italy: Italia > Piemonte > Torino > Agliè, Lazio > Roma > Roma."""
    italia = TerritoryFactory(kind=Territory.Kind.ITALIA, code="IT", name="Italia")
    piemonte = TerritoryFactory(kind=Territory.Kind.REGIONE, code="01", name="Piemonte")
    lazio = TerritoryFactory(kind=Territory.Kind.REGIONE, code="12", name="Lazio")
    torino = TerritoryFactory(kind=Territory.Kind.PROVINCIA, code="001", name="Torino", regione=piemonte)
    roma_prov = TerritoryFactory(kind=Territory.Kind.PROVINCIA, code="058", name="Roma", regione=lazio)
    aglie = TerritoryFactory(code="001001", name="Agliè", regione=piemonte, provincia=torino)
    roma = TerritoryFactory(code="058091", name="Roma", regione=lazio, provincia=roma_prov)
    return {
        "italia": italia,
        "piemonte": piemonte,
        "lazio": lazio,
        "torino": torino,
        "roma_provincia": roma_prov,
        "aglie": aglie,
        "roma": roma,
    }


def add_population(territory: Territory, *, year: int, per_age: tuple[int, int] = (10, 11)) -> int:
    """Give `territory` a flat pyramid: `per_age` (males, females) at every age 0..100; return the total."""
    males, females = per_age
    PopulationByAge.objects.bulk_create(
        PopulationByAge(territory=territory, year=year, age=age, males=males, females=females)
        for age in range(101)
    )
    return 101 * (males + females)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.ETS
    name = factory.Sequence(lambda n: f"Associazione {n}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.name))
    legal_form = factory.LazyAttribute(
        lambda o: Organisation.LegalForm.APS if o.kind == Organisation.Kind.ETS else ""
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Rossi{n}")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.EDITOR


# Roles a person can have towards one organisation, as the permission tests name them.
PERSON_ROLES = ("anonymous", "viewer", "editor", "admin", "editor_elsewhere", "coordinator")


def person_with_role(role: str, organisation: Organisation):
    """A user who is `role` towards `organisation`: AnonymousUser, a member with that role, an editor of
    another organisation (of another comune), or a lab coordinator."""
    from django.contrib.auth.models import AnonymousUser

    if role == "anonymous":
        return AnonymousUser()
    if role == "coordinator":
        return UserFactory(is_lab_coordinator=True)
    if role == "editor_elsewhere":
        elsewhere = OrganisationFactory(kind=Organisation.Kind.COMUNE, name="Comune di Altrove")
        return MembershipFactory(organisation=elsewhere, role=Membership.Role.EDITOR).user
    return MembershipFactory(organisation=organisation, role=role).user


class IndicatorFactory(DjangoModelFactory):
    """An indicator of the lab's own (not built in): a percentage with a Wilson interval by default."""

    class Meta:
        model = "indicators.Indicator"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator_{n}")
    name_it = factory.Sequence(lambda n: f"Indicatore {n}")
    definition_it = "Quota di persone seguite sul totale dei residenti."
    statistic = "proportion"
    multiplier = 100
    decimals = 1
    polarity = "higher_is_better"
    source = "Rilevazione del laboratorio"
    licence = "CC BY 4.0"
    period_type = "calendar_year"
