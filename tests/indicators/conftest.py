"""Italy's slice with an ambito, indicators of each kind, and messages asserted by their English msgids."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.factories import IndicatorFactory, TerritoryFactory, make_italy_slice
from welfarelab.indicators.models import ImportBatch, Observation
from welfarelab.territories.models import Territory

HEADER = "codice_indicatore,tipo_territorio,codice_territorio,periodo,valore,numeratore,denominatore\n"


@pytest.fixture
def english():
    """Compare the import's messages with their msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


@pytest.fixture
def italy(db) -> dict[str, Any]:
    """make_italy_slice() plus Fiumicino (provincia di Roma) and the ambito RM-1 holding the comune of Roma."""
    places: dict[str, Any] = dict(make_italy_slice())
    places["fiumicino"] = TerritoryFactory(
        code="058120", name="Fiumicino", regione=places["lazio"], provincia=places["roma_provincia"]
    )
    ambito: Any = TerritoryFactory(
        kind=Territory.Kind.AMBITO, code="RM-1", name="Roma Capitale", regione=places["lazio"]
    )
    places["roma"].ambito = ambito
    places["roma"].save(update_fields=["ambito"])
    places["ambito"] = ambito
    return places


@pytest.fixture
def indicators(db) -> dict[str, Any]:
    return {
        "share": IndicatorFactory(
            code="minori_in_carico", statistic="proportion", multiplier=100, decimals=1
        ),
        "count": IndicatorFactory(code="accessi_pua", statistic="count", multiplier=1, decimals=0),
        "rate": IndicatorFactory(code="sfratti_1000", statistic="rate", multiplier=1000, decimals=2),
        "change": IndicatorFactory(code="variazione_spesa", statistic="change", multiplier=100, decimals=1),
        "builtin": IndicatorFactory(code="pop_total", statistic="enumeration", multiplier=1, is_builtin=True),
    }


def written() -> tuple[int, int]:
    """How many observations and import batches there are: a refused file changes neither."""
    return Observation.objects.count(), ImportBatch.objects.count()
