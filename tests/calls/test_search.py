"""Text search of the calls: the help desk's Italian engine, with synonyms and typo correction."""

from __future__ import annotations

import pytest

from tests.calls.conftest import CallFactory
from welfarelab.calls.search import call_search

pytestmark = pytest.mark.django_db


def test_acronyms_stems_and_typos():
    volunteers = CallFactory(title="Sostegno alle organizzazioni di volontariato")
    youth = CallFactory(title="Spazi per i giovani", summary="Centri di aggregazione giovanile.")
    CallFactory(title="Digitalizzazione dei comuni")

    assert list(call_search(query="odv").keys) == [volunteers.pk]
    assert list(call_search(query="giovane").keys) == [youth.pk]
    typo = call_search(query="digitalizazione")
    assert len(typo.keys) == 1 and typo.corrected_query == "digitalizzazione"


def test_a_new_call_is_found_at_once():
    assert list(call_search(query="biblioteche").keys) == []
    library = CallFactory(title="Biblioteche di comunità")

    assert list(call_search(query="biblioteche").keys) == [library.pk]
