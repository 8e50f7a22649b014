"""Reminder planning: keeps the outbox in step with the store (filled by the reminder engine)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.models import Event


def sync_event(session: Session, event: Event, now: datetime) -> None:
    """Add, move or cancel the reminders of ``event`` after it changed; idempotent."""
    # The reminder engine (issue 6) plans rows here; until then nothing is planned.
    return None
