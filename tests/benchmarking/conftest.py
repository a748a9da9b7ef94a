"""A real slice of Italy (provinces of Asti, Catanzaro, Rimini and Roma) with its indicators and peers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import TerritoryFactory
from welfarelab.benchmarking.peers import peers_compute
from welfarelab.indicators.open_data import open_data_indicators_compute
from welfarelab.organisations.loaders import organisations_load
from welfarelab.territories.loaders import open_data_load
from welfarelab.territories.models import Territory

AMBITI = 20


@pytest.fixture
def loaded(db, slice_data_dir) -> dict[str, Any]:
    """The slice loaded, its comuni grouped into 20 ambiti (by code, within each regione), peers computed."""
    open_data_load(data_dir=slice_data_dir)
    organisations_load(data_dir=slice_data_dir)
    comuni = list(Territory.objects.filter(kind=Territory.Kind.COMUNE).order_by("regione__code", "code"))
    size = len(comuni) // AMBITI + 1
    for number in range(AMBITI):
        members = comuni[number * size : (number + 1) * size]
        if not members:
            continue
        ambito = TerritoryFactory(
            kind=Territory.Kind.AMBITO,
            code=f"ATS-{number:02d}",
            name=f"Ambito {number}",
            regione=members[0].regione,
        )
        Territory.objects.filter(pk__in=[c.pk for c in members if c.regione_id == ambito.regione_id]).update(
            ambito=ambito
        )
    open_data_indicators_compute(data_dir=slice_data_dir)
    return {
        "comuni": peers_compute(kind=Territory.Kind.COMUNE),
        "ambiti": peers_compute(kind=Territory.Kind.AMBITO),
    }


def comune(code: str) -> Territory:
    return Territory.objects.get(kind=Territory.Kind.COMUNE, code=code)
