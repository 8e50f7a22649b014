"""Days at the grassroots: logging a visit, listing visits, and whether one is in the area.

The same officer, unit and day is stored once; a visit cancels that month's pending nudge.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput
from scheduler.fieldwork.areas import area_of, area_units, no_area_message
from scheduler.fieldwork.names import unit_label
from scheduler.fieldwork.units import COMMUNE_KINDS, valid_in
from scheduler.inputs import clean_note
from scheduler.store.models import Officer, Reminder, Unit, Visit


def check_visit_date(visit_date: date, now: datetime, tz: ZoneInfo = LOCAL_TZ) -> None:
    """Only days already spent at the grassroots are logged."""
    today = now.astimezone(tz).date()
    if visit_date > today:
        raise InvalidInput(
            f"Ngày đi cơ sở {visit_date:%d/%m/%Y} chưa tới (hôm nay {today:%d/%m/%Y}): "
            "chỉ ghi những chuyến đã đi"
        )


def log_visit(
    session: Session,
    officer: Officer,
    unit: Unit,
    visit_date: date,
    now: datetime,
    note: str | None = None,
    channel: str = "cli",
    *,
    tz: ZoneInfo = LOCAL_TZ,
) -> tuple[Visit, bool]:
    """Record a day at the grassroots; the same officer, unit and day is stored once.

    A second call for the same day returns the first visit with ``created`` False. A date
    in the future, a district instead of a commune, a unit that did not exist that year
    or an officer with no area is refused: the visit would count nowhere.
    """
    check_visit_date(visit_date, now, tz)
    if unit.kind not in COMMUNE_KINDS:
        raise InvalidInput(f"{unit.name} không phải xã, phường hay thị trấn: hãy ghi nơi đã đến")
    if not valid_in(unit, visit_date.year):
        raise InvalidInput(f"{unit_label(unit)} không có trong danh sách năm {visit_date.year}")
    if not area_units(session, officer, visit_date.year):
        raise InvalidInput(no_area_message(officer, visit_date.year) + " trước khi ghi chuyến đi")
    existing = _find_visit(session, officer, unit, visit_date)
    if existing is not None:
        return existing, False
    cleaned = clean_note(note)
    text = " ".join(cleaned.split()) if cleaned else None
    visit = Visit(
        officer_id=officer.id,
        unit_id=unit.id,
        visit_date=visit_date,
        note=text,
        channel=channel,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(visit)
    except IntegrityError:
        # Logged at the same moment from another chat or command: the first one stands.
        existing = _find_visit(session, officer, unit, visit_date)
        if existing is None:
            raise
        return existing, False
    _cancel_nudges(session, officer, visit_date, now)
    return visit, True


def _find_visit(session: Session, officer: Officer, unit: Unit, day: date) -> Visit | None:
    return session.scalar(
        select(Visit).where(
            Visit.officer_id == officer.id, Visit.unit_id == unit.id, Visit.visit_date == day
        )
    )


def _cancel_nudges(session: Session, officer: Officer, day: date, now: datetime) -> None:
    """A visit in a month makes that month's pending nudge pointless."""
    session.execute(
        update(Reminder)
        .where(
            Reminder.key.like(f"visit-nudge:{officer.id}:%:{day:%Y-%m}"),
            Reminder.state == "pending",
        )
        .values(state="cancelled", last_error="đã có chuyến đi cơ sở", updated_at=now)
        .execution_options(synchronize_session=False)
    )


def in_area(session: Session, officer: Officer, unit: Unit, year: int) -> bool:
    return any(u.id == unit.id for u in area_units(session, officer, year))


def list_visits(
    session: Session, officer: Officer | None = None, year: int | None = None
) -> list[Visit]:
    query = select(Visit).order_by(Visit.visit_date, Visit.id)
    if officer is not None:
        query = query.where(Visit.officer_id == officer.id)
    if year is not None:
        query = query.where(
            Visit.visit_date >= date(year, 1, 1), Visit.visit_date <= date(year, 12, 31)
        )
    return list(session.scalars(query))


def visit_to_dict(session: Session, visit: Visit) -> dict[str, Any]:
    officer = session.get(Officer, visit.officer_id)
    unit = session.get(Unit, visit.unit_id)
    return {
        "id": visit.id,
        "officer": officer.name if officer else None,
        "officer_id": visit.officer_id,
        "unit": unit.name if unit else None,
        "unit_code": unit.code if unit else None,
        "area": area_of(unit)[1] if unit else None,
        "date": visit.visit_date.isoformat(),
        "note": visit.note,
        "channel": visit.channel,
    }
