"""RSS and Atom feeds of calls, from a file or a loopback HTTP server: bad entries skipped and reported."""

from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tests.calls.conftest import FILES, NOW
from welfarelab.calls.importers.feeds import deadline_in
from welfarelab.calls.models import ApplicantType, Call, CallChange, FeedSource, ImportRun, Theme
from welfarelab.calls.services import feed_import, feeds_import

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def regional_feed(places) -> FeedSource:
    feed = FeedSource.objects.create(
        key="regione-esempio",
        name="Bandi della Regione",
        url="https://bandi.example.org/feed.rss",
        issuer="Regione Lombardia",
        issuer_type=Call.IssuerType.REGION,
    )
    feed.default_themes.set(Theme.objects.filter(slug="politiche-sociali"))
    feed.default_applicants.set(ApplicantType.objects.filter(slug__in=["aps", "odv"]))
    feed.territories.set([places["lombardia"]])
    return feed


def test_entries_become_calls_and_broken_ones_are_reported(regional_feed):
    run = feed_import(feed=regional_feed, location=str(FILES / "bandi_regione.rss"), now=NOW)

    assert (run.state, run.added, run.skipped) == (ImportRun.State.DONE, 2, 3)
    assert [m["where"] for m in run.messages] == [
        "entry 3",
        "entry 4 (https://bandi.example.org/bandi/senza-titolo)",
        "entry 5 (https://bandi.example.org/bandi/retrodatato)",
    ]
    assert "neither an id" in run.messages[0]["reason"]
    assert run.messages[1]["reason"] == "the entry has no title"
    assert "closes_at" in run.messages[2]["reason"]
    call = Call.objects.get(
        source_name="feed-regione-esempio", source_id="https://bandi.example.org/bandi/giovani-in-comune-2026"
    )
    assert call.source == Call.Source.FEED
    assert call.title == "Giovani in Comune 2026"
    assert (
        call.summary
        == "Contributi a progetti di politiche giovanili delle associazioni. Scadenza: 30/09/2026 ore 12:00."
    )
    assert call.opens_at == dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    assert call.closes_at == dt.datetime(2026, 9, 30, 12, 0, tzinfo=ROME)
    assert sorted(call.themes.values_list("slug", flat=True)) == [
        "cultura",
        "politiche-giovanili",
        "politiche-sociali",
    ]
    assert sorted(call.eligible_applicants.values_list("slug", flat=True)) == ["aps", "odv"]
    assert [t.code for t in call.territories.all()] == ["03"]
    assert list(call.attachments.values_list("url", flat=True)) == [
        "https://bandi.example.org/files/giovani-in-comune-2026.pdf"
    ]


def test_a_feed_read_over_http_twice_changes_nothing_the_second_time(regional_feed, feed_server):
    base, folder = feed_server
    shutil.copy(FILES / "bandi_regione.rss", folder / "feed.rss")
    regional_feed.url = f"{base}/feed.rss"
    regional_feed.save()

    first = feed_import(feed=regional_feed, now=NOW)
    updated = dict(Call.objects.values_list("pk", "updated_at"))
    history = CallChange.objects.count()
    second = feed_import(feed=regional_feed, now=NOW)

    assert (first.added, first.skipped) == (2, 3)
    assert (second.added, second.changed, second.unchanged, second.flagged, second.skipped) == (0, 0, 2, 0, 3)
    assert dict(Call.objects.values_list("pk", "updated_at")) == updated
    assert CallChange.objects.count() == history


def test_an_unreachable_feed_fails_its_run_and_the_other_feeds_go_on(regional_feed, feed_server):
    base, folder = feed_server
    shutil.copy(FILES / "bandi_fondazione.atom", folder / "fondazione.atom")
    regional_feed.url = f"{base}/missing.rss"
    regional_feed.save()
    FeedSource.objects.create(
        key="fondazione-esempio",
        name="Bandi della Fondazione",
        url=f"{base}/fondazione.atom",
        issuer="Fondazione di esempio",
        issuer_type=Call.IssuerType.BANK_FOUNDATION,
    )

    runs = feeds_import()

    by_name = {run.source_name: run for run in runs}
    assert by_name["feed-regione-esempio"].state == ImportRun.State.FAILED
    assert "404" in by_name["feed-regione-esempio"].messages[0]["reason"]
    assert by_name["feed-fondazione-esempio"].added == 1
    atom = Call.objects.get(source_name="feed-fondazione-esempio")
    assert atom.closes_at == dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=ROME)
    assert atom.url == "https://fondazione.example.org/bandi/welfare-di-comunita"


def test_a_document_that_is_not_a_feed_fails(regional_feed, tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><body><p>not a feed", encoding="utf-8")

    run = feed_import(feed=regional_feed, location=str(path), now=NOW)

    assert run.state == ImportRun.State.FAILED
    assert not Call.objects.exists()


def test_a_call_that_falls_off_the_feed_is_flagged_only_while_not_closed(regional_feed, tmp_path):
    feed_import(feed=regional_feed, location=str(FILES / "bandi_regione.rss"), now=NOW)
    empty = tmp_path / "empty.rss"
    empty.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')

    # On 1 August the sport call (closing 15 July) is closed: it just fell off the feed, as feeds do.
    run = feed_import(feed=regional_feed, location=str(empty), now=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))

    assert run.flagged == 1
    flagged = Call.objects.get(flagged_missing_from_source=True)
    assert flagged.title == "Giovani in Comune 2026"


def test_the_command_reads_a_feed_file(regional_feed, capsys):
    call_command("import_calls", source=str(FILES / "bandi_regione.rss"), feed="regione-esempio")

    out = capsys.readouterr()
    assert "feed-regione-esempio: 2 added" in out.out
    assert "entry 4 (https://bandi.example.org/bandi/senza-titolo): the entry has no title" in out.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Scadenza: 30/06/2026 ore 12:00", dt.datetime(2026, 6, 30, 12, 0, tzinfo=ROME)),
        ("domande entro la scadenza del 5.7.2026", dt.datetime(2026, 7, 5, 23, 59, 59, tzinfo=ROME)),
        ("nessuna data", None),
    ],
)
def test_the_deadline_is_read_from_the_text(text, expected):
    assert deadline_in(text) == expected
