"""HTTP routes for the ICS feeds (filled by the feeds capability)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from scheduler.context import AppContext


def routes(ctx: AppContext) -> list[BaseRoute]:
    return []
