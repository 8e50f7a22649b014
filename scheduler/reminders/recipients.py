"""Who receives an event's reminders: active officers, their usable channels, the unit tree.

The planner and the digests load these small tables once per pass (:meth:`People.load`) and
resolve recipients and escalation heads in memory instead of one query per event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store.models import CHANNELS, Officer, Unit


@dataclass(frozen=True)
class Person:
    """The fields of an officer that planning needs (loaded in bulk, detached)."""

    id: int
    unit_id: int | None
    role: str
    channels: tuple[str, ...]


def usable_channels(officer: Officer) -> tuple[str, ...]:
    """The officer's channels that have an address: telegram needs a linked chat."""
    out = []
    for channel in officer.channel_list:
        if channel not in CHANNELS:
            continue
        if channel == "telegram" and officer.telegram_chat_id is None:
            continue
        if channel == "email" and not officer.email:
            continue
        out.append(channel)
    return tuple(out)


@dataclass
class People:
    """Every active officer and the unit tree: small tables, loaded once per pass."""

    by_id: dict[int, Person]
    by_unit: dict[int, list[Person]]
    heads: list[Person]
    parent: dict[int, int | None]

    @classmethod
    def load(cls, session: Session) -> People:
        by_id: dict[int, Person] = {}
        by_unit: dict[int, list[Person]] = defaultdict(list)
        heads: list[Person] = []
        for officer in session.scalars(
            select(Officer).where(Officer.active.is_(True)).order_by(Officer.id)
        ):
            person = Person(officer.id, officer.unit_id, officer.role, usable_channels(officer))
            by_id[person.id] = person
            if person.unit_id is not None:
                by_unit[person.unit_id].append(person)
            if person.role == "head":
                heads.append(person)
        parent = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
        return cls(by_id, dict(by_unit), heads, parent)

    def recipients(
        self, assignments: Sequence[tuple[int | None, int | None]], unit_id: int | None
    ) -> list[Person]:
        """Mirror of ``store.queries.event_recipients`` over preloaded rows.

        ``assignments`` are (officer_id, unit_id) pairs: the officers, else their units'
        officers, else the event's unit, else the heads.
        """
        chosen: dict[int, Person] = {}
        units: list[int] = []
        for officer_id, a_unit in assignments:
            if officer_id is not None and officer_id in self.by_id:
                chosen[officer_id] = self.by_id[officer_id]
            elif a_unit is not None:
                units.append(a_unit)
        if not chosen:
            for uid in units:
                chosen.update((p.id, p) for p in self.by_unit.get(uid, ()))
        if not chosen and unit_id is not None:
            chosen.update((p.id, p) for p in self.by_unit.get(unit_id, ()))
        if not chosen:
            chosen.update((p.id, p) for p in self.heads)
        return sorted(chosen.values(), key=lambda p: p.id)

    def heads_over(self, person: Person) -> list[Person]:
        """Whom to escalate to: heads of the officer's unit, else of the units above, else all."""
        unit = person.unit_id
        seen: set[int] = set()
        while unit is not None and unit not in seen:
            seen.add(unit)
            found = [
                p for p in self.by_unit.get(unit, ()) if p.role == "head" and p.id != person.id
            ]
            if found:
                return found
            unit = self.parent.get(unit)
        return [p for p in self.heads if p.id != person.id]
