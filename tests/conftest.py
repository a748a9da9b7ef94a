from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _italian_by_default(settings):
    settings.LANGUAGE_CODE = "it"
