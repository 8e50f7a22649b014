"""Lookups every part of the service shares: an event by its ID, who answers for it.

They sit with the store so that the reminder engine, the feeds and the services can all
use them without importing one another.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput, NotFound
from scheduler.store.models import Completion, Event, Officer


def parse_event_id(value: str | int) -> int:
    """The numeric ID of ``#37``, ``37`` or 37; anything else is a clear error."""
    text = str(value).strip().lstrip("#")
    if not text.isdigit():
        raise InvalidInput(f"Mã việc không hợp lệ: {value!r} (mã là một số, ví dụ 37)")
    return int(text)


def get_event(session: Session, event_id: int | str) -> Event:
    """The event with that ID, or ``NotFound`` naming it."""
    eid = parse_event_id(event_id)
    event = session.get(Event, eid)
    if event is None:
        raise NotFound(f"Không có việc mã #{eid}")
    return event


def event_recipients(session: Session, event: Event) -> list[Officer]:
    """Who is responsible for ``event``: its officers, else its units' officers, else the heads.

    Nothing falls through: an item nobody was given reaches the board's leaders.
    """
    officers: dict[int, Officer] = {}
    unit_ids: list[int] = []
    for assignment in event.assignments:
        if assignment.officer is not None and assignment.officer.active:
            officers[assignment.officer.id] = assignment.officer
        elif assignment.unit_id is not None:
            unit_ids.append(assignment.unit_id)
    if not officers and unit_ids:
        for officer in session.scalars(
            select(Officer).where(Officer.unit_id.in_(unit_ids), Officer.active.is_(True))
        ):
            officers[officer.id] = officer
    if not officers and event.unit_id is not None:
        for officer in session.scalars(
            select(Officer).where(Officer.unit_id == event.unit_id, Officer.active.is_(True))
        ):
            officers[officer.id] = officer
    if not officers:
        for officer in session.scalars(
            select(Officer).where(Officer.role == "head", Officer.active.is_(True))
        ):
            officers[officer.id] = officer
    return sorted(officers.values(), key=lambda o: o.id)


def active_completion(event: Event) -> Completion | None:
    """The confirmation that stands (the newest not withdrawn), if any."""
    for completion in reversed(event.completions):
        if completion.withdrawn_at is None:
            return completion
    return None
