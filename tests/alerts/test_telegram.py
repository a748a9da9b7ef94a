"""The Telegram bot against a Bot API stub on the loopback: its commands answer and store the chat's
themes; long polling picks the updates up; new calls of the chat's themes reach it through the outbox."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone
from telegram import Update

from tests.alerts.conftest import CallFactory
from welfarelab.alerts import outbox, services
from welfarelab.alerts.models import TelegramSubscriber
from welfarelab.alerts.telegram_bot import build_application

pytestmark = pytest.mark.django_db
CHAT = 777


def update(number: int, text: str) -> dict:
    command = text.split()[0]
    return {
        "update_id": number,
        "message": {
            "message_id": number,
            "date": int(time.time()),
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Anna"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


def talk(texts: list[str]) -> None:
    """Hand each message to the bot's handlers, as the Bot API would; the bot answers through the stub."""

    async def run() -> None:
        application = build_application()
        async with application:  # getMe on the stub
            for number, text in enumerate(texts, start=1):
                await application.process_update(Update.de_json(update(number, text), application.bot))

    async_to_sync(run)()


def test_the_commands_subscribe_list_and_stop(telegram):
    youth = CallFactory(title="Giovani in rete", themes=["politiche-giovanili"])
    CallFactory(title="Palestre", themes=["sport"])
    talk(["/start", "/bandi", "/iscrivi politiche-giovanili", "/iscrivi astronomia", "/temi", "/bandi"])
    start, empty, done, unknown, themes, calls = telegram.texts(CHAT)
    assert "/iscrivi" in start
    assert "/temi" in empty
    assert "Politiche giovanili" in done
    assert "astronomia" in unknown
    assert "✓ politiche-giovanili" in themes and "• sport" in themes
    assert "Giovani in rete" in calls and f"/bandi/{youth.pk}/" in calls and "Palestre" not in calls
    subscriber = TelegramSubscriber.objects.get(chat_id=CHAT)
    assert subscriber.active and list(subscriber.themes.values_list("slug", flat=True)) == [
        "politiche-giovanili"
    ]

    talk(["/stop"])
    assert not TelegramSubscriber.objects.get(chat_id=CHAT).active


def test_long_polling_answers_the_updates_the_api_hands_out(telegram):
    telegram.updates = [update(1, "/start"), update(2, "/iscrivi ambiente")]

    async def run() -> None:
        application = build_application()
        async with application:
            await application.start()
            await application.updater.start_polling(poll_interval=0.05, timeout=0)
            for _ in range(100):
                if len(telegram.texts(CHAT)) >= 2:
                    break
                await asyncio.sleep(0.05)
            await application.updater.stop()
            await application.stop()

    async_to_sync(run)()
    assert len(telegram.texts(CHAT)) == 2
    assert list(TelegramSubscriber.objects.get(chat_id=CHAT).themes.values_list("slug", flat=True)) == [
        "ambiente"
    ]


def test_new_calls_and_news_of_the_chats_themes_arrive_once_through_the_outbox(telegram):
    talk(["/iscrivi ambiente"])
    TelegramSubscriber.objects.update(last_alert_at=timezone.now() - timezone.timedelta(minutes=1))
    green = CallFactory(title="Boschi urbani", themes=["ambiente"])
    CallFactory(title="Palestre", themes=["sport"])
    services.news_post_create(author=None, title="Giornata del verde", body="Testo", themes=[])
    assert services.telegram_alerts_queue() == 2
    assert services.telegram_alerts_queue() == 0
    assert outbox.deliver_due() == outbox.Delivery(sent=2)
    _answer, *alerts = telegram.texts(CHAT)
    [call_alert] = [text for text in alerts if "Boschi urbani" in text]
    assert f"/bandi/{green.pk}/" in call_alert
    assert [text for text in alerts if "Giornata del verde" in text] != []


def test_the_telegram_bot_command_polls_answers_and_stops_cleanly(telegram, process_env):
    """`welfarelab telegram-bot` as a real process: it answers through the stub and stores the chat."""
    telegram.updates = [update(1, "/start"), update(2, "/iscrivi ambiente")]
    env = {
        **process_env,
        "WELFARELAB_TELEGRAM_TOKEN": telegram.token,
        "WELFARELAB_TELEGRAM_API_BASE": telegram.base_url,
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "welfarelab", "telegram-bot"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while len(telegram.texts(CHAT)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        bot.send_signal(signal.SIGINT)
        _out, err = bot.communicate(timeout=30)
    assert bot.returncode == 0, err.decode()[-2000:]
    start, subscribed = telegram.texts(CHAT)
    assert "/iscrivi" in start and "Ambiente" in subscribed
    database = process_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT chat_id, active FROM alerts_telegramsubscriber").fetchall() == [(CHAT, 1)]


def test_the_telegram_bot_command_refuses_to_start_without_a_token(process_env):
    result = subprocess.run(
        [sys.executable, "-m", "welfarelab", "telegram-bot"],
        env={**process_env, "WELFARELAB_TELEGRAM_TOKEN": ""},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "WELFARELAB_TELEGRAM_TOKEN is empty" in result.stderr
