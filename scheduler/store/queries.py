"""Lookups every part of the service shares: an event by its ID, who answers for it.

They sit with the store so that the reminder engine, the feeds and the services can all
use them without importing one another.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput, NotFound
from scheduler.inputs import MAX_ID as MAX_ID
from scheduler.inputs import parse_id as parse_id
from scheduler.store.listing import overdue
from scheduler.store.models import Completion, Event, Officer


def parse_event_id(value: str | int) -> int:
    """The numeric ID of ``#37``, ``37`` or 37; anything else is a clear error."""
    text = str(value).strip().lstrip("#")
    number = parse_id(text)
    if number is None:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise InvalidInput(f"Mã việc không hợp lệ: {shown!r} (mã là một số dương, ví dụ 37)")
    return number


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


def is_overdue(event: Event, today: date) -> bool:
    """A task past its due date and not confirmed; an observance is a date, never overdue."""
    return overdue(event, today)


def event_unit_ids(event: Event) -> set[int]:
    """Units an item belongs to: assigned units, assigned officers' units, its own unit."""
    ids = {a.unit_id for a in event.assignments if a.unit_id is not None}
    ids |= {a.officer.unit_id for a in event.assignments if a.officer and a.officer.unit_id}
    if event.unit_id is not None:
        ids.add(event.unit_id)
    return ids
