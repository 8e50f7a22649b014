"""Confirming an item done and withdrawing it: ``lichct done`` and the bot's ``/xong`` run these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput, PermissionDenied
from scheduler.inputs import clean_note
from scheduler.reminders import planner
from scheduler.store.models import (
    Completion,
    Event,
    Officer,
)
from scheduler.store.queries import (
    active_completion,
    event_recipients,
    get_event,
)

UNDO_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class DoneResult:
    event: Event
    completion: Completion
    already: bool


def can_confirm(session: Session, event: Event, actor: Officer) -> bool:
    """The assignee, a head of the responsible unit, or an admin may confirm an item."""
    if actor.role == "admin":
        return True
    responsible = event_recipients(session, event)
    if any(o.id == actor.id for o in responsible):
        return True
    if actor.role == "head":
        unit_ids = {o.unit_id for o in responsible} | {
            a.unit_id for a in event.assignments if a.unit_id is not None
        }
        return actor.unit_id is None or actor.unit_id in unit_ids or not unit_ids - {None}
    return False


def mark_done(
    session: Session,
    event_id: int | str,
    now: datetime,
    *,
    actor: Officer | None = None,
    by: Officer | None = None,
    note: str | None = None,
    channel: str = "cli",
) -> DoneResult:
    """Record that an item is done. ``actor`` None means the local operator (the CLI).

    A second confirmation changes nothing and says so.
    """
    note = clean_note(note)
    event = get_event(session, event_id)
    if event.status == "cancelled":
        raise InvalidInput(f"Việc #{event.id} đã bị hủy, không thể xác nhận hoàn thành")
    if actor is not None and not can_confirm(session, event, actor):
        raise PermissionDenied(
            f"Bạn không phụ trách việc #{event.id}; chỉ người được giao, "
            "trưởng đơn vị hoặc quản trị mới xác nhận được"
        )
    existing = active_completion(event)
    if event.status == "done" and existing is not None:
        return DoneResult(event=event, completion=existing, already=True)
    who = by or actor
    completion = Completion(
        event=event,
        officer_id=who.id if who else None,
        at=now,
        note=note,
        channel=channel,
    )
    session.add(completion)
    event.status = "done"
    event.touch(now)
    session.flush()
    planner.sync_event(session, event, now)
    return DoneResult(event=event, completion=completion, already=False)


def undo_done(
    session: Session, event_id: int | str, now: datetime, *, actor: Officer | None = None
) -> Event:
    """Withdraw a confirmation.

    Officers may do it within a day; heads, admins and the CLI (``actor`` None) always.
    """
    event = get_event(session, event_id)
    completion = active_completion(event)
    if event.status != "done" or completion is None:
        raise InvalidInput(f"Việc #{event.id} chưa được xác nhận hoàn thành")
    if actor is not None:
        if not can_confirm(session, event, actor):
            raise PermissionDenied(f"Bạn không phụ trách việc #{event.id}")
        if actor.role == "officer" and now - completion.at > UNDO_WINDOW:
            raise PermissionDenied(
                f"Chỉ hoàn tác được trong vòng 1 ngày sau khi xác nhận; "
                f"việc #{event.id} đã xác nhận lúc {completion.at:%d/%m/%Y %H:%M} UTC"
            )
    completion.withdrawn_at = now
    completion.withdrawn_by_id = actor.id if actor else None
    event.status = "planned"
    event.touch(now)
    session.flush()
    planner.sync_event(session, event, now)
    return event
