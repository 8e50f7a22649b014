"""Who may see and act on which item: the rules every web page checks on the server.

An officer sees their own items, their unit's and the observances; a head sees their unit
and acts on it; an admin and the head of the board itself (unit ``bdvtu``, or a head with
no unit) see and act on everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, and_, false, or_, select, true, union
from sqlalchemy.orm import Session, aliased

from scheduler.services.light import LightEvent, Shape
from scheduler.store.models import Assignment, Event, Officer
from scheduler.store.queries import event_recipients

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


def event_unit_ids(event: Event) -> set[int]:
    """Units an item belongs to: assigned units, assigned officers' units, its own unit."""
    ids = {a.unit_id for a in event.assignments if a.unit_id is not None}
    ids |= {a.officer.unit_id for a in event.assignments if a.officer and a.officer.unit_id}
    if event.unit_id is not None:
        ids.add(event.unit_id)
    return ids


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
        """``sees`` as a SQL condition on ``Event``, for queries that count or list many.

        The unit rule already covers the recipients found through the viewer's unit, so
        what ``answers_for`` adds is being assigned by name, or being a head when nobody
        else answers for the item."""
        if self.everything:
            return true()
        viewer = self.viewer
        choices: list[Any] = [observance_clause()]
        ids: list[Any] = []
        if viewer.unit_id is not None:
            choices.append(Event.unit_id == viewer.unit_id)
            ids += _unit_item_ids(viewer.unit_id)
        if viewer.active:
            ids.append(_assigned_ids(lambda a: [a.officer_id == viewer.id]))
            if viewer.role == "head":
                choices.append(_nobody_answers())
        if ids:
            choices.append(Event.id.in_(union(*ids)))
        return or_(*choices)

    def answers_clause(self) -> Any:
        """``answers_for`` as a SQL condition on ``Event``: the viewer is among the
        recipients ``event_recipients`` picks (assigned officers, else the officers of
        the assigned units, else those of the item's unit, else the heads)."""
        viewer = self.viewer
        if not viewer.active:
            return false()
        choices: list[Any] = [assigned_clause(viewer.id)]
        if viewer.unit_id is not None:
            unit_id = viewer.unit_id
            nobody_named = Event.id.not_in(_staffed_ids(by_unit=False))
            choices += [
                and_(nobody_named, Event.id.in_(_assigned_ids(lambda a: [a.unit_id == unit_id]))),
                and_(
                    nobody_named,
                    Event.id.not_in(_staffed_ids(by_unit=True)),
                    Event.unit_id == unit_id,
                ),
            ]
        if viewer.role == "head":
            choices.append(_nobody_answers())
        return or_(*choices)

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


def unit_clause(unit_id: int) -> Any:
    """The item belongs to the unit (``event_unit_ids``) as a SQL condition on ``Event``:
    its own unit, a unit assigned, or the unit of an officer assigned."""
    return or_(Event.unit_id == unit_id, Event.id.in_(union(*_unit_item_ids(unit_id))))


def assigned_clause(officer_id: int) -> Any:
    """The officer is assigned to the item, as a SQL condition on ``Event``."""
    return Event.id.in_(_assigned_ids(lambda a: [a.officer_id == officer_id]))


# The conditions below are uncorrelated ``IN (SELECT ...)`` tests: the database builds each
# list once per query instead of probing assignments once per item.


def _assigned_ids(conditions: Callable[[Any], list[Any]]) -> Select[Any]:
    """Ids of the items with an assignment that meets ``conditions(assignment)``."""
    assignment = aliased(Assignment)
    return select(assignment.event_id).where(*conditions(assignment))


def _unit_item_ids(unit_id: int) -> list[Select[Any]]:
    """Items assigned to the unit, or to an officer of the unit."""
    member = aliased(Officer)
    return [
        _assigned_ids(lambda a: [a.unit_id == unit_id]),
        _assigned_ids(lambda a: [member.id == a.officer_id, member.unit_id == unit_id]),
    ]


def _staffed_ids(*, by_unit: bool) -> Select[Any]:
    """Items assigned to an active officer (``by_unit``: to a unit with one)."""
    person = aliased(Officer)
    if by_unit:
        return _assigned_ids(lambda a: [person.unit_id == a.unit_id, person.active.is_(True)])
    return _assigned_ids(lambda a: [person.id == a.officer_id, person.active.is_(True)])


def _nobody_answers() -> Any:
    """No active officer answers for the item: none assigned, none in an assigned unit,
    none in its own unit. ``event_recipients`` then falls through to the heads."""
    member = aliased(Officer)
    staffed_units = select(member.unit_id).where(
        member.active.is_(True), member.unit_id.is_not(None)
    )
    return and_(
        Event.id.not_in(_staffed_ids(by_unit=False)),
        Event.id.not_in(_staffed_ids(by_unit=True)),
        or_(Event.unit_id.is_(None), Event.unit_id.not_in(staffed_units)),
    )
