"""The Telegram bot inside ``lichct serve`` (filled by the Telegram capability)."""

from __future__ import annotations

from scheduler.context import AppContext


class BotRunner:
    """Starts and stops the bot in the running event loop; does nothing without a token."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
