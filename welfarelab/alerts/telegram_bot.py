"""The Telegram bot of the alerts (python-telegram-bot, asynchronous): /start, /temi, /iscrivi <tema>,
/bandi, /stop. `welfarelab telegram-bot` runs it by long polling.

The Bot API address is WELFARELAB_TELEGRAM_API_BASE (the tests point it at a stub on the loopback) and the
token WELFARELAB_TELEGRAM_TOKEN. The handlers answer; what a chat subscribed to reaches it later through
the outbox (`services.telegram_alerts_queue`, sent by `outbox.send_telegram`).
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from welfarelab.alerts.compose import absolute
from welfarelab.alerts.models import TelegramSubscriber
from welfarelab.calls.models import Call, Theme

MAX_CALLS = 10


def _find_theme(word: str) -> Theme | None:
    wanted = slugify(word)
    for theme in Theme.objects.all():
        if wanted in (theme.slug, slugify(theme.name_it), slugify(theme.name_en)) or theme.slug.startswith(
            wanted
        ):
            return theme
    return None


def reply_start(chat_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        subscriber, _created = TelegramSubscriber.objects.get_or_create(chat_id=chat_id)
        if not subscriber.active:
            subscriber.active = True
            subscriber.last_alert_at = timezone.now()  # no backlog of what came while stopped
            subscriber.save(update_fields=["active", "last_alert_at"])
        return "\n".join(
            [
                _("Welcome! This bot tells you of new funding calls and of the lab's news."),
                _("/temi – the themes you can follow"),
                _("/iscrivi <theme> – follow a theme, e.g. /iscrivi politiche-giovanili"),
                _("/bandi – the open calls of your themes"),
                _("/stop – no more messages"),
            ]
        )


def reply_themes(chat_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        subscriber = TelegramSubscriber.objects.filter(chat_id=chat_id, active=True).first()
        mine = set(subscriber.themes.values_list("pk", flat=True)) if subscriber else set()
        lines = [_("Themes (✓ = you follow it):")]
        lines += [
            f"{'✓' if theme.pk in mine else '•'} {theme.slug} – {theme.name}" for theme in Theme.objects.all()
        ]
        return "\n".join(lines)


def reply_subscribe(chat_id: int, words: list[str]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if not words:
            return _("Write the theme after the command, e.g. /iscrivi ambiente. /temi lists them.")
        theme = _find_theme(" ".join(words))
        if theme is None:
            return _("No theme called “%(word)s”. /temi lists them.") % {"word": " ".join(words)}
        with transaction.atomic():
            subscriber, _created = TelegramSubscriber.objects.get_or_create(chat_id=chat_id)
            if not subscriber.active:
                subscriber.active = True
                subscriber.last_alert_at = timezone.now()
                subscriber.save(update_fields=["active", "last_alert_at"])
            subscriber.themes.add(theme)
        return _("Done: you will hear of new calls and news on “%(theme)s”.") % {"theme": theme.name}


def reply_calls(chat_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        subscriber = TelegramSubscriber.objects.filter(chat_id=chat_id, active=True).first()
        if subscriber is None or not subscriber.themes.exists():
            return _("You follow no theme yet: /temi lists them, /iscrivi <theme> follows one.")
        calls = (
            Call.objects.open(timezone.now())
            .filter(themes__in=subscriber.themes.all())
            .distinct()
            .order_by("closes_at", "pk")[:MAX_CALLS]
        )
        if not calls:
            return _("No open call on your themes right now.")
        lines = [_("Open calls of your themes:")]
        for call in calls:
            closes = (
                timezone.localtime(call.closes_at).strftime("%d/%m/%Y %H:%M")
                if call.closes_at
                else _("no deadline")
            )
            lines.append(f"• {call.title} ({closes})\n  {absolute(reverse('calls:detail', args=[call.pk]))}")
        return "\n".join(lines)


def reply_stop(chat_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        TelegramSubscriber.objects.filter(chat_id=chat_id).update(active=False)
        return _("Stopped: no more messages. /start to begin again.")


async def _answer(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, disable_web_page_preview=True)


def _chat(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, await sync_to_async(reply_start)(_chat(update)))


async def themes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, await sync_to_async(reply_themes)(_chat(update)))


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, await sync_to_async(reply_subscribe)(_chat(update), list(context.args or [])))


async def calls(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, await sync_to_async(reply_calls)(_chat(update)))


async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer(update, await sync_to_async(reply_stop)(_chat(update)))


def build_application(*, token: str | None = None, base_url: str | None = None) -> Application:
    token = token or settings.WELFARELAB_TELEGRAM_TOKEN
    application = (
        Application.builder().token(token).base_url(base_url or settings.WELFARELAB_TELEGRAM_API_BASE).build()
    )
    for name, handler in (
        ("start", start),
        ("temi", themes),
        ("iscrivi", subscribe),
        ("bandi", calls),
        ("stop", stop),
    ):
        application.add_handler(CommandHandler(name, handler))
    return application
