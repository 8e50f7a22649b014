"""Events: add an ad-hoc item, assign it, list and describe items for every entry point."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from calendars.kinds import EVENT_KINDS
from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput
from scheduler.inputs import check_date, clean_input
from scheduler.reminders import planner
from scheduler.store.listing import event_record
from scheduler.store.models import (
    Assignment,
    Event,
    Officer,
    Unit,
)
from scheduler.store.queries import is_overdue as is_overdue


def add_event(
    session: Session,
    title: str,
    on: date,
    now: datetime,
    tz: ZoneInfo,
    *,
    end: date | None = None,
    at: time | None = None,
    duration: timedelta = timedelta(hours=1),
    kind: str = "other",
    assignees: list[Officer] | None = None,
    text: str | None = None,
) -> Event:
    """Create an ad-hoc event: all-day over ``on``..``end``, or timed at ``at`` local time."""
    title = " ".join(clean_input(title, "tiêu đề").split())
    if text is not None:
        text = clean_input(text, "nội dung")
    check_date(on, "ngày")
    if end is not None:
        check_date(end, "ngày kết thúc")
    if not title:
        raise InvalidInput("Tiêu đề không được để trống")
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"Loại việc không hợp lệ: {kind!r} (chọn: {', '.join(EVENT_KINDS)})")
    end = end or on
    if end < on:
        raise InvalidInput(f"Ngày kết thúc {end.isoformat()} trước ngày bắt đầu {on.isoformat()}")
    event = Event(
        uid="",
        source="adhoc",
        kind=kind,
        title=title,
        text=text or title,
        start_date=on,
        end_date=end,
        due_date=end,
        all_day=at is None,
        conditional=False,
        references=[],
        status="planned",
        revision=0,
        created_at=now,
        updated_at=now,
    )
    if at is not None:
        start_local = datetime.combine(on, at, tzinfo=tz)
        event.start_at = start_local.astimezone(now.tzinfo)
        event.end_at = (start_local + duration).astimezone(now.tzinfo)
    session.add(event)
    session.flush()
    event.uid = f"adhoc-{event.id}-{int(now.timestamp())}@lichct"
    for officer in assignees or []:
        assign(session, event, now, officer=officer, sync=False)
    planner.sync_event(session, event, now)
    return event


def assign(
    session: Session,
    event: Event,
    now: datetime,
    *,
    officer: Officer | None = None,
    unit: Unit | None = None,
    sync: bool = True,
) -> Assignment:
    """Give ``event`` to an officer or a unit (idempotent)."""
    if (officer is None) == (unit is None):
        raise InvalidInput("Giao việc cho một cán bộ hoặc một đơn vị")
    for existing in event.assignments:
        if officer is not None and existing.officer_id == officer.id:
            return existing
        if unit is not None and existing.unit_id == unit.id and existing.officer_id is None:
            return existing
    assignment = Assignment(
        event=event,
        officer=officer,
        officer_id=officer.id if officer else None,
        unit=unit,
        unit_id=unit.id if unit else None,
        created_at=now,
    )
    session.add(assignment)
    event.touch(now)
    session.flush()
    if sync:
        planner.sync_event(session, event, now)
    return assignment


def list_events(
    session: Session,
    *,
    start: date | None = None,
    end: date | None = None,
    officer: Officer | None = None,
    include_cancelled: bool = False,
) -> list[Event]:
    """Events that touch ``start``..``end`` (inclusive), by date."""
    query = select(Event).options(
        selectinload(Event.assignments).selectinload(Assignment.officer),
        selectinload(Event.completions),
    )
    if start is not None:
        query = query.where(Event.end_date >= start)
    if end is not None:
        query = query.where(Event.start_date <= end)
    if not include_cancelled:
        query = query.where(Event.status != "cancelled")
    if officer is not None:
        mine = Event.assignments.any(Assignment.officer_id == officer.id)
        if officer.unit_id is not None:
            mine = or_(
                mine,
                Event.assignments.any(
                    (Assignment.unit_id == officer.unit_id) & Assignment.officer_id.is_(None)
                ),
            )
        query = query.where(mine)
    query = query.order_by(Event.start_date, Event.id)
    return list(session.scalars(query))


def event_to_dict(event: Event, today: date, tz: ZoneInfo = LOCAL_TZ) -> dict[str, Any]:
    """The JSON shape of ``lichct events --format json`` (DESIGN.md); instants in local time."""
    names = [a.officer.name for a in event.assignments if a.officer is not None]
    names += [a.unit.name for a in event.assignments if a.officer is None and a.unit is not None]
    return event_record(event, names, today, tz)
