"""Reminder planning: keeps the outbox (``reminders``) in step with the store.

``sync_event`` runs after every change of an event (services call it); ``plan_all`` re-syncs
every live event (at start and daily). Both are idempotent: each reminder has a key
``ev:{event}:of:{officer}:{channel}:{lead}``, rows already sent are never re-created, pending
rows are moved or cancelled, a done or cancelled event gets no more reminders. Who receives
reminders comes from :mod:`.recipients`, which reminders an event should have from
:mod:`.specs`; this module reconciles that with the stored rows.

The rule for the past: a reminder whose time is more than ``late_grace`` behind ``now`` when
it would be created is not queued (importing last year's plan queues nothing). If the item
is still ahead, the latest such missed reminder of each recipient and channel is sent once
now instead ("catch-up"), unless the next reminder is near anyway. Pending rows that fell
behind while the service was down are left for the dispatcher, which sends or folds them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from scheduler.reminders import outbox
from scheduler.reminders.policies import Policies, current
from scheduler.reminders.policies import configure as configure  # the planner's setting
from scheduler.reminders.policies import load_policies as load_policies
from scheduler.reminders.recipients import People
from scheduler.reminders.specs import Spec, anchor_passed_at, desired
from scheduler.store.models import Assignment, Event, Reminder, ServiceState

log = logging.getLogger("lichct.planner")

# Rows the planner owns: it may move or cancel them. Snoozes and nudges belong to people.
PLANNED_KINDS = ("lead", "due", "overdue", "escalation")
# ``last_error`` of a row the planner cancelled: it may revive it (an undone confirmation).
PLANNER_MARK = "planner:"
_CHUNK = 900
# ServiceState key: when the whole outbox was last re-synced (see ``invalidate``).
PLANNED_KEY = "planner.last_run"


def invalidate(session: Session) -> None:
    """Ask for a full re-sync at the next tick: who receives what may have changed.

    Adding an officer can change the recipients of many items (a new head receives every
    item nobody was given), which ``sync_event`` of one event cannot see.
    """
    session.execute(delete(ServiceState).where(ServiceState.key == PLANNED_KEY))


@dataclass(frozen=True)
class _Row:
    id: int
    key: str
    kind: str
    state: str
    due_at: datetime
    last_error: str | None
    catch_up: bool | None


@dataclass
class _Ops:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)

    def update(
        self, row: _Row, now: datetime, state: str, due_at: datetime, error: str | None
    ) -> None:
        self.updates.append(
            {"rid": row.id, "st": state, "due": due_at, "nxt": due_at, "err": error, "upd": now}
        )


def _insert(
    ops: _Ops, spec: Spec, event_id: int, due_at: datetime, now: datetime, payload: dict[str, Any]
) -> None:
    ops.inserts.append(
        {
            "key": spec.key,
            "event_id": event_id,
            "officer_id": spec.officer_id,
            "unit_id": None,
            "channel": spec.channel,
            "kind": spec.kind,
            "lead": spec.lead,
            "due_at": due_at,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": due_at,
            "payload": payload,
            "created_at": now,
            "updated_at": now,
        }
    )


def _reconcile(
    event: Event,
    specs: Sequence[Spec],
    rows: Sequence[_Row],
    now: datetime,
    policies: Policies,
    tz: ZoneInfo,
    ops: _Ops,
) -> None:
    """Turn the difference between wanted reminders and stored rows into inserts/updates."""
    if event.status != "planned":
        reason = f"{PLANNER_MARK} việc đã {'hoàn thành' if event.status == 'done' else 'hủy'}"
        for row in rows:
            if row.state == "pending":
                ops.update(row, now, "cancelled", row.due_at, reason)
        return
    by_key = {row.key: row for row in rows}
    grace_line = now - policies.late_grace
    groups: dict[tuple[int, str], list[Spec]] = defaultdict(list)
    for spec in specs:
        fresh = spec.due_at >= grace_line
        found = by_key.get(spec.key)
        if spec.kind in ("lead", "due"):
            groups[(spec.officer_id, spec.channel)].append(spec)
        if found is None:
            if fresh:
                _insert(ops, spec, event.id, spec.due_at, now, spec.payload)
            continue
        if found.state == "pending" and found.due_at != spec.due_at:
            if not fresh and found.catch_up:
                continue  # sent once now instead of at its (past) time
            if fresh:
                ops.update(found, now, "pending", spec.due_at, None)
            else:
                ops.update(
                    found, now, "cancelled", found.due_at, f"{PLANNER_MARK} thời điểm mới đã qua"
                )
        elif (
            found.state == "cancelled"
            and (found.last_error or "").startswith(PLANNER_MARK)
            and fresh
        ):
            ops.update(found, now, "pending", spec.due_at, None)
    wanted = {spec.key for spec in specs}
    for row in rows:
        if row.state == "pending" and row.kind in PLANNED_KINDS and row.key not in wanted:
            ops.update(row, now, "cancelled", row.due_at, f"{PLANNER_MARK} không còn cần nhắc")
    if anchor_passed_at(event, policies, tz) <= now:
        return
    for (officer_id, _channel), group in groups.items():
        stale = [s for s in group if s.due_at < grace_line]
        if not stale:
            continue
        if any(grace_line <= s.due_at <= now + policies.catch_up_min_gap for s in group):
            continue
        latest = max(stale, key=lambda s: s.due_at)
        stored = by_key.get(latest.key)
        at = policies.after_quiet(now, tz, officer_id)
        payload = {**latest.payload, "catch_up": True}
        if stored is None:
            _insert(ops, latest, event.id, at, now, payload)
        elif stored.state == "cancelled" and (stored.last_error or "").startswith(PLANNER_MARK):
            ops.update(stored, now, "pending", at, None)


def _apply(session: Session, ops: _Ops) -> int:
    """Write the planned changes in bulk; return how many rows were added or changed."""
    table = cast(Table, Reminder.__table__)
    outbox.enqueue(session, ops.inserts)
    if ops.updates:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("rid"))
            .values(
                state=bindparam("st"),
                due_at=bindparam("due"),
                next_attempt_at=bindparam("nxt"),
                last_error=bindparam("err"),
                updated_at=bindparam("upd"),
            )
        )
        session.connection().execute(stmt, ops.updates)
    if ops.inserts or ops.updates:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Reminder):
                session.expire(obj)
    return len(ops.inserts) + len(ops.updates)


def _rows_for(session: Session, event_ids: Sequence[int]) -> dict[int, list[_Row]]:
    found: dict[int, list[_Row]] = defaultdict(list)
    for start in range(0, len(event_ids), _CHUNK):
        chunk = event_ids[start : start + _CHUNK]
        query = select(
            Reminder.event_id,
            Reminder.id,
            Reminder.key,
            Reminder.kind,
            Reminder.state,
            Reminder.due_at,
            Reminder.last_error,
            Reminder.payload["catch_up"].as_boolean(),
        ).where(Reminder.event_id.in_(chunk))
        for event_id, *rest in session.execute(query):
            found[event_id].append(_Row(*rest))
    return found


def sync_event(session: Session, event: Event, now: datetime) -> None:
    """Add, move or cancel the reminders of ``event`` after it changed; idempotent."""
    policies, tz = current()
    session.flush()
    people = People.load(session)
    pairs = [(a.officer_id, a.unit_id) for a in event.assignments]
    recipients = people.recipients(pairs, event.unit_id)
    ops = _Ops()
    specs = desired(event, recipients, people, now, policies, tz)
    _reconcile(
        event, specs, _rows_for(session, [event.id]).get(event.id, []), now, policies, tz, ops
    )
    _apply(session, ops)


@dataclass(frozen=True)
class PlanStats:
    events: int
    changed: int
    cancelled_closed: int


def _live_events(session: Session, since: date) -> Iterator[Event]:
    query = (
        select(Event)
        .where(Event.status == "planned")
        .where((Event.end_date >= since) | (Event.due_date >= since))
        .order_by(Event.id)
        .execution_options(yield_per=2000)
    )
    yield from session.scalars(query)


def plan_all(
    session: Session, now: datetime, policies: Policies | None = None, tz: ZoneInfo | None = None
) -> PlanStats:
    """Re-sync every live event with bulk loads; cancel pending rows of closed events."""
    if policies is None or tz is None:
        policies, tz = current()
    session.flush()
    closed = session.execute(
        update(Reminder)
        .where(Reminder.state == "pending")
        .where(Reminder.event_id.in_(select(Event.id).where(Event.status != "planned")))
        .values(state="cancelled", last_error=f"{PLANNER_MARK} việc đã đóng", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    people = People.load(session)
    lookback = policies.overdue_nudge_days + policies.escalate_after_days + 2
    since = now.astimezone(tz).date() - timedelta(days=lookback)
    events = list(_live_events(session, since))
    ids = [e.id for e in events]
    assignments: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for event_id, officer_id, unit_id in session.execute(
            select(Assignment.event_id, Assignment.officer_id, Assignment.unit_id).where(
                Assignment.event_id.in_(chunk)
            )
        ):
            assignments[event_id].append((officer_id, unit_id))
    rows = _rows_for(session, ids)
    ops = _Ops()
    for event in events:
        recipients = people.recipients(assignments.get(event.id, []), event.unit_id)
        specs = desired(event, recipients, people, now, policies, tz)
        _reconcile(event, specs, rows.get(event.id, []), now, policies, tz, ops)
    changed = _apply(session, ops)
    return PlanStats(
        events=len(events),
        changed=changed,
        cancelled_closed=int(cast(CursorResult[Any], closed).rowcount or 0),
    )


def chunked(values: Iterable[int], size: int = _CHUNK) -> Iterator[list[int]]:
    """``values`` in lists of at most ``size`` (IN lists stay under driver limits)."""
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
