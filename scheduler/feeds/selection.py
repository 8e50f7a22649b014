"""Feed selection: which stored events a feed holds, with what rendering needs preloaded.

A personal feed holds the items given to the officer or to their unit, the items for
which they are a recipient (``store.queries.event_recipients``: the fallbacks included), and
every observance. Removed items stay for 30 days as cancelled, then disappear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.clock import LOCAL_TZ
from scheduler.feeds.scopes import FeedScope
from scheduler.store.models import Assignment, Completion, Event, Officer

__all__ = ["CANCELLED_KEPT", "cancelled_cutoff", "select_events"]

# A removed item is shown as cancelled for this long after its removal, then omitted.
CANCELLED_KEPT = timedelta(days=30)


def cancelled_cutoff(now: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """Items cancelled before this instant are no longer shown: local midnight 30 days ago.

    Whole days, so that a feed's ETag can name the day instead of asking the store.
    """
    day = now.astimezone(tz).date() - CANCELLED_KEPT
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _visible(cutoff: datetime) -> ColumnElement[bool]:
    """Not cancelled, or cancelled since ``cutoff``."""
    removed = func.coalesce(Event.cancelled_at, Event.updated_at)
    return or_(Event.status != "cancelled", removed >= cutoff)


def select_events(
    session: Session, scope: FeedScope, now: datetime, tz: ZoneInfo = LOCAL_TZ
) -> list[Event]:
    """The events of a feed, with what rendering needs loaded (no query per event)."""
    query = (
        select(Event)
        .where(_visible(cancelled_cutoff(now, tz)))
        .options(
            selectinload(Event.assignments).selectinload(Assignment.officer),
            selectinload(Event.assignments).selectinload(Assignment.unit),
            selectinload(Event.completions).selectinload(Completion.officer),
        )
        .order_by(Event.start_date, Event.id)
    )
    if scope.kind == "office":
        return list(session.scalars(query))
    if scope.kind == "observances":
        return list(session.scalars(query.where(Event.source == "observance")))
    officer = session.get(Officer, scope.officer_id)
    if officer is None:
        return []
    roster = _Roster.load(session)
    candidates = session.scalars(query.where(_candidates(officer)))
    return [e for e in candidates if _belongs(e, officer, roster)]


def _candidates(officer: Officer) -> ColumnElement[bool]:
    """A superset, in SQL, of the events in the officer's feed; ``_belongs`` decides."""
    if officer.role == "head" and officer.active:
        # A head receives every item that nobody else would: any event may qualify.
        return Event.id.is_not(None)
    conditions: list[ColumnElement[bool]] = [
        Event.source == "observance",
        exists().where(Assignment.event_id == Event.id, Assignment.officer_id == officer.id),
    ]
    if officer.unit_id is not None:
        conditions.append(
            exists().where(Assignment.event_id == Event.id, Assignment.unit_id == officer.unit_id)
        )
        conditions.append(Event.unit_id == officer.unit_id)
    return or_(*conditions)


@dataclass(frozen=True)
class _Roster:
    """Active officers by unit, and the heads: what ``event_recipients`` looks up."""

    by_unit: dict[int, frozenset[int]]
    heads: frozenset[int]

    @classmethod
    def load(cls, session: Session) -> _Roster:
        by_unit: dict[int, set[int]] = {}
        heads: set[int] = set()
        rows = session.execute(
            select(Officer.id, Officer.unit_id, Officer.role).where(Officer.active.is_(True))
        )
        for oid, unit_id, role in rows:
            if unit_id is not None:
                by_unit.setdefault(unit_id, set()).add(oid)
            if role == "head":
                heads.add(oid)
        return cls({u: frozenset(ids) for u, ids in by_unit.items()}, frozenset(heads))

    def recipients(self, event: Event) -> frozenset[int]:
        """The ids ``store.queries.event_recipients`` returns, from loaded rows (no queries)."""
        officers: set[int] = set()
        unit_ids: list[int] = []
        for assignment in event.assignments:
            if assignment.officer is not None and assignment.officer.active:
                officers.add(assignment.officer.id)
            elif assignment.unit_id is not None:
                unit_ids.append(assignment.unit_id)
        if not officers:
            for unit_id in unit_ids:
                officers |= self.by_unit.get(unit_id, frozenset())
        if not officers and event.unit_id is not None:
            officers |= self.by_unit.get(event.unit_id, frozenset())
        if not officers:
            officers |= self.heads
        return frozenset(officers)


def _belongs(event: Event, officer: Officer, roster: _Roster) -> bool:
    if event.source == "observance":
        return True
    for assignment in event.assignments:
        if assignment.officer_id == officer.id:
            return True
        if (
            officer.unit_id is not None
            and assignment.officer_id is None
            and assignment.unit_id == officer.unit_id
        ):
            return True
    return officer.id in roster.recipients(event)
