"""Items as plain rows, for pages that show hundreds or thousands of them (overview, month).

Loading ORM objects with their assignments costs ~0.3 ms per item; these two Core queries
cost a fraction of that. A row carries what the pages show and what the visibility rules
read (``Shape``); a rule that needs the whole item loads one per distinct shape.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from scheduler.store.listing import overdue
from scheduler.store.models import Assignment, Event, Officer

# (assigned officer ids, assigned unit ids without officer, the item's unit, assigned
# officers' units): everything that decides who answers for an item and who may see it.
Shape = tuple[tuple[int, ...], tuple[int, ...], int | None, tuple[int, ...]]


@dataclass(slots=True)
class LightEvent:
    """An item as a plain row (not frozen: a frozen dataclass costs several times more
    to build, and pages build thousands)."""

    id: int
    title: str
    kind: str
    source: str
    section: str | None
    status: str
    start_date: date
    end_date: date
    due_date: date | None
    all_day: bool
    start_at: datetime | None
    conditional: bool
    unit_id: int | None
    shape: Shape

    @property
    def due(self) -> date:
        return self.due_date or self.end_date

    @property
    def observance(self) -> bool:
        return self.source == "observance" or self.kind == "observance"

    def overdue(self, today: date) -> bool:
        """The rule of ``services.events.is_overdue``, on a row."""
        return overdue(self, today)

    def unit_ids(self) -> set[int]:
        ids = set(self.shape[1]) | set(self.shape[3])
        if self.unit_id is not None:
            ids.add(self.unit_id)
        return ids


_COLUMNS = (
    Event.id,
    Event.title,
    Event.kind,
    Event.source,
    Event.section,
    Event.status,
    Event.start_date,
    Event.end_date,
    Event.due_date,
    Event.all_day,
    Event.start_at,
    Event.conditional,
    Event.unit_id,
)


def load(
    session: Session,
    *,
    due_from: date | None = None,
    due_to: date | None = None,
    touching: tuple[date, date] | None = None,
    tasks_only: bool = True,
    open_only: bool = False,
    where: Any = None,
    limit: int | None = None,
    offset: int = 0,
    shapes: bool = True,
) -> list[LightEvent]:
    """Items (not cancelled) whose deadline falls in ``due_from..due_to``, or that touch
    the ``touching`` days; ``tasks_only`` leaves observances out, ``open_only`` keeps
    only items still waiting (planned, not conditional); ``where`` is one more SQL
    condition (e.g. ``Visibility.clause()``). By deadline, then id. Without ``shapes``
    the rows carry an empty shape (for pages that filtered in SQL and show no owner)."""
    due = func.coalesce(Event.due_date, Event.end_date)
    where = conditions(due_from, due_to, touching, tasks_only, open_only, where)
    query = select(*_COLUMNS).where(*where).order_by(due, Event.id)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    rows = session.execute(query).all()
    if not rows:
        return []
    if not shapes:
        none: Shape = ((), (), None, ())
        return [LightEvent(*row, shape=none) for row in rows]  # type: ignore[call-arg]
    ids = [row[0] for row in rows]
    if len(ids) > 500:  # a long IN list costs more than the subquery
        chosen: Any = select(Event.id).where(*where).scalar_subquery()
    else:
        chosen = ids
    people: dict[int, list[int]] = defaultdict(list)
    units: dict[int, list[int]] = defaultdict(list)
    their_units: dict[int, list[int]] = defaultdict(list)
    for event_id, officer_id, unit_id, officer_unit in session.execute(
        select(Assignment.event_id, Assignment.officer_id, Assignment.unit_id, Officer.unit_id)
        .outerjoin(Officer, Officer.id == Assignment.officer_id)
        .where(Assignment.event_id.in_(chosen))
    ):
        if officer_id is not None:
            people[event_id].append(officer_id)
            if officer_unit is not None:
                their_units[event_id].append(officer_unit)
        elif unit_id is not None:
            units[event_id].append(unit_id)
    result = []
    for row in rows:
        eid = row[0]
        shape: Shape = (
            tuple(sorted(people.get(eid, ()))),
            tuple(sorted(units.get(eid, ()))),
            row[12],
            tuple(sorted(set(their_units.get(eid, ())))),
        )
        result.append(LightEvent(*row, shape=shape))  # type: ignore[call-arg]
    return result


def count(
    session: Session,
    *,
    due_from: date | None = None,
    due_to: date | None = None,
    touching: tuple[date, date] | None = None,
    tasks_only: bool = True,
    open_only: bool = False,
    where: Any = None,
) -> int:
    """How many items ``load`` would return with the same filters."""
    chosen = conditions(due_from, due_to, touching, tasks_only, open_only, where)
    return int(session.scalar(select(func.count(Event.id)).where(*chosen)) or 0)


def conditions(
    due_from: date | None = None,
    due_to: date | None = None,
    touching: tuple[date, date] | None = None,
    tasks_only: bool = True,
    open_only: bool = False,
    extra: Any = None,
) -> list[Any]:
    """The SQL conditions of ``load`` and ``count``."""
    where = list(_conditions(due_from, due_to, touching, tasks_only, open_only))
    if extra is not None:
        where.append(extra)
    return where


@lru_cache(maxsize=256)
def _conditions(
    due_from: date | None,
    due_to: date | None,
    touching: tuple[date, date] | None,
    tasks_only: bool,
    open_only: bool,
) -> tuple[Any, ...]:
    # Built once per set of dates: building expressions costs more than running them.
    where: list[Any] = [Event.status != "cancelled"]
    if due_from is not None or due_to is not None:
        where.append(due_between(due_from, due_to))
    if touching is not None:
        where += [Event.end_date >= touching[0], Event.start_date <= touching[1]]
    if tasks_only:
        where.append(Event.kind != "observance")
    if open_only:
        where += [Event.status == "planned", Event.conditional.is_(False)]
    return tuple(where)


def due_between(first: date | None, last: date | None) -> Any:
    """The deadline (the due date, else the last day) falls in ``first..last``; written
    as two ranges, on ``due_date`` and on ``end_date`` where there is no due date, so
    that the database reads the index on both instead of every item."""
    by_due = [Event.due_date >= first] if first is not None else []
    by_end = [Event.end_date >= first] if first is not None else []
    if last is not None:
        by_due.append(Event.due_date <= last)
        by_end.append(Event.end_date <= last)
    return or_(and_(*by_due), and_(Event.due_date.is_(None), *by_end))


@lru_cache(maxsize=64)
def overdue_clause(today: date) -> Any:
    """``services.events.is_overdue`` as a SQL condition on ``Event``."""
    return and_(
        Event.status == "planned",
        due_between(None, today - timedelta(days=1)),
        Event.conditional.is_(False),
        Event.source != "observance",
        Event.kind != "observance",
    )


@lru_cache(maxsize=64)
def state(today: date) -> Any:
    """An item's column in a tally: "done", "overdue" or "open" (what ``Tally`` counts)."""
    return case(
        (Event.status == "done", "done"),
        (overdue_clause(today), "overdue"),
        else_="open",
    )
