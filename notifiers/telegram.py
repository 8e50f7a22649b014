"""Telegram channel: one message to one chat through python-telegram-bot's ``ExtBot``.

Sends are paced by :class:`~notifiers.pacing.TelegramPacer` (the Bot API's global rate, one
message a second to a private chat, one every three seconds to a group, a 429 slows every
chat down). Failures become :class:`DeliveryError`: a 429 keeps its ``retry_after`` so the
outbox re-queues the message instead of dropping it.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot

from notifiers.base import Delivery, DeliveryError, Message, Recipient
from notifiers.limits import BUTTONS_PER_ROW, TELEGRAM_TEXT_MAX, shorten_utf16
from notifiers.pacing import TelegramPacer

log = logging.getLogger("lichct.notify.telegram")

DEFAULT_API_URL = "https://api.telegram.org/bot"
# Telegram refuses longer texts (counted in UTF-16 code units).
MAX_TEXT = TELEGRAM_TEXT_MAX


def keyboard_for(message: Message) -> InlineKeyboardMarkup | None:
    """The message's actions as inline buttons ("done:37", "snooze:512"), a few per row."""
    if not message.actions:
        return None
    buttons = [
        InlineKeyboardButton(a.label, url=a.url)
        if a.url
        else InlineKeyboardButton(a.label, callback_data=a.callback_data)
        for a in message.actions
    ]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def message_text(message: Message) -> str:
    """The text to send: the body, the link when the body lacks it, within Telegram's limit
    (UTF-16 units; the templates keep to it, this is the last guard)."""
    text = message.text.strip()
    if message.link and message.link not in text:
        text = f"{text}\n{message.link}"
    return shorten_utf16(text, MAX_TEXT)


def file_url_for(api_url: str) -> str:
    """The file endpoint next to a Bot API endpoint (``…/bot`` → ``…/file/bot``)."""
    if api_url.endswith("/bot"):
        return api_url[: -len("bot")] + "file/bot"
    return api_url.rstrip("/") + "/file/bot"


def retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this version of the library returns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def delivery_error(exc: TelegramError, chat_id: int) -> DeliveryError:
    """Classify a Bot API failure: may a retry help?"""
    if isinstance(exc, RetryAfter):
        seconds = retry_seconds(exc)
        return DeliveryError(
            f"Telegram giới hạn tốc độ: thử lại sau {seconds:g} giây",
            permanent=False,
            retry_after=seconds,
        )
    if isinstance(exc, Forbidden):
        return DeliveryError(
            f"Telegram từ chối gửi tới {chat_id} (bot bị chặn hoặc bị xóa khỏi nhóm): "
            f"{exc.message}",
            permanent=True,
        )
    if isinstance(exc, InvalidToken):
        # The library's message repeats the token: never log it.
        return DeliveryError("Mã bot Telegram không hợp lệ (LICHCT_TELEGRAM_TOKEN)", permanent=True)
    if isinstance(exc, ChatMigrated):
        return DeliveryError(
            f"Nhóm {chat_id} đã chuyển thành siêu nhóm {exc.new_chat_id}: cần liên kết lại",
            permanent=True,
        )
    if isinstance(exc, BadRequest):
        # "chat not found", a malformed message: the same request fails the same way again.
        return DeliveryError(
            f"Telegram không nhận tin gửi tới {chat_id}: {exc.message}", permanent=True
        )
    if isinstance(exc, TimedOut):
        return DeliveryError("Telegram không trả lời kịp (hết thời gian chờ)", permanent=False)
    if isinstance(exc, NetworkError):
        # Connection failures and 5xx answers.
        return DeliveryError(f"Lỗi mạng hoặc máy chủ Telegram: {exc.message}", permanent=False)
    return DeliveryError(f"Lỗi Telegram: {exc.message}", permanent=False)


class TelegramNotifier:
    """Delivers messages to Telegram chats; never retries (the outbox does)."""

    channel = "telegram"
    # The pacer orders the sends: the dispatcher hands every message over at once.
    paced = True

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        pacer: TelegramPacer | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Telegram bot token is required")
        self._token = token
        self._api_url = api_url or DEFAULT_API_URL
        self.pacer = pacer or TelegramPacer()
        self._bot: ExtBot[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._init: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, token: str, api_url: str) -> TelegramNotifier:
        """The notifier for ``LICHCT_TELEGRAM_TOKEN`` and ``LICHCT_TELEGRAM_API_URL``."""
        return cls(token, api_url)

    def _new_bot(self) -> ExtBot[None]:
        return ExtBot(
            self._token,
            base_url=self._api_url,
            base_file_url=file_url_for(self._api_url),
        )

    async def _ready_bot(self) -> ExtBot[None]:
        """An initialized bot bound to the running loop (``dispatch --once`` runs new loops).

        Concurrent sends share one initialization (one ``getMe``), not one each.
        """
        loop = asyncio.get_running_loop()
        if self._bot is not None and self._loop is not loop:
            self._bot = None
        if self._bot is None:
            self._bot = self._new_bot()
            self._loop = loop
            self._init = None
        bot = self._bot
        init = self._init
        if init is None or (init.done() and (init.cancelled() or init.exception() is not None)):
            init = self._init = loop.create_task(bot.initialize())
        try:
            await asyncio.shield(init)
        except TelegramError as exc:
            raise delivery_error(exc, 0) from exc
        return bot

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        """Send ``message`` with its inline buttons; ``external_id`` is "chat_id:message_id"."""
        chat_id = recipient.telegram_chat_id
        if chat_id is None:
            raise DeliveryError(f"{recipient.name} chưa liên kết Telegram", permanent=True)
        bot = await self._ready_bot()
        try:
            async with self.pacer.turn(chat_id):
                sent = await bot.send_message(
                    chat_id=chat_id,
                    text=message_text(message),
                    reply_markup=keyboard_for(message),
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except TelegramError as exc:
            error = delivery_error(exc, chat_id)
            if isinstance(exc, RetryAfter) and error.retry_after:
                self.pacer.slow_down(error.retry_after)
            log.warning("Không gửi được tin Telegram tới %s: %s", recipient.name, error)
            raise error from exc
        return Delivery(external_id=f"{sent.chat_id}:{sent.message_id}")

    async def aclose(self) -> None:
        """Close the HTTP connections (safe to call more than once)."""
        bot, self._bot = self._bot, None
        if bot is not None and self._loop is asyncio.get_running_loop():
            await bot.shutdown()
