"""Background imports of calls (django-tasks): the PNRR table and every active feed.

Tasks take names, never model instances, and are safe to run twice (an import of an unchanged source
changes nothing). `welfarelab import-calls`, run by cron or a systemd timer, enqueues them;
`welfarelab db_worker` runs them.
"""

from __future__ import annotations

from django_tasks import task

from welfarelab.calls.services import feed_import, feeds_import, pnrr_import

PNRR = "pnrr"
FEEDS = "feeds"
FEED_PREFIX = "feed:"


@task()
def import_calls(source: str = FEEDS) -> list[int]:
    """Import `source` ("pnrr", "feeds" for every active feed, or "feed:<key>"); return the ids of the runs."""
    from welfarelab.calls.models import FeedSource

    if source == PNRR:
        return [pnrr_import().pk]
    if source == FEEDS:
        return [run.pk for run in feeds_import()]
    if source.startswith(FEED_PREFIX):
        feed = FeedSource.objects.get(key=source.removeprefix(FEED_PREFIX))
        return [feed_import(feed=feed).pk]
    raise ValueError(f"Unknown source of calls {source!r}: pnrr, feeds or feed:<key>.")
