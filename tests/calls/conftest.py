"""Fixtures of the calls tests: a few regions and provinces, calls made by a factory, feed files."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import factory
import pytest
from django.conf import settings
from factory.django import DjangoModelFactory

from tests.factories import TerritoryFactory, UserFactory
from welfarelab.calls.models import ApplicantType, Call, Theme
from welfarelab.territories.models import Territory

FILES = Path(__file__).with_name("files")
PNRR_FILE = settings.BASE_DIR / "data" / "italia_domani" / "pnrr_bandi_avvisi_2023.csv.gz"
NOW = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bando numero {n}")
    issuer = "Regione Lombardia"
    issuer_type = Call.IssuerType.REGION
    opens_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=30))

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(Theme.objects.filter(slug__in=extracted))

    @factory.post_generation
    def applicants(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.eligible_applicants.set(ApplicantType.objects.filter(slug__in=extracted))

    @factory.post_generation
    def places(self, create: bool, extracted: list[Territory] | None, **kwargs: object) -> None:
        if create and extracted:
            self.territories.set(extracted)


@pytest.fixture
def places(db) -> dict[str, Territory]:
    """Italia; Lombardia (03) with Milano (015) and the comune of Milano; Veneto (05) with Padova (028)."""
    italia = TerritoryFactory(kind=Territory.Kind.ITALIA, code="IT", name="Italia")
    lombardia = TerritoryFactory(kind=Territory.Kind.REGIONE, code="03", name="Lombardia")
    veneto = TerritoryFactory(kind=Territory.Kind.REGIONE, code="05", name="Veneto")
    milano_provincia = TerritoryFactory(
        kind=Territory.Kind.PROVINCIA, code="015", name="Milano", regione=lombardia
    )
    padova_provincia = TerritoryFactory(
        kind=Territory.Kind.PROVINCIA, code="028", name="Padova", regione=veneto
    )
    milano = TerritoryFactory(code="015146", name="Milano", regione=lombardia, provincia=milano_provincia)
    padova = TerritoryFactory(code="028060", name="Padova", regione=veneto, provincia=padova_provincia)
    return {
        "italia": italia,
        "lombardia": lombardia,
        "veneto": veneto,
        "milano_provincia": milano_provincia,
        "padova_provincia": padova_provincia,
        "milano": milano,
        "padova": padova,
    }


@pytest.fixture
def editor(db):
    """A user given the permission to change calls (not a coordinator)."""
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_call", content_type__app_label="calls"))
    return user


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on the loopback serving the files put in its folder: (base URL, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()

    def handler(*args: object, **kwargs: object) -> _QuietHandler:
        return _QuietHandler(*args, directory=str(folder), **kwargs)  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
