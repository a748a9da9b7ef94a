"""RSS and Atom feeds of calls (feedparser): each entry of a `FeedSource` becomes a call.

An entry maps to a call as follows (docs/calls.md):

| entry | call |
| --- | --- |
| `id` (`guid`), else `link` | source id (required) |
| `title` | title (required; tags stripped) |
| `summary` / `description` | summary (tags stripped) |
| `link` | official page |
| `published` | opening date and time |
| "scadenza … 30/06/2026 [ore 12:00]" in the title or summary | closing date and time (Europe/Rome) |
| `category` / tags | themes, when a tag is a theme's slug or name (others are ignored) |
| enclosures | attachments (links) |
| the feed's issuer, issuer type, themes, applicant types and territories | the same on every entry |

The feed is read from an address (http or https, 20 s timeout, at most 5 MB) or a file path. A
document that is not a feed fails the run; a broken entry (no id, no title, closing before it opens) is
reported with its position and id and skipped, and the other entries go on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import feedparser
from django.utils.html import strip_tags

from welfarelab.calls.importers.records import CallRecord, ImportFailed, Problem, parse_rome_datetime
from welfarelab.calls.importers.vocabularies import Lookup
from welfarelab.calls.models import FeedSource

TIMEOUT_SECONDS = 20
MAX_FEED_BYTES = 5 * 1024 * 1024
USER_AGENT = "welfarelab (calls importer)"
_DEADLINE = re.compile(
    r"scaden\w*[^0-9]{0,40}?(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})(?:[^0-9]{0,12}?(\d{1,2})[:.](\d{2}))?",
    re.IGNORECASE,
)


def fetch(location: str) -> bytes:
    """The bytes of a feed at an http(s) address or a file path; ImportFailed saying why not."""
    if location.startswith(("http://", "https://")):
        request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                content: bytes = response.read(MAX_FEED_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise ImportFailed([Problem(location, f"the feed could not be read: {error}")]) from None
    elif "://" in location:
        raise ImportFailed([Problem(location, "only http and https addresses, or file paths, are read")])
    else:
        path = Path(location)
        if not path.is_file():
            raise ImportFailed([Problem(location, "the file does not exist")])
        content = path.read_bytes()
    if len(content) > MAX_FEED_BYTES:
        raise ImportFailed(
            [Problem(location, f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")]
        )
    return content


def _text(value: str) -> str:
    return " ".join(html.unescape(strip_tags(value or "")).split())


def _instant(parsed: Any) -> dt.datetime | None:
    """feedparser's UTC struct_time → an aware datetime."""
    if not parsed:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)


def deadline_in(text: str) -> dt.datetime | None:
    """The closing date written in `text` ("Scadenza: 30/06/2026 ore 12:00"), Europe/Rome; None if none."""
    found = _DEADLINE.search(text)
    if not found:
        return None
    day, hour, minute = found.groups()
    written = day.replace(".", "/").replace("-", "/")
    if hour is not None:
        return parse_rome_datetime(f"{written} {int(hour):02d}:{minute}", end_of_day=True)
    return parse_rome_datetime(written, end_of_day=True)


def record_from_entry(
    entry: Any, *, feed: FeedSource, defaults: dict[str, Any], lookup: Lookup
) -> CallRecord:
    source_id = str(entry.get("id") or entry.get("link") or "").strip()
    if not source_id:
        raise ValueError("the entry has neither an id (guid) nor a link, so it cannot be kept up to date")
    title = _text(entry.get("title", ""))
    if not title:
        raise ValueError("the entry has no title")
    summary = _text(entry.get("summary", ""))
    link = str(entry.get("link") or "").strip()
    tags = [str(tag.get("term") or "") for tag in entry.get("tags", [])]
    themes = set(defaults["themes"])
    for tag in tags:
        slug = lookup.theme(tag)
        if slug:
            themes.add(slug)
    attachments = []
    for enclosure in entry.get("enclosures", []):
        href = str(enclosure.get("href") or "")
        if href.startswith(("http://", "https://")):
            name = str(enclosure.get("title") or "") or href.rstrip("/").rsplit("/", 1)[-1] or href
            attachments.append((name[:300], href))
    published = _instant(entry.get("published_parsed"))
    return CallRecord(
        source_id=source_id[:300],
        title=title[:500],
        issuer=feed.issuer,
        issuer_type=feed.issuer_type,
        summary=summary,
        url=link if link.startswith(("http://", "https://")) else "",
        themes=frozenset(themes),
        applicants=frozenset(defaults["applicants"]),
        regions=frozenset(defaults["regions"]),
        provinces=frozenset(defaults["provinces"]),
        opens_at=published,
        closes_at=deadline_in(f"{title} {summary}"),
        attachments=tuple(attachments),
        source_data={
            "id": source_id,
            "title": title,
            "link": link,
            "published": str(entry.get("published", "")),
            "tags": tags,
        },
    )


def read_feed(location: str, *, feed: FeedSource) -> tuple[list[tuple[str, CallRecord]], list[Problem]]:
    """Records by entry ("entry 3 (id …)") and the entries skipped; ImportFailed when it is not a feed."""
    parsed = feedparser.parse(fetch(location))
    if parsed.get("bozo") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "unknown error"
        raise ImportFailed([Problem(location, f"the document is not a readable RSS or Atom feed: {reason}")])
    territories = list(feed.territories.values_list("kind", "code"))
    defaults = {
        "themes": list(feed.default_themes.values_list("slug", flat=True)),
        "applicants": list(feed.default_applicants.values_list("slug", flat=True)),
        "regions": [code for kind, code in territories if kind == "regione"],
        "provinces": [code for kind, code in territories if kind == "provincia"],
    }
    lookup = Lookup.load()
    records: list[tuple[str, CallRecord]] = []
    problems: list[Problem] = []
    for position, entry in enumerate(parsed.entries, start=1):
        identifier = str(entry.get("id") or entry.get("link") or "").strip()
        where = f"entry {position}" + (f" ({identifier})" if identifier else "")
        try:
            records.append((where, record_from_entry(entry, feed=feed, defaults=defaults, lookup=lookup)))
        except ValueError as error:
            problems.append(Problem(where, str(error)))
    return records, problems
