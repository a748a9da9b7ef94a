"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system one (`/usr/bin/chromium`). Every test runs with
the site's real CSP, fails on any request that leaves 127.0.0.1 and on any JavaScript error, and saves
its screenshots under var/screenshots/ (kept as CI artefacts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.factories import OrganisationFactory, add_population, make_italy_slice
from welfarelab.territories.models import Territory

# Playwright's sync API runs an event loop in this thread, so Django would refuse the ORM calls that the
# fixtures make here; they are plain synchronous calls, so the guard can be lifted for these tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Serve on the IPv4 loopback, so that "nothing leaves 127.0.0.1" is a plain comparison.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
LOOPBACK = "127.0.0.1"

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@dataclass
class Visit:
    """One browser tab on the live server, with what went wrong while it was open."""

    page: Page
    base_url: str
    outside_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (never `playwright install`).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _visit(browser: Browser, live_server, viewport: dict[str, int], **context_options) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport, locale="it-IT", **context_options)
    page = context.new_page()
    visit = Visit(page=page, base_url=live_server.url)

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == LOOPBACK or route.request.url.startswith("data:"):
            route.continue_()
        else:
            visit.outside_requests.append(route.request.url)
            route.abort()

    def console(message) -> None:
        # A failed load is reported as a response below, except the page itself (a 404 page is a test).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            visit.errors.append(f"console: {message.text}")

    def response(response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            visit.errors.append(f"{response.status} for {response.url}")

    context.route("**/*", guard)
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.on("console", console)
    page.on("response", response)
    yield visit
    context.close()
    assert visit.outside_requests == [], "requests left 127.0.0.1"
    assert visit.errors == [], "JavaScript errors, CSP violations or missing files"


@pytest.fixture
def desktop(browser: Browser, live_server) -> Iterator[Visit]:
    yield from _visit(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Visit]:
    yield from _visit(browser, live_server, PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def no_javascript(browser: Browser, live_server) -> Iterator[Visit]:
    yield from _visit(browser, live_server, DESKTOP, java_script_enabled=False)


@pytest.fixture
def italy(transactional_db) -> dict[str, Territory]:
    """The factory slice of Italy with residents for Italia, Piemonte, Torino and Agliè, and a few ETS."""
    territories = make_italy_slice()
    for key, scale in (("italia", 1000), ("piemonte", 100), ("torino", 30), ("aglie", 1)):
        for year, males in ((2022, 12), (2023, 13)):
            add_population(territories[key], year=year, per_age=(males * scale, 12 * scale))
    OrganisationFactory.create_batch(3, territory=territories["aglie"])
    return territories


def assert_accessible(visit: Visit, name: str) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA rules) finds nothing serious or critical on the current page.

    The whole report is saved next to the screenshots either way, for the accessibility record.
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(visit.page, options=AXE_OPTIONS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    violations = results.response["violations"]
    (SCREENSHOTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    if serious:
        visit.screenshot(f"axe-{name}-failed")
    assert serious == []
