"""Observance occurrences as stored events, kept in step with the catalog; idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.observances import Catalog, Occurrence, describe, load_catalog
from scheduler.reminders import planner
from scheduler.store.models import Event, Unit


def observance_uid(key: str, year: int) -> str:
    """The stable UID of an observance's event in a year (feeds rely on it)."""
    return f"obs-{key}-{year}@lichct"


def sync_observances(
    session: Session, years: Iterable[int], now: datetime, catalog: Catalog | None = None
) -> int:
    """Store every occurrence of ``years`` as an event; return how many were created or changed.

    Unchanged rows are left alone; a moved date (or a renamed entry) updates its row,
    bumps its revision and re-plans its reminders.
    """
    catalog = catalog or load_catalog()
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    changed = 0
    for year in years:
        occurrences = catalog.occurrences(year)
        uids = [observance_uid(o.key, year) for o in occurrences]
        existing = {e.uid: e for e in session.scalars(select(Event).where(Event.uid.in_(uids)))}
        for occurrence, uid in zip(occurrences, uids, strict=True):
            wanted = _fields(occurrence, units)
            event = existing.get(uid)
            if event is None:
                event = Event(
                    uid=uid,
                    source="observance",
                    kind="observance",
                    all_day=True,
                    conditional=False,
                    references=[],
                    status="planned",
                    revision=0,
                    created_at=now,
                    updated_at=now,
                    **wanted,
                )
                session.add(event)
                session.flush()
            elif any(getattr(event, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(event, name, value)
                event.touch(now)
            else:
                continue
            planner.sync_event(session, event, now)
            changed += 1
    session.flush()
    return changed


def _fields(occurrence: Occurrence, units: dict[str, int]) -> dict[str, object]:
    return {
        "title": occurrence.name,
        "text": describe(occurrence),
        "start_date": occurrence.start,
        "end_date": occurrence.end,
        "due_date": occurrence.start,
        "observance_key": occurrence.key,
        "unit_id": units.get(occurrence.unit) if occurrence.unit else None,
    }
