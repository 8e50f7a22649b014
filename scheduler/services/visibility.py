"""Who may see and act on which item: the rules every web page checks on the server.

An officer sees their own items, their unit's and the observances; a head sees their unit
and acts on it; an admin and the head of the board itself (unit ``bdvtu``, or a head with
no unit) see and act on everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy.orm import Session

from scheduler.services.light import LightEvent, Shape
from scheduler.store.models import Event, Officer
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

    def manages(self, event: Event) -> bool:
        """Heads act on their unit's items (assign, remind now); admins on everything."""
        if is_observance(event):
            return self.everything
        if self.everything:
            return True
        return self.viewer.role == "head" and self.sees(event)
