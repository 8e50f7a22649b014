"""The figures of the web overview: a month's progress by section, unit and viewer,
overdue and coming items, observances ahead and field-visit coverage, within what the
viewer may see (``scheduler.services.visibility``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.lunar import LunarDate, solar_to_lunar
from scheduler.fieldwork import coverage_report
from scheduler.services import light
from scheduler.services.light import LightEvent
from scheduler.services.progress import Tally, month_bounds
from scheduler.services.visibility import Visibility
from scheduler.store.models import Event, Officer, Unit

NO_UNIT = "Chưa giao đơn vị"
SECTION_ORDER = ("tham-muu", "chuyen-mon", None)
OVERDUE_SHOWN = 10


@dataclass(frozen=True)
class ObservanceAhead:
    event: Event
    lunar: LunarDate
    days_left: int


@dataclass(frozen=True)
class CoverageLine:
    officer: str
    days_this_month: int
    reached: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.total) if self.total else 0


@dataclass(frozen=True)
class Overview:
    year: int
    month: int
    in_view: Tally
    mine: Tally
    by_section: list[tuple[str | None, Tally]]
    by_unit: list[tuple[str, Tally]]
    overdue: list[LightEvent]  # the first OVERDUE_SHOWN
    overdue_count: int
    coming: list[LightEvent]
    observances: list[ObservanceAhead]
    coverage: list[CoverageLine]


def _tally(items: Iterable[LightEvent], today: date) -> Tally:
    done = open_ = overdue = 0
    for item in items:
        if item.status == "done":
            done += 1
        elif item.overdue(today):
            overdue += 1
        else:
            open_ += 1
    return Tally(done=done, open=open_, overdue=overdue)


def overview(
    session: Session, viewer: Officer, today: date, *, visibility: Visibility | None = None
) -> Overview:
    seen = visibility or Visibility(session, viewer)
    start, end = month_bounds(today.year, today.month)
    month = seen.filter(light.load(session, due_from=start, due_to=end))
    sections: dict[str | None, list[LightEvent]] = defaultdict(list)
    units: dict[int | None, list[LightEvent]] = defaultdict(list)
    for item in month:
        sections[item.section if item.section in SECTION_ORDER else None].append(item)
        owners: set[int | None] = set(item.unit_ids()) or {None}
        for unit_id in owners:
            units[unit_id].append(item)
    names = {
        u.id: u.name
        for u in session.scalars(select(Unit).where(Unit.id.in_([k for k in units if k])))
    }
    by_unit = sorted(
        (
            (names.get(uid, NO_UNIT) if uid else NO_UNIT, _tally(items, today))
            for uid, items in units.items()
        ),
        key=lambda item: (item[0] == NO_UNIT, item[0]),
    )
    late: dict[str, Any] = {
        "due_from": date(today.year, 1, 1),
        "due_to": today - timedelta(days=1),
        "open_only": True,
    }
    if seen.everything:  # no filtering: count in SQL, load only what the page lists
        overdue = light.load(session, **late, limit=OVERDUE_SHOWN)
        overdue_count = light.count(session, **late)
    else:
        overdue = [item for item in light.load(session, **late) if seen.sees(item)]
        overdue_count = len(overdue)
    coming = [
        item
        for item in light.load(session, due_from=today, due_to=today + timedelta(days=7))
        if item.status == "planned" and seen.sees(item)
    ]
    ahead = session.scalars(
        select(Event)
        .where(Event.kind == "observance", Event.status != "cancelled")
        .where(Event.end_date >= today, Event.start_date <= today + timedelta(days=60))
        .order_by(Event.start_date, Event.id)
    )
    observances = [
        ObservanceAhead(e, solar_to_lunar(e.start_date), (e.start_date - today).days) for e in ahead
    ]
    return Overview(
        year=today.year,
        month=today.month,
        in_view=_tally(month, today),
        mine=_tally((item for item in month if seen.answers_for(item)), today),
        by_section=[(s, _tally(sections[s], today)) for s in SECTION_ORDER if sections.get(s)],
        by_unit=by_unit,
        overdue=overdue[:OVERDUE_SHOWN],
        overdue_count=overdue_count,
        coming=coming,
        observances=observances,
        coverage=_coverage(session, viewer, seen, today),
    )


def _coverage(
    session: Session, viewer: Officer, seen: Visibility, today: date
) -> list[CoverageLine]:
    """One line per officer in view who covers communes or wards."""
    if seen.everything:
        people = list(
            session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id))
        )
    elif viewer.role == "head" and viewer.unit_id is not None:
        people = list(
            session.scalars(
                select(Officer)
                .where(Officer.active.is_(True), Officer.unit_id == viewer.unit_id)
                .order_by(Officer.id)
            )
        )
    else:
        people = [viewer]
    lines = []
    start, end = coverage_report.reference_month(today.year, today)
    for person in people:
        rows = coverage_report.officer_coverage(session, person, today.year, today)
        if not rows:
            continue
        lines.append(
            CoverageLine(
                officer=person.name,
                days_this_month=coverage_report.month_days(session, person, start, end),
                reached=sum(r.reached for r in rows),
                total=sum(r.total for r in rows),
            )
        )
    return lines
