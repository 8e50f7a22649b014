"""The Telegram bot inside ``lichct serve``: same asyncio loop as HTTP and the scheduler.

Polling by default (``initialize``, ``start``, ``updater.start_polling``; stopped in
reverse). Exactly one process may poll a bot token: Telegram answers a second poller with
409 Conflict. For several instances use webhook mode: set ``LICHCT_TELEGRAM_WEBHOOK_URL``
to the public https address that Telegram should call (for example
``https://lichct.example.vn/telegram/webhook``); the bot then listens on
``LICHCT_TELEGRAM_WEBHOOK_LISTEN`` (default ``127.0.0.1:8443``, put it behind the reverse
proxy at that path), registers the address with Telegram, and checks Telegram's secret
header (``LICHCT_TELEGRAM_WEBHOOK_SECRET``, by default derived from the token). The same
keys may sit in a ``[telegram]`` table of lichct.toml (``webhook_url``, ``webhook_listen``,
``webhook_secret``); the environment wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import socket
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application

from notifiers.telegram import file_url_for
from scheduler.bot import handlers, inbound, visits
from scheduler.context import AppContext

log = logging.getLogger("lichct.bot")

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    host: str
    port: int
    path: str
    secret: str


def webhook_config(ctx: AppContext, env: Mapping[str, str]) -> WebhookConfig | None:
    """Webhook settings from the environment or lichct.toml's [telegram]; None means poll."""
    table = ctx.settings.extra.get("telegram", {}) if ctx.settings.extra else {}

    def setting(key: str) -> str | None:
        value = env.get(f"LICHCT_TELEGRAM_{key.upper()}") or table.get(key)
        return str(value) if value else None

    url = setting("webhook_url")
    if not url:
        return None
    listen = setting("webhook_listen") or "127.0.0.1:8443"
    host, _, port = listen.rpartition(":")
    token = ctx.settings.telegram_token or ""
    secret = setting("webhook_secret") or hashlib.sha256(f"lichct:{token}".encode()).hexdigest()
    return WebhookConfig(
        url=url,
        host=host.strip("[]") or "127.0.0.1",
        port=int(port),
        path=urlsplit(url).path or "/",
        secret=secret,
    )


def build_application(ctx: AppContext) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application with our handlers; ``ctx`` is shared through ``bot_data``."""
    token = ctx.settings.telegram_token
    if not token:
        raise ValueError("no Telegram token")
    api_url = ctx.settings.telegram_api_url
    application = (
        Application.builder()
        .token(token)
        .base_url(api_url)
        .base_file_url(file_url_for(api_url))
        # Interactive replies wait out a 429 (twice at most) instead of being lost.
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    application.bot_data["ctx"] = ctx
    handlers.register(application, [*visits.HANDLERS, *inbound.HANDLERS])
    return application


class _QuietServer(uvicorn.Server):
    """Uvicorn without signal capture: ``lichct serve`` owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class BotRunner:
    """Starts and stops the bot in the running event loop; does nothing without a token."""

    def __init__(
        self, ctx: AppContext, *, env: Mapping[str, str] | None = None, poll_timeout: float = 10.0
    ) -> None:
        self.ctx = ctx
        self.env = os.environ if env is None else env
        self.poll_timeout = poll_timeout
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.webhook: WebhookConfig | None = None
        self._server: _QuietServer | None = None
        self._server_task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.application is not None and self.application.running

    async def start(self) -> None:
        """Start polling (or the webhook); a bot that cannot start leaves the service up."""
        if not self.ctx.settings.telegram_token:
            log.info(
                "Bot Telegram đang tắt: chưa đặt LICHCT_TELEGRAM_TOKEN "
                "(lời nhắc Telegram chỉ được ghi vào nhật ký)."
            )
            return
        application = build_application(self.ctx)
        try:
            await application.initialize()
        except InvalidToken:
            log.error("Bot Telegram không khởi động: LICHCT_TELEGRAM_TOKEN bị từ chối.")
            return
        except TelegramError as exc:
            log.error("Bot Telegram không khởi động (không kết nối được Telegram): %s", exc)
            return
        self.application = application
        try:
            await self._run(application)
        except (TelegramError, OSError, RuntimeError, ValueError) as exc:
            log.error("Bot Telegram không khởi động được: %s", exc)
            await self.stop()

    async def _run(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        with contextlib.suppress(TelegramError):
            await application.bot.set_my_commands(handlers.bot_commands())
        await application.start()
        self.webhook = webhook_config(self.ctx, self.env)
        if self.webhook is None:
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES
            )
            log.info("Bot Telegram @%s đang chạy (polling).", application.bot.username)
        else:
            await self._start_webhook(application, self.webhook)
            log.info(
                "Bot Telegram @%s đang chạy (webhook %s, lắng nghe %s:%s).",
                application.bot.username,
                self.webhook.url,
                self.webhook.host,
                self.webhook.port,
            )

    async def _start_webhook(
        self, application: Application[Any, Any, Any, Any, Any, Any], config: WebhookConfig
    ) -> None:
        async def receive(request: Request) -> Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), config.secret.encode()):
                return Response(status_code=403)
            try:
                update = Update.de_json(await request.json(), application.bot)
            except ValueError:
                return Response(status_code=400)
            await application.update_queue.put(update)
            return Response(status_code=200)

        await application.bot.set_webhook(
            url=config.url, secret_token=config.secret, allowed_updates=ALLOWED_UPDATES
        )
        app = Starlette(routes=[Route(config.path, receive, methods=["POST"])])
        self._server = _QuietServer(
            uvicorn.Config(
                app,
                host=config.host,
                port=config.port,
                log_level="warning",
                lifespan="off",
                log_config=None,  # keep the service's masking log handler
            )
        )
        # Bind here, so a busy port is an OSError for us rather than uvicorn's sys.exit.
        sock = socket.create_server((config.host, config.port))
        self._server_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:  # a condition, re-checked until the server is up
            if self._server_task.done():
                raise RuntimeError(f"webhook server on {config.host}:{config.port} stopped")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Stop in reverse order; safe to call when the bot never started."""
        application, self.application = self.application, None
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            await self._server_task
            self._server = self._server_task = None
        if application is None:
            return
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        log.info("Bot Telegram đã dừng.")
