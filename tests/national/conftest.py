"""The full bundled open data of all Italy, loaded once for this package and rolled back after it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction

from welfarelab.indicators.open_data import open_data_indicators_compute
from welfarelab.organisations.loaders import organisations_load
from welfarelab.territories.loaders import open_data_load


@pytest.fixture(scope="package")
def national_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        open_data_load(data_dir=settings.WELFARELAB_DATA_DIR)
        organisations_load(data_dir=settings.WELFARELAB_DATA_DIR)
        open_data_indicators_compute(data_dir=settings.WELFARELAB_DATA_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def national(national_data, db):
    """Use in a test (with the `db` fixture's transaction nested inside the package's)."""
