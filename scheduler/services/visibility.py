"""Who may see and act on which item: the rules every web page checks on the server.

An officer sees their own items, their unit's and the observances; a head sees their unit
and acts on it; an admin and the head of the board itself (unit ``bdvtu``, or a head with
no unit) see and act on everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from scheduler.services.light import LightEvent, Shape
from scheduler.store.models import Assignment, Event, Officer
from scheduler.store.queries import event_recipients, event_unit_ids

BOARD_UNIT_CODE = "bdvtu"
T = TypeVar("T", Event, LightEvent)


def sees_everything(officer: Officer) -> bool:
    """An admin, or the head of the board (not of one department)."""
    if officer.role == "admin":
        return True
    if officer.role != "head":
        return False
    return officer.unit is None or officer.unit.code == BOARD_UNIT_CODE


def is_observance(event: Event) -> bool:
    return event.source == "observance" or event.kind == "observance"


def shape_of(event: Event) -> Shape:
    """The facts that decide who answers for ``event`` and who sees it."""
    return (
        tuple(sorted(a.officer_id for a in event.assignments if a.officer_id is not None)),
        tuple(sorted(a.unit_id for a in event.assignments if a.officer_id is None and a.unit_id)),
        event.unit_id,
        tuple(
            sorted(
                {a.officer.unit_id for a in event.assignments if a.officer and a.officer.unit_id}
            )
        ),
    )


class Visibility:
    """Answers "may this viewer see that item" (and "does it answer for it") for many
    items, cheaply: the answers depend only on an item's shape, and a year's plan has a
    handful of shapes. Works on ORM items and on ``light`` rows alike.
    """

    def __init__(self, session: Session, viewer: Officer) -> None:
        self.session = session
        self.viewer = viewer
        self.everything = sees_everything(viewer)
        self._seen: dict[Shape, bool] = {}
        self._mine: dict[Shape, bool] = {}

    def _event(self, item: Event | LightEvent) -> Event:
        if isinstance(item, Event):
            return item
        event = self.session.get(Event, item.id)
        assert event is not None
        return event

    def _shape(self, item: Event | LightEvent) -> Shape:
        return item.shape if isinstance(item, LightEvent) else shape_of(item)

    def answers_for(self, item: Event | LightEvent) -> bool:
        """The viewer is among those responsible (the rule reminders use)."""
        shape = self._shape(item)
        answer = self._mine.get(shape)
        if answer is None:
            recipients = event_recipients(self.session, self._event(item))
            answer = self._mine[shape] = any(o.id == self.viewer.id for o in recipients)
        return answer

    def sees(self, item: Event | LightEvent) -> bool:
        observance = item.observance if isinstance(item, LightEvent) else is_observance(item)
        if self.everything or observance:
            return True
        shape = self._shape(item)
        answer = self._seen.get(shape)
        if answer is None:
            unit_ids = item.unit_ids() if isinstance(item, LightEvent) else event_unit_ids(item)
            mine = self.viewer.unit_id is not None and self.viewer.unit_id in unit_ids
            answer = self._seen[shape] = mine or self.answers_for(item)
        return answer

    def filter(self, items: Iterable[T]) -> list[T]:
        return [item for item in items if self.sees(item)]

    def clause(self) -> Any:
        """``sees`` as a SQL condition on ``Event``, for queries that count or list many."""
        if self.everything:
            return true()
        v = self.viewer
        return _seen_by(v.id, v.unit_id, v.role, v.active)

    def answers_clause(self) -> Any:
        """``answers_for`` as a SQL condition on ``Event``."""
        v = self.viewer
        return _answered_by(v.id, v.unit_id, v.role, v.active)

    def manages(self, event: Event) -> bool:
        """Heads act on their unit's items (assign, remind now); admins on everything."""
        if is_observance(event):
            return self.everything
        if self.everything:
            return True
        return self.viewer.role == "head" and self.sees(event)


def observance_clause() -> Any:
    """``is_observance`` as a SQL condition on ``Event``."""
    return or_(Event.source == "observance", Event.kind == "observance")


