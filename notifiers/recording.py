"""A channel that keeps every message in memory: for tests and benchmarks."""

from __future__ import annotations

from notifiers.base import Delivery, Message, Recipient


class RecordingNotifier:
    def __init__(self, channel: str = "telegram") -> None:
        self.channel = channel
        self.sent: list[tuple[Recipient, Message]] = []

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        self.sent.append((recipient, message))
        return Delivery(external_id=str(len(self.sent)))
