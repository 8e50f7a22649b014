"""The audit log: every change made in the browser, with who made it and when.

Pages call :func:`record` in the same unit of work as the change itself, so an entry exists
exactly when the change was stored. Entries tied to an item (``event_id``) appear in that
item's history (:func:`for_event`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.store.models import AuditEntry, Officer

SUMMARY_LIMIT = 1000


def record(
    session: Session,
    actor: Officer | None,
    action: str,
    summary: str,
    now: datetime,
    *,
    event_id: int | None = None,
    target: str | None = None,
    channel: str = "web",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry (flushed, in the caller's transaction)."""
    entry = AuditEntry(
        at=now,
        officer_id=actor.id if actor is not None else None,
        channel=channel,
        action=action[:64],
        event_id=event_id,
        target=target[:64] if target else None,
        summary=summary[:SUMMARY_LIMIT],
        details=details or {},
    )
    session.add(entry)
    session.flush()
    return entry


def for_event(session: Session, event_id: int) -> list[AuditEntry]:
    """The entries of one item, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.event_id == event_id)
            .options(selectinload(AuditEntry.officer))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def recent(
    session: Session, limit: int = 200, action_prefix: str | None = None
) -> list[AuditEntry]:
    """The newest entries first (for an admin's view of who changed what)."""
    query = select(AuditEntry).options(selectinload(AuditEntry.officer))
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return list(
        session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit))
    )
