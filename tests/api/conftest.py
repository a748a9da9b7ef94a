from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import TerritoryFactory, make_italy_slice
from welfarelab.territories.models import Territory


@pytest.fixture
def api_client() -> Client:
    return Client()


@pytest.fixture
def italy(db: None) -> dict[str, Territory]:
    """make_italy_slice() plus an ambito holding Agliè, and Forlì (for accent-insensitive search)."""
    territories = make_italy_slice()
    ambito = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="PIE01", name="Ambito di Ivrea", regione=territories["piemonte"]
    )
    territories["aglie"].ambito = ambito
    territories["aglie"].save(update_fields=["ambito"])
    forli_cesena = TerritoryFactory(kind=Territory.Kind.PROVINCIA, code="040", name="Forlì-Cesena")
    territories["forli"] = TerritoryFactory(code="040012", name="Forlì", provincia=forli_cesena)
    territories["ambito"] = ambito
    territories["forli_cesena"] = forli_cesena
    return territories