# The SQL conditions are correlated EXISTS tests: one probe of an item's assignments (by
# the index on ``event_id``), cheaper than a list of ids when a page reads a month. They
# are built once per viewer and reused: building an expression costs more than running
# it on a small store.


@lru_cache(maxsize=1024)
def _seen_by(officer_id: int, unit_id: int | None, role: str, active: bool) -> Any:
    """``sees`` for a viewer below the board. The unit rule already covers the
    recipients found through the viewer's unit, so what ``answers_for`` adds is being
    assigned by name, or being a head when nobody else answers for the item."""
    choices: list[Any] = [observance_clause()]
    if unit_id is not None:
        choices.append(unit_clause(unit_id, officer_id if active else None))
    elif active:
        choices.append(assigned_clause(officer_id))
    if active and role == "head":
        choices.append(_nobody_answers())
    return or_(*choices)


@lru_cache(maxsize=1024)
def _answered_by(officer_id: int, unit_id: int | None, role: str, active: bool) -> Any:
    """``answers_for``: the viewer is among the recipients ``event_recipients`` picks
    (assigned officers, else the officers of the assigned units, else those of the
    item's unit, else the heads)."""
    if not active:
        return false()
    choices: list[Any] = [assigned_clause(officer_id)]
    if unit_id is not None:
        nobody_named = ~_staffed(by_unit=False)
        choices += [
            and_(nobody_named, _assigned(lambda a, _m: [a.unit_id == unit_id], with_officer=False)),
            and_(nobody_named, ~_staffed(by_unit=True), Event.unit_id == unit_id),
        ]
    if role == "head":
        choices.append(_nobody_answers())
    return or_(*choices)


@lru_cache(maxsize=1024)
def unit_clause(unit_id: int, or_officer: int | None = None) -> Any:
    """The item belongs to the unit (``event_unit_ids``) as a SQL condition on ``Event``:
    its own unit, a unit assigned, or the unit of an officer assigned (``or_officer``:
    or that officer is assigned)."""

    def test(a: Any, member: Any) -> list[Any]:
        either = [a.unit_id == unit_id, member.unit_id == unit_id]
        if or_officer is not None:
            either.append(a.officer_id == or_officer)
        return [or_(*either)]

    return or_(Event.unit_id == unit_id, _assigned(test))


@lru_cache(maxsize=1024)
def assigned_clause(officer_id: int) -> Any:
    """The officer is assigned to the item, as a SQL condition on ``Event``."""
    return _assigned(lambda a, _m: [a.officer_id == officer_id], with_officer=False)


def _assigned(
    conditions: Callable[[Any, Any], list[Any]], *, with_officer: bool = True, on: str = "id"
) -> Any:
    """The item has an assignment that meets ``conditions(assignment, officer)``, the
    officer being the one assigned (``on="id"``) or any officer of the unit assigned
    (``on="unit"``). Each test has its own aliases, so a query that itself reads
    assignments or officers keeps its own."""
    assignment = aliased(Assignment)
    officer = aliased(Officer)
    query = select(assignment.id)
    if with_officer:
        link = officer.id == assignment.officer_id
        if on == "unit":
            link = officer.unit_id == assignment.unit_id
        query = query.outerjoin(officer, link)
    return exists(query.where(assignment.event_id == Event.id, *conditions(assignment, officer)))


def _staffed(*, by_unit: bool) -> Any:
    """An active officer is assigned to the item (``by_unit``: a unit with one is)."""
    return _assigned(lambda _a, m: [m.active.is_(True)], on="unit" if by_unit else "id")


def _nobody_answers() -> Any:
    """No active officer answers for the item: none assigned, none in an assigned unit,
    none in its own unit. ``event_recipients`` then falls through to the heads."""
    member = aliased(Officer)
    own_unit_staffed = exists(
        select(member.id).where(member.unit_id == Event.unit_id, member.active.is_(True))
    )
    return and_(~_staffed(by_unit=False), ~_staffed(by_unit=True), ~own_unit_staffed)
