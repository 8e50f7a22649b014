"""``lichct serve``: HTTP feeds, the scheduler and the bot in one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Generator
from urllib.parse import unquote, urlsplit

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.http import build_app
from scheduler.logs import configure_logging
from scheduler.plans.seed import seed_database
from scheduler.reminders import jobs
from scheduler.store.db import migrate

log = logging.getLogger("lichct")


class _Server(uvicorn.Server):
    """Uvicorn without its own signal capture: ``serve_async`` owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def prepare_database(ctx: AppContext) -> None:
    """Create or migrate the database and load the bundled data (first start included)."""
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        summary = seed_database(session, ctx.clock.now(), ctx.tz)
    if summary:
        log.info(summary)


def bind(host: str, port: int) -> socket.socket:
    """Take the HTTP port before anything starts, so a busy port is one clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose ``proto``
    # says TCP, and an accepted socket inherits the listener's. Without it, Nagle's
    # algorithm meets the client's delayed ACK and every keep-alive request waits ~40 ms.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if family == socket.AF_INET6:
            listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except (OSError, OverflowError) as exc:
        listener.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InvalidInput(f"Không mở được cổng HTTP {host}:{port}: {reason}") from exc
    return listener


async def serve_async(
    ctx: AppContext, host: str, port: int, listener: socket.socket | None = None
) -> None:
    """Run until SIGINT/SIGTERM, then stop every part cleanly."""
    listener = listener or bind(host, port)
    try:
        await _serve(ctx, listener, host, port)
    finally:
        listener.close()


async def _serve(ctx: AppContext, listener: socket.socket, host: str, port: int) -> None:
    prepare_database(ctx)
    server = _Server(
        uvicorn.Config(
            build_app(ctx), host=host, port=port, log_level="info", lifespan="off", log_config=None
        )
    )
    scheduler = AsyncIOScheduler(timezone=ctx.tz)
    drain = jobs.configure(scheduler, ctx)
    bot = None
    if ctx.settings.telegram_token:  # the Telegram stack loads only when there is a bot
        from scheduler.bot.app import BotRunner

        bot = BotRunner(ctx)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _request_exit, server, signum)
    scheduler.start()
    try:
        if bot is not None:
            await bot.start()
        log.info("lichct đang chạy tại http://%s:%s (Ctrl-C để dừng)", host, port)
        await server.serve(sockets=[listener])
    finally:
        # No new ticks; a tick in flight records its sends before the scheduler, whose
        # shutdown cancels running jobs, goes.
        scheduler.pause()
        await drain()
        scheduler.shutdown(wait=False)
        if bot is not None:
            await bot.stop()
        ctx.db.dispose()
        log.info("lichct đã dừng.")


def _request_exit(server: uvicorn.Server, signum: int) -> None:
    log.info("Nhận tín hiệu %s, đang dừng...", signal.Signals(signum).name)
    server.should_exit = True


def run_service(ctx: AppContext, host: str, port: int) -> None:
    # uvicorn leaves logging to us (log_config=None): its access lines reach this one
    # masking handler, so no feed token or bot token is ever written.
    listener = bind(host, port)  # a busy port: one clear error, and logging left as it was
    configure_logging(ctx.tz, _secrets(ctx))
    asyncio.run(serve_async(ctx, host, port, listener))


def _secrets(ctx: AppContext) -> list[str]:
    """Configured secrets that must never appear in a log line, even verbatim."""
    settings = ctx.settings
    found = [settings.telegram_token or "", settings.secret_key or ""]
    if settings.smtp_url:
        password = urlsplit(settings.smtp_url).password
        found += [password or "", unquote(password or "")]
    return [s for s in found if s]
