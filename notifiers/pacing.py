"""Pacing of outgoing Telegram messages at the Bot API's ceiling, with an injectable clock.

Telegram asks a bot for at most about 30 messages a second overall, at most one a second to
one private chat and twenty a minute to a group, and answers a 429 with ``retry_after`` when
a bot goes faster. :class:`TelegramPacer` keeps under all three without holding anything
while a chat waits:

- each chat has its own FIFO turn; a message waiting for its chat holds no delivery slot,
  so other chats proceed meanwhile;
- the spacing of one chat is measured from the moment the previous send *completed*
  (the server has received it by then), so the server never sees two messages closer than
  the chat's interval;
- the global rate: sends start ``1/rate`` apart, and never more than ``rate`` of them start
  within one second, measured when each actually starts (no burst: a quiet minute earns
  no credit);
- a 429 pauses every chat for its ``retry_after`` (:meth:`slow_down`);
- a message whose chat would make it wait longer than ``max_wait`` is refused with
  :class:`~notifiers.base.Deferred`, so the outbox puts it back with a precise next attempt
  instead of a worker waiting for it.

The clock is monotonic seconds and ``sleep`` an awaitable; tests pass fakes for both.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from notifiers.base import Deferred

Clock = Callable[[], float]
Sleeper = Callable[[float], Awaitable[None]]

# Telegram's documented limits (https://core.telegram.org/bots/faq#broadcasting-to-users),
# the global one with a little room so that network jitter cannot squeeze 31 into a second.
GLOBAL_RATE = 29.0
PRIVATE_INTERVAL = 1.0
GROUP_INTERVAL = 3.0  # twenty a minute, evenly spaced


@dataclass
class _Chat:
    """One chat's turn: who holds it, how many wait, and when the next message may go."""

    lock: asyncio.Lock
    ready_at: float = float("-inf")
    queued: int = 0


class TelegramPacer:
    """Decides when each message may go; see the module docstring."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleeper = asyncio.sleep,
        rate: float = GLOBAL_RATE,
        private_interval: float = PRIVATE_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        in_flight: int = 16,
        max_wait: float = 10.0,
    ) -> None:
        if rate <= 0 or in_flight < 1:
            raise ValueError("rate and in_flight must be positive")
        self._clock = clock
        self._sleep = sleep
        self.spacing = 1.0 / rate
        self._private = private_interval
        self._group = group_interval
        self._max_wait = max_wait
        self._in_flight = in_flight
        self._slots = asyncio.Semaphore(in_flight)
        self._gate = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._chats: dict[int, _Chat] = {}
        self._next_start = float("-inf")
        # Start times of the last ``rate`` sends: never more than that in one second.
        self._starts: deque[float] = deque(maxlen=max(1, int(rate)))
        self._paused_until = float("-inf")

    def interval_for(self, chat_id: int) -> float:
        """Groups and channels have negative ids in the Bot API."""
        return self._group if chat_id < 0 else self._private

    def _bind(self) -> None:
        """Locks belong to one event loop; ``dispatch --once`` runs a new loop each time."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._in_flight)
            self._gate = asyncio.Lock()
            for chat in self._chats.values():
                chat.lock = asyncio.Lock()
                chat.queued = 0

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(asyncio.Lock())
        return chat

    def expected_wait(self, chat_id: int) -> float:
        """Seconds before a message queued now for ``chat_id`` could go (an estimate)."""
        now = self._clock()
        chat = self._chats.get(chat_id)
        ready = max(self._paused_until, chat.ready_at if chat else now)
        queued = chat.queued if chat else 0
        return max(0.0, ready - now) + queued * self.interval_for(chat_id)

    def slow_down(self, retry_after: float) -> None:
        """The server answered 429: nothing goes out for ``retry_after`` seconds."""
        self._paused_until = max(self._paused_until, self._clock() + retry_after)

    async def _until(self, instant: float) -> None:
        left = instant - self._clock()
        if left > 0:
            await self._sleep(left)

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for the chat's turn and a global send time; send inside the block.

        Raises :class:`Deferred` at once when the chat's queue is longer than ``max_wait``.
        """
        self._bind()
        wait = self.expected_wait(chat_id)
        if wait > self._max_wait:
            raise Deferred(
                f"Đang giãn tin gửi tới {chat_id}: gửi lại sau {wait:.0f} giây",
                retry_after=wait,
            )
        chat = self._chat(chat_id)
        chat.queued += 1  # waiting or sending: each one delays the next by an interval
        try:
            async with chat.lock:
                await self._until(max(chat.ready_at, self._paused_until))
                async with self._slots:
                    async with self._gate:  # one message at a time takes the next send time
                        while True:
                            now = self._clock()
                            at = max(self._next_start, self._paused_until)
                            if len(self._starts) == self._starts.maxlen:
                                at = max(at, self._starts[0] + 1.0)
                            if at <= now:
                                break
                            await self._until(at)  # a 429 meanwhile is seen on the next loop
                        self._starts.append(now)
                        # A late wake-up (a busy event loop) is credited up to half a
                        # spacing, so the rate holds; an idle spell is not: no burst.
                        late = now - at
                        credit = min(late, self.spacing / 2) if late <= self.spacing else 0.0
                        self._next_start = now - credit + self.spacing
                    try:
                        yield
                    finally:
                        chat.ready_at = self._clock() + self.interval_for(chat_id)
        finally:
            chat.queued -= 1


__all__ = ["GLOBAL_RATE", "GROUP_INTERVAL", "PRIVATE_INTERVAL", "TelegramPacer"]
