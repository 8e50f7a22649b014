"""Storing an imported plan: the Plan row and one event per item, upserted by UID.

Re-importing the same document changes nothing. An amended document updates in place:
unchanged items are left alone, changed items get a new revision, new items are added and
items that disappeared are cancelled (kept with their history, never deleted). Everything
happens in the caller's unit of work, so a failure stores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.plan_parser import ParsedPlan, PlanItem
from calendars.text import fold
from scheduler.reminders import planner
from scheduler.store.models import Event, Plan

# An item whose wording changed only a little (a typo fixed, a unit renamed) is the same
# item, edited: it keeps its UID and gets a new revision instead of cancel + create.
EDIT_SIMILARITY = 85.0

_TRACKED = (
    "month",
    "section",
    "kind",
    "title",
    "text",
    "start_date",
    "end_date",
    "due_date",
    "all_day",
    "conditional",
    "references",
    "observance_key",
)


@dataclass
class ImportSummary:
    """What an import did; ``status`` maps each item's UID to created/updated/unchanged."""

    plan_id: int
    year: int
    number: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    # Parsed UID -> stored event id, and -> the UID it is stored under (an edited item
    # keeps the UID it was first stored with).
    event_ids: dict[str, int] = field(default_factory=dict)
    stored_uids: dict[str, str] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    cancelled_uids: list[str] = field(default_factory=list)
    # (month, title) of each cancelled item, for the difference a user is shown.
    cancelled_items: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.cancelled)


def _values(item: PlanItem) -> dict[str, Any]:
    return {
        "month": item.month,
        "section": item.section,
        "kind": item.kind,
        "title": item.title,
        "text": item.text,
        "start_date": item.start,
        "end_date": item.end,
        "due_date": item.due,
        "all_day": item.all_day,
        "conditional": item.conditional,
        "references": list(item.references),
        "observance_key": item.observance,
    }


def _similarity_key(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", fold(text)))


def _upsert_plan(
    session: Session,
    parsed: ParsedPlan,
    year: int,
    source_name: str,
    source_hash: str,
    now: datetime,
) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.year == year, Plan.number == parsed.number))
    if plan is None:
        plan = Plan(
            year=year,
            number=parsed.number,
            title=parsed.title,
            source_name=source_name,
            source_hash=source_hash,
            imported_at=now,
        )
        session.add(plan)
        session.flush()
    elif plan.source_hash != source_hash or plan.title != parsed.title:
        plan.title = parsed.title
        plan.source_name = source_name
        plan.source_hash = source_hash
        plan.imported_at = now
    return plan


def _update(event: Event, values: dict[str, Any], plan_id: int, now: datetime) -> bool:
    """Bring a stored event in line with its item; True when anything changed."""
    changed = [name for name, value in values.items() if getattr(event, name) != value]
    revived = event.status == "cancelled"
    moved = event.plan_id != plan_id or event.source != "plan"
    if not (changed or revived or moved):
        return False
    for name in changed:
        setattr(event, name, values[name])
    event.plan_id, event.source = plan_id, "plan"
    if revived:
        event.status, event.cancelled_at = "planned", None
    event.touch(now)
    return True


def _pair_edits(unmatched: list[PlanItem], leftovers: list[Event]) -> dict[str, Event]:
    """Pair new items with stored ones of the same month and section worded almost alike."""
    pairs: dict[str, Event] = {}
    free = list(leftovers)
    for item in unmatched:
        key = _similarity_key(item.text)
        best: tuple[float, Event] | None = None
        for event in free:
            if event.month != item.month or event.section != item.section:
                continue
            score = fuzz.ratio(key, _similarity_key(event.text))
            if score >= EDIT_SIMILARITY and (best is None or score > best[0]):
                best = (score, event)
        if best is not None:
            pairs[item.uid] = best[1]
            free.remove(best[1])
    return pairs


def import_plan(
    session: Session,
    parsed: ParsedPlan,
    source_name: str,
    source_hash: str,
    now: datetime,
    year: int | None = None,
) -> ImportSummary:
    """Store ``parsed`` (see the module docstring); ``year`` files it under another year."""
    plan_year = year or parsed.year
    plan = _upsert_plan(session, parsed, plan_year, source_name, source_hash, now)
    summary = ImportSummary(plan_id=plan.id, year=plan_year, number=parsed.number)
    stored = {
        event.uid: event
        for event in session.scalars(
            select(Event).where(Event.plan_id == plan.id, Event.source == "plan")
        )
    }
    by_uid = dict(stored)
    # A UID held by an event outside this plan (the same plan once filed under another
    # year, say) is taken over rather than duplicated: UIDs are unique in the store.
    missing = [item.uid for item in parsed.items if item.uid not in by_uid]
    if missing:
        for event in session.scalars(select(Event).where(Event.uid.in_(missing))):
            by_uid[event.uid] = event

    unmatched = [item for item in parsed.items if item.uid not in by_uid]
    matched = {by_uid[item.uid].id for item in parsed.items if item.uid in by_uid}
    edits = _pair_edits(unmatched, [e for e in stored.values() if e.id not in matched])

    event_for: dict[str, Event] = {}
    touched: list[Event] = []
    for item in parsed.items:
        existing = by_uid.get(item.uid) or edits.get(item.uid)
        values = _values(item)
        if existing is None:
            event = Event(
                uid=item.uid,
                source="plan",
                plan_id=plan.id,
                status="planned",
                revision=0,
                created_at=now,
                updated_at=now,
                **values,
            )
            session.add(event)
            summary.created += 1
            summary.status[item.uid] = "created"
            touched.append(event)
        elif _update(existing, values, plan.id, now):
            event = existing
            summary.updated += 1
            summary.status[item.uid] = "updated"
            touched.append(event)
        else:
            event = existing
            summary.unchanged += 1
            summary.status[item.uid] = "unchanged"
        event_for[item.uid] = event
        summary.stored_uids[item.uid] = event.uid

    kept = {id(event) for event in event_for.values()}
    for event in stored.values():
        if id(event) in kept or event.status != "planned":
            continue
        # Removed from the amended plan: cancelled, with its history. Items already
        # done stay done: that record is history too.
        event.status = "cancelled"
        event.cancelled_at = now
        event.touch(now)
        summary.cancelled += 1
        summary.cancelled_uids.append(event.uid)
        summary.cancelled_items.append((event.month, event.title))
        touched.append(event)

    session.flush()
    summary.event_ids = {uid: event.id for uid, event in event_for.items()}
    for event in touched:
        planner.sync_event(session, event, now)

    from scheduler.plans import observance_events

    observance_events.sync_observances(session, [plan_year], now)
    return summary
