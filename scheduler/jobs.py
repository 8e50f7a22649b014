"""APScheduler wiring: ticks that drive the outbox dispatcher and the digests."""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.context import AppContext


def configure(scheduler: AsyncIOScheduler, ctx: AppContext) -> None:
    """Register the periodic jobs of the service on ``scheduler``."""
    return None
