"""The knowledge base seeded from the bundled FAQ, and the people of the help desk."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import UserFactory
from welfarelab.helpdesk.seed import SeedReport, knowledge_base_seed

SEED_ARTICLES = 49
RAW_MARK = "da verificare"


@pytest.fixture
def english():
    """Compare pages with their English msgids, whatever the Italian translation says."""
    with translation.override("en"):
        yield


@pytest.fixture
def seeded(db) -> SeedReport:
    return knowledge_base_seed()


@pytest.fixture
def operator(db):
    return UserFactory(is_desk_operator=True, first_name="Giulia", last_name="Bianchi")


@pytest.fixture
def coordinator(db):
    return UserFactory(is_lab_coordinator=True)


@pytest.fixture
def member(db):
    """Somebody signed in who is neither an operator nor a coordinator."""
    return UserFactory()


# --- questions to the desk -------------------------------------------------------------------------

QUESTION_TEXT = (
    "Buongiorno, la nostra APS deve depositare il bilancio al RUNTS entro giugno? "
    "Siamo sotto i 220.000 euro di entrate."
)


def pdf_bytes(body: bytes = b"") -> bytes:
    """A small PDF as a word processor writes it: header, one object, trailer, end-of-file marker."""
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        + body
        + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder; `files()` lists what is stored in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    from pathlib import Path

    root = Path(root)
    return (
        sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
        if root.exists()
        else []
    )


@pytest.fixture
def ets(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Associazione Amici del Parco APS", tax_code="97123450011")


@pytest.fixture
def ets_member(ets):
    """An ETS operator: an editor of `ets`, who asks the desk on its behalf."""
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(email="lucia.verdi@amicidelparco.example.it", first_name="Lucia", last_name="Verdi")
    MembershipFactory(user=user, organisation=ets)
    return user


@pytest.fixture
def colleague(ets):
    """Another member of `ets`, a viewer."""
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=ets, role="viewer").user


@pytest.fixture
def other_member(db):
    """A member of another organisation."""
    from tests.factories import MembershipFactory, OrganisationFactory

    elsewhere = OrganisationFactory(name="Cooperativa Altrove")
    return MembershipFactory(organisation=elsewhere).user


@pytest.fixture
def ask(media):
    """Ask a question through the service (the receipt is sent only with the on-commit callbacks run)."""
    from welfarelab.helpdesk.question_services import question_submit

    def ask(asked_by=None, *, text=QUESTION_TEXT, theme="amministrativa", organisation=None, **kwargs):
        return question_submit(theme=theme, text=text, asked_by=asked_by, organisation=organisation, **kwargs)

    return ask
