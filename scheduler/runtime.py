"""``lichct serve``: HTTP feeds, the scheduler and the bot in one asyncio loop."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler import jobs
from scheduler.bot.app import BotRunner
from scheduler.context import AppContext
from scheduler.db import migrate
from scheduler.http import build_app
from scheduler.seed import seed_database

log = logging.getLogger("lichct")


def prepare_database(ctx: AppContext) -> None:
    """Create or migrate the database and load the bundled data (first start included)."""
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        summary = seed_database(session, ctx.clock.now(), ctx.tz)
    if summary:
        log.info(summary)


async def serve_async(ctx: AppContext, host: str, port: int) -> None:
    """Run until SIGINT/SIGTERM (uvicorn catches them), then stop every part cleanly."""
    prepare_database(ctx)
    server = uvicorn.Server(
        uvicorn.Config(build_app(ctx), host=host, port=port, log_level="info", lifespan="off")
    )
    scheduler = AsyncIOScheduler(timezone=ctx.tz)
    jobs.configure(scheduler, ctx)
    bot = BotRunner(ctx)
    scheduler.start()
    try:
        await bot.start()
        log.info("lichct đang chạy tại http://%s:%s (Ctrl-C để dừng)", host, port)
        await server.serve()
    finally:
        await bot.stop()
        scheduler.shutdown(wait=False)
        ctx.db.dispose()
        log.info("lichct đã dừng.")


def run_service(ctx: AppContext, host: str, port: int) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve_async(ctx, host, port))
