"""What every bot handler needs: the shared AppContext and a unit of work off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram.ext import CallbackContext

from scheduler.context import AppContext

T = TypeVar("T")


def app_context(context: CallbackContext[Any, Any, Any, Any]) -> AppContext:
    """The service's context, put in ``bot_data`` when the application is built."""
    ctx: AppContext = context.application.bot_data["ctx"]
    return ctx


async def in_store(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one unit of work, off the event loop (HTTP and jobs share it)."""

    def run() -> T:
        with ctx.db.unit_of_work() as session:
            return work(session)

    return await asyncio.to_thread(run)
