"""The figures of the web overview: a month's progress by section, unit and viewer,
overdue and coming items, observances ahead and field-visit coverage, within what the
viewer may see (``scheduler.services.visibility``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import Session

from calendars.lunar import LunarDate, solar_to_lunar
from scheduler.fieldwork import coverage_report
from scheduler.services import light
from scheduler.services.light import LightEvent
from scheduler.services.progress import Tally, month_bounds
from scheduler.services.visibility import Visibility
from scheduler.store.models import Assignment, Event, Officer, Unit

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


def _tally(counts: Mapping[str, int]) -> Tally:
    return Tally(
        done=counts.get("done", 0), open=counts.get("open", 0), overdue=counts.get("overdue", 0)
    )


@lru_cache(maxsize=64)
def _unit_pairs(start: date, end: date) -> Any:
    """(item, unit) for every unit an item due in ``start..end`` belongs to
    (``LightEvent.unit_ids``): units assigned, the units of officers assigned, the
    item's own unit; one row per pair. Built once per month."""
    where = light.conditions(start, end)
    return union(
        select(Assignment.event_id.label("event_id"), Assignment.unit_id.label("unit_id"))
        .join(Event, Event.id == Assignment.event_id)
        .where(Assignment.unit_id.is_not(None), *where),
        select(Assignment.event_id, Officer.unit_id)
        .join(Officer, Officer.id == Assignment.officer_id)
        .join(Event, Event.id == Assignment.event_id)
        .where(Officer.unit_id.is_not(None), *where),
        select(Event.id, Event.unit_id).where(Event.unit_id.is_not(None), *where),
    ).subquery()


def overview(
    session: Session, viewer: Officer, today: date, *, visibility: Visibility | None = None
) -> Overview:
    """Counted in SQL within what the viewer sees; only the rows the page lists are loaded."""
    seen = visibility or Visibility(session, viewer)
    visible = seen.clause()
    start, end = month_bounds(today.year, today.month)
    month = light.conditions(start, end, extra=visible)
    state = light.state(today)
    sections: dict[str | None, Counter[str]] = defaultdict(Counter)
    for section, column, n in session.execute(
        select(Event.section, state, func.count()).where(*month).group_by(Event.section, state)
    ):
        sections[section if section in SECTION_ORDER else None][column] += n
    in_view: Counter[str] = Counter()
    for counts in sections.values():
        in_view.update(counts)
    mine: Counter[str] = Counter()
    for column, n in session.execute(
        select(state, func.count()).where(*month, seen.answers_clause()).group_by(state)
    ):
        mine[column] += n
    pairs = _unit_pairs(start, end)  # the outer query applies ``visible``
    units: dict[int | None, Counter[str]] = defaultdict(Counter)
    for unit_id, column, n in session.execute(
        select(pairs.c.unit_id, state, func.count())
        .select_from(Event)
        .outerjoin(pairs, pairs.c.event_id == Event.id)
        .where(*month)
        .group_by(pairs.c.unit_id, state)
    ):
        units[unit_id][column] += n
    names = {
        u.id: u.name
        for u in session.scalars(select(Unit).where(Unit.id.in_([k for k in units if k])))
    }
    by_unit = sorted(
        (
            (names.get(uid, NO_UNIT) if uid else NO_UNIT, _tally(counts))
            for uid, counts in units.items()
        ),
        key=lambda item: (item[0] == NO_UNIT, item[0]),
    )
    late: dict[str, Any] = {
        "due_from": date(today.year, 1, 1),
        "due_to": today - timedelta(days=1),
        "open_only": True,
        "where": visible,
    }
    overdue = light.load(session, **late, limit=OVERDUE_SHOWN, shapes=False)
    overdue_count = light.count(session, **late)
    coming = light.load(
        session,
        due_from=today,
        due_to=today + timedelta(days=7),
        where=and_(visible, Event.status == "planned"),
        shapes=False,
    )
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
        in_view=_tally(in_view),
        mine=_tally(mine),
        by_section=[(s, _tally(sections[s])) for s in SECTION_ORDER if sections.get(s)],
        by_unit=by_unit,
        overdue=overdue,
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
