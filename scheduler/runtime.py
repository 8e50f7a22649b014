"""``lichct serve``: HTTP feeds, the scheduler and the bot in one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Generator

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.http import build_app
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
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InvalidInput(f"Không mở được cổng HTTP {host}:{port}: {reason}") from exc


async def serve_async(ctx: AppContext, host: str, port: int) -> None:
    """Run until SIGINT/SIGTERM, then stop every part cleanly."""
    listener = bind(host, port)
    try:
        await _serve(ctx, listener, host, port)
    finally:
        listener.close()


async def _serve(ctx: AppContext, listener: socket.socket, host: str, port: int) -> None:
    prepare_database(ctx)
    server = _Server(
        uvicorn.Config(build_app(ctx), host=host, port=port, log_level="info", lifespan="off")
    )
    scheduler = AsyncIOScheduler(timezone=ctx.tz)
    jobs.configure(scheduler, ctx)
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
        if bot is not None:
            await bot.stop()
        scheduler.shutdown(wait=False)
        ctx.db.dispose()
        log.info("lichct đã dừng.")


def _request_exit(server: uvicorn.Server, signum: int) -> None:
    log.info("Nhận tín hiệu %s, đang dừng...", signal.Signals(signum).name)
    server.should_exit = True


def run_service(ctx: AppContext, host: str, port: int) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve_async(ctx, host, port))
