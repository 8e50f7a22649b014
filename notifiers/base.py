"""The one small interface every channel implements, and the one error it may raise.

A notifier delivers one message to one recipient. It never retries: it raises
:class:`DeliveryError` saying whether a retry may help, and the outbox dispatcher
decides what to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Recipient:
    """Where a message goes: an officer's (or a unit group's) addresses on each channel."""

    name: str
    telegram_chat_id: int | None = None
    email: str | None = None
    officer_id: int | None = None


@dataclass(frozen=True)
class Action:
    """An inline action under a message: ``done`` or ``snooze``, with compact callback data;
    or, with ``url``, a button that opens a web page."""

    label: str
    callback_data: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Message:
    """A message in Vietnamese: ``text`` is the body every channel can show."""

    subject: str
    text: str
    html: str | None = None
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    event_id: int | None = None
    reminder_id: int | None = None
    # Where a person can read more (the event in the feed, the plan).
    link: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Delivery:
    """What the channel answered; ``external_id`` lets a later edit find the message."""

    external_id: str | None = None


class DeliveryError(Exception):
    """Delivery failed. ``permanent`` says a retry cannot help; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Deferred(DeliveryError):
    """Not sent and not attempted: the channel's own pacing asks to try again in
    ``retry_after`` seconds (the outbox puts the row back without counting an attempt)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, permanent=False, retry_after=retry_after)


class Notifier(Protocol):
    """One channel. ``channel`` names it ("telegram", "email", "log").

    A notifier with a true ``paced`` attribute spaces its own sends (Telegram); the
    dispatcher then starts every message at once and lets the channel order them. Others
    get a fixed number of concurrent sends per channel.
    """

    channel: str

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        """Deliver ``message`` or raise :class:`DeliveryError`."""
        ...
