"""Fixtures of the alerts tests: a real SMTP server on the loopback (aiosmtpd) that can be stopped and
started again on the same port, a Telegram Bot API stub on the loopback, and calls made by a factory."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import factory
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from factory.django import DjangoModelFactory

from tests.factories import UserFactory
from welfarelab.calls.models import Call, Theme

MESSAGE_ID_HEADER = "X-Welfarelab-Message-Id"


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Avviso di prova {n}")
    issuer = "Regione Lombardia"
    issuer_type = Call.IssuerType.REGION
    opens_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=30))

    @factory.post_generation
    def themes(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(Theme.objects.filter(slug__in=extracted))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps every message the server accepts. `delay` holds each DATA that long
    before answering; a message whose client hung up meanwhile never got its 250 and is not kept."""

    received: list[EmailMessage] = field(default_factory=list)
    delay: float = 0.0
    data_started: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:
        import asyncio

        self.data_started.set()
        waited = 0.0
        while waited < self.delay:
            if server.transport is None or server.transport.is_closing():
                return "421 client gone"
            await asyncio.sleep(0.05)
            waited += 0.05
        if server.transport is None or server.transport.is_closing():
            return "421 client gone"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)
        return "250 OK"

    def received_keys(self) -> list[str]:
        with self._lock:
            return [str(message[MESSAGE_ID_HEADER]) for message in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) expected, {len(self.received)} received")


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def point_django_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A running SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    server = SmtpServer()
    server.start()
    point_django_at(settings, server.port)
    settings.WELFARELAB_SITE_URL = "http://testserver"
    yield server
    server.stop()


# --- Telegram Bot API stub ----------------------------------------------------------------------------


class TelegramStub:
    """getMe, getUpdates, sendMessage, deleteWebhook of the Bot API; keeps what the bot sent."""

    token = "123456:TEST-TOKEN"

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.updates: list[dict] = []
        self.down = False
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                stub.handle(self, raw)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def _params(self, request: BaseHTTPRequestHandler, raw: bytes) -> dict:
        kind = request.headers.get("Content-Type", "")
        if "json" in kind:
            return json.loads(raw or b"{}")
        if "multipart" in kind:
            message = email.message_from_bytes(
                b"Content-Type: " + kind.encode() + b"\r\n\r\n" + raw, policy=email.policy.default
            )
            return {
                part.get_param("name", header="content-disposition"): part.get_content()
                for part in message.iter_parts()
            }
        return {key: values[0] for key, values in parse_qs(raw.decode()).items()}

    def handle(self, request: BaseHTTPRequestHandler, raw: bytes) -> None:
        prefix = f"/bot{self.token}/"
        if self.down:
            return self._reply(request, 502, {"ok": False, "description": "Bad Gateway"})
        if not request.path.startswith(prefix):
            return self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        method = request.path[len(prefix) :]
        params = self._params(request, raw)
        if method == "getMe":
            result: object = {
                "id": 123456,
                "is_bot": True,
                "first_name": "Welfarelab",
                "username": "welfarelab_test_bot",
            }
        elif method == "deleteWebhook":
            result = True
        elif method == "getUpdates":
            with self.lock:
                result, self.updates = self.updates, []
            if not result:
                time.sleep(0.1)  # a short long-poll: no busy loop
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            with self.lock:
                self.sent.append({"chat_id": chat_id, "text": params["text"]})
                message_id = len(self.sent)
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params["text"],
            }
        else:
            return self._reply(request, 404, {"ok": False, "description": f"no method {method}"})
        self._reply(request, 200, {"ok": True, "result": result})

    def _reply(self, request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def texts(self, chat_id: int) -> list[str]:
        with self.lock:
            return [item["text"] for item in self.sent if item["chat_id"] == chat_id]


@pytest.fixture
def telegram(settings) -> Iterator[TelegramStub]:
    stub = TelegramStub()
    stub.thread.start()
    settings.WELFARELAB_TELEGRAM_TOKEN = stub.token
    settings.WELFARELAB_TELEGRAM_API_BASE = stub.base_url
    settings.WELFARELAB_SITE_URL = "http://testserver"
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


# --- a real process of the `welfarelab` command on its own database --------------------------------------


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session by the `welfarelab` command; tests copy it."""
    path = tmp_path_factory.mktemp("alerts-db") / "template.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run(
        [sys.executable, "-m", "welfarelab", "migrate", "-v0"],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        timeout=180,
        capture_output=True,
    )
    return path


@pytest.fixture
def process_env(migrated_sqlite, tmp_path) -> dict[str, str]:
    """The environment of a `welfarelab` process on a fresh copy of the migrated database."""
    database = tmp_path / "process.sqlite3"
    shutil.copyfile(migrated_sqlite, database)
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_LOG_LEVEL": "ERROR"}


def welfarelab(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "welfarelab", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(is_lab_coordinator=True)
