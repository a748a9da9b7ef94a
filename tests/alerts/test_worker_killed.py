"""A delivery worker killed midway (SIGKILL, a real `welfarelab deliver-outbox` process) loses nothing and
sends nothing twice: its messages are taken again by the next worker once their lease runs out.

The database is the one the tests run on when it is PostgreSQL (the test database, committed rows), else a
SQLite file migrated by the `welfarelab` command. The SMTP server holds the first message's DATA until the
worker is dead, so the worker has claimed its whole batch and is in the middle of sending; a client that
hangs up never gets its 250, so that message is not accepted. Afterwards the server has each idempotency
key exactly once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from tests.alerts.conftest import SmtpServer, welfarelab

LEASE_SECONDS = 2
KEYS = ["digest:1:2026-06-01", "digest:2:2026-06-01", "call:9:3:email"]
Row = tuple[str, str, int, str]


@dataclass
class WorkerDatabase:
    env: dict[str, str]
    queue: Callable[[list[str]], None]
    statuses: Callable[[], list[Row]]


def _orm_statuses() -> list[Row]:
    from welfarelab.alerts.models import OutboxMessage

    return list(
        OutboxMessage.objects.order_by("pk").values_list("idempotency_key", "status", "attempts", "locked_by")
    )


def _orm_queue(keys: list[str]) -> None:
    from welfarelab.alerts.services import outbox_enqueue

    for n, key in enumerate(keys):
        outbox_enqueue(channel="email", recipient=f"r{n}@example.org", key=key, subject="S", body="B")


@pytest.fixture
def worker_database(request) -> WorkerDatabase:
    if connection.vendor == "postgresql":  # transaction=True below: the worker process sees the rows
        db = connection.settings_dict
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {**request.getfixturevalue("process_env"), "DATABASE_URL": url}
        return WorkerDatabase(env=env, queue=_orm_queue, statuses=_orm_statuses)
    env = request.getfixturevalue("process_env")
    path = env["DATABASE_URL"].removeprefix("sqlite:///")

    def queue(keys: list[str]) -> None:
        code = "from tests.alerts.test_worker_killed import _orm_queue\n" + f"_orm_queue({keys!r})\n"
        welfarelab(env, "shell", "-c", code)

    def statuses() -> list[Row]:
        with sqlite3.connect(path) as db:
            return db.execute(
                "SELECT idempotency_key, status, attempts, locked_by FROM alerts_outboxmessage ORDER BY id"
            ).fetchall()

    return WorkerDatabase(env=env, queue=queue, statuses=statuses)


@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_midway_loses_nothing_and_sends_nothing_twice(worker_database):
    smtp = SmtpServer()
    smtp.start()
    env = {
        **worker_database.env,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "WELFARELAB_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    try:
        worker_database.queue(KEYS)
        smtp.inbox.delay = 60  # the first DATA hangs
        worker = subprocess.Popen(
            [sys.executable, "-m", "welfarelab", "deliver-outbox"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert smtp.inbox.data_started.wait(30), "the worker never reached the SMTP server"
        claimed = worker_database.statuses()
        assert [row[1:3] for row in claimed] == [("sending", 1)] * 3  # the whole batch is claimed
        assert len({row[3] for row in claimed}) == 1
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        assert worker.returncode == -signal.SIGKILL
        smtp.inbox.delay = 0
        time.sleep(0.3)  # the server sees the hang-up
        assert smtp.inbox.received_keys() == []

        time.sleep(LEASE_SECONDS + 0.2)  # the dead worker's lease runs out
        second = welfarelab(env, "deliver-outbox")
        assert second.stdout.startswith("3 sent, 0 to retry, 0 failed")
        third = welfarelab(env, "deliver-outbox")
        assert third.stdout.startswith("0 sent, 0 to retry, 0 failed")

        assert sorted(smtp.inbox.received_keys()) == sorted(KEYS)  # each exactly once
        assert [row[1:3] for row in worker_database.statuses()] == [("sent", 2)] * 3
    finally:
        smtp.stop()
