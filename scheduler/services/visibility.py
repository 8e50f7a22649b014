"""Who may see and act on which item: the rules every web page checks on the server.

An officer sees their own items, their unit's and the observances; a head sees their unit
and acts on it; an admin and the head of the board itself (unit ``bdvtu``, or a head with
no unit) see and act on everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from scheduler.store.models import Event, Officer
from scheduler.store.queries import event_recipients

BOARD_UNIT_CODE = "bdvtu"


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


class Visibility:
    """Answers "may this viewer see that item" for many items, cheaply.

    The answer depends only on an item's assignments and unit, so it is computed once per
    distinct shape (a year's plan has a handful).
    """

    def __init__(self, session: Session, viewer: Officer) -> None:
        self.session = session
        self.viewer = viewer
        self.everything = sees_everything(viewer)
        self._answers: dict[tuple[object, ...], bool] = {}

    def sees(self, event: Event) -> bool:
        if self.everything or is_observance(event):
            return True
        shape = (
            tuple(sorted(a.officer_id or 0 for a in event.assignments)),
            tuple(sorted(a.unit_id or 0 for a in event.assignments if a.officer_id is None)),
            event.unit_id,
        )
        answer = self._answers.get(shape)
        if answer is None:
            answer = self._decide(event)
            self._answers[shape] = answer
        return answer

    def _decide(self, event: Event) -> bool:
        viewer = self.viewer
        if viewer.unit_id is not None and viewer.unit_id in event_unit_ids(event):
            return True
        return any(o.id == viewer.id for o in event_recipients(self.session, event))

    def filter(self, events: Iterable[Event]) -> list[Event]:
        return [e for e in events if self.sees(e)]

    def manages(self, event: Event) -> bool:
        """Heads act on their unit's items (assign, remind now); admins on everything."""
        if is_observance(event):
            return self.everything
        if self.everything:
            return True
        return self.viewer.role == "head" and self.sees(event)
