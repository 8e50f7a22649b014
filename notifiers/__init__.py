"""Delivery channels behind one interface (see :mod:`notifiers.base`)."""

from notifiers.base import (
    Action,
    Attachment,
    Delivery,
    DeliveryError,
    Message,
    Notifier,
    Recipient,
)

__all__ = [
    "Action",
    "Attachment",
    "Delivery",
    "DeliveryError",
    "Message",
    "Notifier",
    "Recipient",
]
