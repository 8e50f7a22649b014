"""Service functions shared by the CLI, the Telegram bot and HTTP.

Each takes an open session (one unit of work) and the current instant; none of them
reads the clock or prints. ``lichct done`` and the bot's ``/xong`` both call
:func:`mark_done`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from calendars.kinds import EVENT_KINDS
from calendars.text import fold, nfc
from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput, NotFound, PermissionDenied
from scheduler.reminders import planner
from scheduler.store.models import (
    CHANNELS,
    OFFICER_ROLES,
    Assignment,
    Completion,
    Event,
    Officer,
    Unit,
)

UNDO_WINDOW = timedelta(days=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --------------------------------------------------------------------------- parsing


def parse_date(value: str, what: str = "ngày") -> date:
    """Parse an ISO ``YYYY-MM-DD`` date, with a clear message for a wrong one."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{what.capitalize()} không hợp lệ: {value!r} (cần dạng YYYY-MM-DD, ví dụ 2024-05-31)"
        ) from None


def parse_time(value: str) -> time:
    """Parse ``HH:MM`` (24-hour clock)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"Giờ không hợp lệ: {value!r} (cần dạng HH:MM, ví dụ 08:00)")
    return time(int(match[1]), int(match[2]))


def parse_event_id(value: str | int) -> int:
    text = str(value).strip().lstrip("#")
    if not text.isdigit():
        raise InvalidInput(f"Mã việc không hợp lệ: {value!r} (mã là một số, ví dụ 37)")
    return int(text)


# --------------------------------------------------------------------------- units & officers


def find_unit(session: Session, ref: str) -> Unit:
    """A unit by code or by name (diacritics optional)."""
    ref = nfc(ref.strip())
    unit = session.scalar(select(Unit).where(Unit.code == ref))
    if unit is not None:
        return unit
    wanted = fold(ref)
    matches = [u for u in session.scalars(select(Unit)) if fold(u.name) == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        codes = ", ".join(u.code for u in matches)
        raise InvalidInput(f"Có nhiều đơn vị tên {ref!r}: dùng mã ({codes})")
    raise NotFound(f"Không tìm thấy đơn vị {ref!r}")


def _channels(text: str) -> str:
    """Validate a channel list such as ``"telegram,email"``."""
    wanted = [c.strip() for c in text.split(",") if c.strip()]
    if not wanted or any(c not in CHANNELS for c in wanted):
        raise InvalidInput(
            f"Kênh không hợp lệ: {text!r} (chọn telegram, email hoặc telegram,email)"
        )
    return ",".join(dict.fromkeys(wanted))


def add_officer(
    session: Session,
    name: str,
    now: datetime,
    *,
    email: str | None = None,
    unit: str | None = None,
    role: str = "officer",
    channels: str | None = None,
) -> Officer:
    name = nfc(" ".join(name.split()))
    if not name:
        raise InvalidInput("Tên cán bộ không được để trống")
    if role not in OFFICER_ROLES:
        raise InvalidInput(f"Vai trò không hợp lệ: {role!r} (chọn: {', '.join(OFFICER_ROLES)})")
    if email is not None and not _EMAIL.match(email.strip()):
        raise InvalidInput(f"Địa chỉ email không hợp lệ: {email!r}")
    unit_row = find_unit(session, unit) if unit else None
    officer = Officer(
        name=name,
        search_name=fold(name),
        email=email.strip() if email else None,
        unit_id=unit_row.id if unit_row else None,
        role=role,
        channels=_channels(channels) if channels else ("telegram,email" if email else "telegram"),
        preferences={},
        active=True,
        created_at=now,
    )
    session.add(officer)
    session.flush()
    planner.invalidate(session)
    return officer


def update_officer(
    session: Session,
    officer: Officer,
    *,
    email: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    channels: str | None = None,
    active: bool | None = None,
) -> Officer:
    """Change what was given; who receives which reminders is re-planned at the next tick."""
    if role is not None and role not in OFFICER_ROLES:
        raise InvalidInput(f"Vai trò không hợp lệ: {role!r} (chọn: {', '.join(OFFICER_ROLES)})")
    if email is not None and not _EMAIL.match(email.strip()):
        raise InvalidInput(f"Địa chỉ email không hợp lệ: {email!r}")
    if channels is not None:
        officer.channels = _channels(channels)
    if email is not None:
        officer.email = email.strip()
    if unit is not None:
        officer.unit_id = find_unit(session, unit).id
    if role is not None:
        officer.role = role
    if active is not None:
        officer.active = active
    session.flush()
    planner.invalidate(session)
    return officer


def resolve_officer(session: Session, ref: str | int) -> Officer:
    """An officer by id, or by full name where it is unique (diacritics optional)."""
    text = nfc(str(ref).strip())
    if text.isdigit():
        officer = session.get(Officer, int(text))
        if officer is None:
            raise NotFound(f"Không có cán bộ mã {text}")
        return officer
    wanted = fold(text)
    if not wanted:
        raise InvalidInput("Cần tên hoặc mã cán bộ")
    exact = list(session.scalars(select(Officer).where(Officer.name == text)))
    matches = exact or list(session.scalars(select(Officer).where(Officer.search_name == wanted)))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(f"{o.id} ({o.name})" for o in matches)
        raise InvalidInput(f"Có nhiều cán bộ tên {text!r}, hãy dùng mã: {ids}")
    raise NotFound(f"Không tìm thấy cán bộ {text!r} (xem 'lichct officers list')")


def list_officers(session: Session) -> list[Officer]:
    return list(session.scalars(select(Officer).order_by(Officer.id)))


def officer_to_dict(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.id,
        "name": officer.name,
        "email": officer.email,
        "unit": officer.unit.name if officer.unit else None,
        "role": officer.role,
        "channels": officer.channel_list,
        "telegram_linked": officer.telegram_chat_id is not None,
    }


# --------------------------------------------------------------------------- events


def get_event(session: Session, event_id: int | str) -> Event:
    eid = parse_event_id(event_id)
    event = session.get(Event, eid)
    if event is None:
        raise NotFound(f"Không có việc mã #{eid}")
    return event


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
    title = nfc(" ".join(title.split()))
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


def is_overdue(event: Event, today: date) -> bool:
    """A task past its due date and not confirmed; an observance is a date, never overdue."""
    if event.source == "observance" or event.kind == "observance":
        return False
    due = event.due_date or event.end_date
    return event.status == "planned" and due < today and not event.conditional


def active_completion(event: Event) -> Completion | None:
    for completion in reversed(event.completions):
        if completion.withdrawn_at is None:
            return completion
    return None


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
    if event.all_day or event.start_at is None:
        start: str = event.start_date.isoformat()
        end: str = event.end_date.isoformat()
    else:
        start = event.start_at.astimezone(tz).isoformat()
        end = (event.end_at or event.start_at).astimezone(tz).isoformat()
    return {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "kind": event.kind,
        "start": start,
        "end": end,
        "due": event.due_date.isoformat() if event.due_date else None,
        "status": event.status,
        "overdue": is_overdue(event, today),
        "assignees": names,
        "observance": event.observance_key,
    }


# --------------------------------------------------------------------------- completion


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
        note=note.strip() if note and note.strip() else None,
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
