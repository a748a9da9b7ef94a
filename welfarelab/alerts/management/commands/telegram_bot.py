"""`welfarelab telegram-bot`: run the alerts' Telegram bot by long polling (a systemd service)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from welfarelab.alerts.telegram_bot import build_application


class Command(BaseCommand):
    help = "Run the Telegram bot of the alerts (/start, /temi, /iscrivi, /bandi, /stop) by long polling."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.WELFARELAB_TELEGRAM_TOKEN:
            raise CommandError("WELFARELAB_TELEGRAM_TOKEN is empty: set the bot's token to run it.")
        build_application().run_polling()
