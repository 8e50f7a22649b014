"""A channel that only logs what it would have sent (no token or SMTP configured)."""

from __future__ import annotations

import logging

from notifiers.base import Delivery, Message, Recipient

log = logging.getLogger("lichct.notify")


class LogNotifier:
    """Stands in for a channel that is not configured, so nothing is lost silently."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        log.info(
            "[%s chưa cấu hình] sẽ gửi tới %s: %s", self.channel, recipient.name, message.subject
        )
        return Delivery(external_id=None)
