"""Delivery channels behind one interface (see :mod:`notifiers.base`)."""

from notifiers.base import (
    Action,
    Attachment,
    Deferred,
    Delivery,
    DeliveryError,
    Message,
    Notifier,
    Recipient,
)

__all__ = [
    "Action",
    "Attachment",
    "Deferred",
    "Delivery",
    "DeliveryError",
    "Message",
    "Notifier",
    "Recipient",
]
