"""Helpers for the feed tests: events written straight into the store, and ICS reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import LOCAL_TZ
from scheduler.store.models import Event, Officer, Unit


def make_event(
    session: Session,
    uid: str,
    title: str,
    start: date,
    now: datetime,
    *,
    end: date | None = None,
    at: tuple[int, int] | None = None,
    minutes: int = 90,
    source: str = "plan",
    kind: str = "report",
    text: str | None = None,
    references: list[str] | None = None,
    observance_key: str | None = None,
    unit: Unit | None = None,
) -> Event:
    """An event as an importer would store it, without going through the importer."""
    event = Event(
        uid=uid,
        source=source,
        kind=kind,
        title=title,
        text=text or title,
        start_date=start,
        end_date=end or start,
        due_date=end or start,
        all_day=at is None,
        conditional=False,
        references=references or [],
        observance_key=observance_key,
        unit_id=unit.id if unit else None,
        status="planned",
        revision=0,
        created_at=now,
        updated_at=now,
    )
    if at is not None:
        local = datetime(start.year, start.month, start.day, at[0], at[1], tzinfo=LOCAL_TZ)
        event.start_at = local
        event.end_at = local + timedelta(minutes=minutes)
    session.add(event)
    session.flush()
    return event


@dataclass
class Office:
    """A small board: two departments, three officers and one event of every shape."""

    unit_a: Unit
    unit_b: Unit
    lan: Officer  # officer in unit A
    minh: Officer  # officer in unit B
    head: Officer  # head of the board, no unit
    khmer: Event  # three-day all-day observance, 14-16/04
    meeting: Event  # timed meeting given to Lan
    report: Event  # given to unit A
    minh_task: Event  # given to Minh
    orphan: Event  # given to nobody: reaches the heads
    old_cancelled: Event  # cancelled 40 days ago
    new_cancelled: Event  # cancelled 10 days ago, given to Lan


def build_office(session: Session, now: datetime) -> Office:
    units = {u.code: u for u in session.scalars(select(Unit))}
    unit_a, unit_b = units["hc-dt"], units["dvcq-dttg"]
    lan = services.add_officer(session, "Trần Thị Lan", now, email="lan@example.vn", unit="hc-dt")
    minh = services.add_officer(session, "Lê Văn Minh", now, unit="dvcq-dttg")
    head = services.add_officer(session, "Nguyễn Văn Hùng", now, role="head")
    khmer = make_event(
        session,
        "test-obs-chol-chnam-thmay-2024@lichct",
        "Tết Chol Chnam Thmay (thử)",
        date(2024, 4, 14),
        now,
        end=date(2024, 4, 16),
        source="observance",
        kind="observance",
        observance_key="chol-chnam-thmay",
        text="Tết cổ truyền của đồng bào Khmer; thăm, chúc Tết các chùa Khmer.",
    )
    meeting = make_event(
        session,
        "test-meeting@lichct",
        "Họp giao ban Ban Dân vận",
        date(2024, 5, 27),
        now,
        at=(8, 0),
        kind="meeting",
    )
    services.assign(session, meeting, now, officer=lan)
    report = make_event(
        session,
        "test-report@lichct",
        "Báo cáo công tác dân vận tháng 5/2024",
        date(2024, 5, 31),
        now,
        references=["05-CT/TU", "100-KH/BDVTU"],
        text=(
            "Báo cáo kết quả thực hiện công tác dân vận tháng 5/2024, gửi Thường trực "
            "Tỉnh ủy; lồng ghép kết quả thực hiện Chỉ thị 05-CT/TU của Tỉnh ủy."
        ),
    )
    services.assign(session, report, now, unit=unit_a)
    minh_task = make_event(
        session, "test-minh@lichct", "Kiểm tra công tác dân vận", date(2024, 6, 10), now
    )
    services.assign(session, minh_task, now, officer=minh)
    orphan = make_event(
        session, "test-orphan@lichct", "Việc chưa giao cho ai", date(2024, 6, 12), now
    )
    old_cancelled = make_event(
        session, "test-cancelled-old@lichct", "Việc đã hủy lâu", date(2024, 4, 2), now
    )
    new_cancelled = make_event(
        session, "test-cancelled-new@lichct", "Việc vừa hủy", date(2024, 6, 3), now
    )
    services.assign(session, old_cancelled, now, officer=lan)
    services.assign(session, new_cancelled, now, officer=lan)
    for event, days in ((old_cancelled, 40), (new_cancelled, 10)):
        event.status = "cancelled"
        event.cancelled_at = now - timedelta(days=days)
        event.touch(now - timedelta(days=days))
    session.flush()
    return Office(
        unit_a, unit_b, lan, minh, head, khmer, meeting, report, minh_task, orphan,
        old_cancelled, new_cancelled,
    )  # fmt: skip


def vevents(data: bytes) -> dict[str, icalendar.Event]:
    """The VEVENTs of a calendar, by UID (icalendar's parser)."""
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def vevent_blocks(data: bytes) -> dict[str, bytes]:
    """The raw bytes of each VEVENT, by UID: to see exactly what changed between renders."""
    blocks: dict[str, bytes] = {}
    text = data.split(b"BEGIN:VEVENT\r\n")[1:]
    for chunk in text:
        block = chunk.split(b"END:VEVENT\r\n")[0]
        unfolded = block.replace(b"\r\n ", b"")
        uid = next(line[4:] for line in unfolded.split(b"\r\n") if line.startswith(b"UID:"))
        blocks[uid.decode()] = block
    return blocks


def prop(block: bytes, name: str) -> str:
    """One property's value from a raw VEVENT block (first occurrence, unfolded)."""
    for line in block.replace(b"\r\n ", b"").split(b"\r\n"):
        head, _, value = line.decode().partition(":")
        if head.split(";")[0] == name:
            return value
    raise KeyError(name)


def as_date(value: Any) -> date:
    return value if not isinstance(value, datetime) else value.date()
