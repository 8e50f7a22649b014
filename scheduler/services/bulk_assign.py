"""Giving many items at once: to officers or a unit, and last year's assignments copied.

Each item goes through :func:`scheduler.services.events.assign`, the function behind
``lichct assign``, and gets an audit entry, so its history says who gave it to whom.
A head gives their own unit's items to their own unit's people; an admin (or the head of
the board) gives anything to anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.errors import InvalidInput, PermissionDenied
from scheduler.plans.importing import EDIT_SIMILARITY, wording_similarity
from scheduler.reminders import planner
from scheduler.services import audit
from scheduler.services.events import assign
from scheduler.services.visibility import Visibility, is_observance, sees_everything
from scheduler.store.models import Assignment, Event, Officer, Plan, Unit


def _check_targets(actor: Officer, officers: Sequence[Officer], unit: Unit | None) -> None:
    if not officers and unit is None:
        raise InvalidInput("Hãy chọn ít nhất một cán bộ hoặc một đơn vị để giao việc.")
    for officer in officers:
        if not officer.active:
            raise InvalidInput(f"{officer.name} đã thôi hoạt động, không giao việc được.")
    if sees_everything(actor):
        return
    if actor.role != "head":
        raise PermissionDenied("Chỉ trưởng đơn vị hoặc quản trị mới giao việc được.")
    for officer in officers:
        if officer.unit_id != actor.unit_id:
            raise PermissionDenied(f"{officer.name} không thuộc đơn vị của bạn.")
    if unit is not None and unit.id != actor.unit_id:
        raise PermissionDenied(
            f"Bạn chỉ giao việc được cho đơn vị của mình, không cho {unit.name}."
        )


def _give(
    session: Session,
    actor: Officer,
    event: Event,
    officers: Sequence[Officer],
    units: Sequence[Unit],
    now: datetime,
    action: str,
    note: str = "",
) -> bool:
    """Assign one item; True when it gained anyone (an audit entry says whom)."""
    had_officers = {a.officer_id for a in event.assignments if a.officer_id is not None}
    had_units = {a.unit_id for a in event.assignments if a.officer_id is None}
    gained = [o.name for o in officers if o.id not in had_officers]
    gained += [f"đơn vị {u.name}" for u in units if u.id not in had_units]
    if not gained:
        return False
    for officer in officers:
        assign(session, event, now, officer=officer, sync=False)
    for unit in units:
        assign(session, event, now, unit=unit, sync=False)
    planner.sync_event(session, event, now)
    audit.record(
        session,
        actor,
        action,
        f"giao cho {', '.join(gained)}{note}",
        now,
        event_id=event.id,
        details={"officers": [o.id for o in officers], "units": [u.id for u in units]},
    )
    return True


def assign_many(
    session: Session,
    actor: Officer,
    events: Sequence[Event],
    now: datetime,
    *,
    officers: Sequence[Officer] = (),
    unit: Unit | None = None,
) -> int:
    """Give every item of ``events`` to ``officers`` and/or ``unit``; the number of items
    that gained someone. Nothing is given when any item is beyond the actor."""
    _check_targets(actor, officers, unit)
    if not events:
        raise InvalidInput("Chưa chọn việc nào.")
    visibility = Visibility(session, actor)
    for event in events:
        if is_observance(event) or not visibility.manages(event):
            raise PermissionDenied(f"Việc #{event.id} không thuộc phạm vi bạn được giao.")
    return sum(
        _give(session, actor, event, officers, [unit] if unit else [], now, "event.assign")
        for event in events
        if event.status != "cancelled"
    )


# ---------------------------------------------------------------- last year's assignments


@dataclass
class CopyPair:
    """An item of the new plan and last year's item worded alike, with its assignees."""

    new: Event
    old: Event
    score: float
    officers: list[Officer] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def previous_plan(session: Session, plan: Plan) -> Plan | None:
    """The newest plan of an earlier year."""
    return session.scalar(
        select(Plan)
        .where(Plan.year < plan.year)
        .order_by(Plan.year.desc(), Plan.imported_at.desc())
        .limit(1)
    )


def _plan_events(session: Session, plan: Plan) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .options(
                selectinload(Event.assignments).selectinload(Assignment.officer),
                selectinload(Event.assignments).selectinload(Assignment.unit),
            )
            .where(Event.plan_id == plan.id, Event.source == "plan", Event.status != "cancelled")
            .order_by(Event.month, Event.id)
        )
    )


def propose_copy(session: Session, plan: Plan) -> tuple[Plan | None, list[CopyPair]]:
    """Pairs (new item without assignees, last year's assigned item) of the same month and
    section whose wording is at least ``EDIT_SIMILARITY`` alike, best pairs first taken."""
    previous = previous_plan(session, plan)
    if previous is None:
        return None, []
    new_items = [e for e in _plan_events(session, plan) if not e.assignments]
    old_items = [e for e in _plan_events(session, previous) if e.assignments]
    candidates: list[tuple[float, Event, Event]] = []
    for new in new_items:
        for old in old_items:
            if new.month != old.month or new.section != old.section:
                continue
            score = wording_similarity(new.text or new.title, old.text or old.title)
            if score >= EDIT_SIMILARITY:
                candidates.append((score, new, old))
    candidates.sort(key=lambda c: (-c[0], c[1].id, c[2].id))
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    pairs: list[CopyPair] = []
    for score, new, old in candidates:
        if new.id in taken_new or old.id in taken_old:
            continue
        taken_new.add(new.id)
        taken_old.add(old.id)
        officers = [
            a.officer for a in old.assignments if a.officer is not None and a.officer.active
        ]
        units = [a.unit for a in old.assignments if a.officer_id is None and a.unit is not None]
        if officers or units:
            pairs.append(CopyPair(new, old, score, officers, units))
    pairs.sort(key=lambda p: (p.new.month or 0, p.new.id))
    return previous, pairs


def apply_copy(
    session: Session, actor: Officer, plan: Plan, chosen: set[int], now: datetime
) -> int:
    """Give each chosen new item (by id) last year's assignees; the number given."""
    if not sees_everything(actor):
        raise PermissionDenied("Chỉ quản trị mới sao chép phân công năm trước được.")
    previous, pairs = propose_copy(session, plan)
    if previous is None:
        raise InvalidInput("Không có kế hoạch năm trước để sao chép phân công.")
    given = 0
    for pair in pairs:
        if pair.new.id not in chosen:
            continue
        note = f" (theo phân công năm {previous.year}, việc #{pair.old.id})"
        given += _give(
            session, actor, pair.new, pair.officers, pair.units, now, "event.assign.copy", note
        )
    return given
