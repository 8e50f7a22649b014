"""Storing an imported plan: the Plan row and one event per item, upserted by UID.

Re-importing the same document changes nothing. An amended document updates in place:
unchanged items are left alone, changed items get a new revision, new items are added and
items that disappeared are cancelled (kept with their history, never deleted). Everything
happens in the caller's unit of work, so a failure stores nothing.

Cancelling is guarded: a document that covers only some months never cancels the items
of the other months, and one that would cancel more than a few items stops and asks to
be told (``allow_cancel``); ``check_cancellations`` shows what would go, writing nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.plan_parser import ParsedPlan, PlanItem
from calendars.text import fold
from scheduler.errors import InvalidInput
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
    # Stored items of months the document does not cover, left as they were.
    kept_outside: int = 0

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


def wording_similarity(first: str, second: str) -> float:
    """How alike two items are worded (0-100), the measure that pairs amended items."""
    from rapidfuzz import fuzz  # loaded on first use: serve starts without it

    return float(fuzz.ratio(_similarity_key(first), _similarity_key(second)))


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
    from rapidfuzz import fuzz

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


class CancellationRefused(InvalidInput):
    """An import would cancel more stored items than a routine amendment does."""


# An amended plan drops an item or two; a document that would cancel more than this is
# more likely the wrong file, a partial one or one read differently (a PDF whose lines
# wrap otherwise), so the import stops and asks to be told (``--allow-cancel``).
CANCEL_MAX_ITEMS = 5
CANCEL_MAX_SHARE = 0.10


def cancel_limit(plan_size: int) -> int:
    """How many items an import may cancel unasked: 10% of the plan, at least 1, at most 5."""
    return min(CANCEL_MAX_ITEMS, max(1, int(plan_size * CANCEL_MAX_SHARE)))


@dataclass
class CancelCheck:
    """What importing a document would cancel, decided before anything is written.

    ``cancel`` are the stored, still planned items of the months the document covers that
    it no longer holds; ``kept`` those of months it does not cover, which stay unless
    ``allow_cancel`` (then they are in ``cancel`` too).
    """

    plan_size: int
    cancel: list[Event] = field(default_factory=list)
    kept: list[Event] = field(default_factory=list)
    months: frozenset[int] = frozenset()
    allow_cancel: bool = False

    @property
    def limit(self) -> int:
        return cancel_limit(self.plan_size)

    @property
    def needs_permission(self) -> bool:
        """True when the import must be told (``--allow-cancel``) before it goes ahead."""
        return not self.allow_cancel and len(self.cancel) > self.limit

    @property
    def items(self) -> list[tuple[int | None, str]]:
        return [(event.month, event.title) for event in self.cancel]

    def refusal(self) -> str:
        """The one line that stops an import which would cancel too much."""
        return (
            f"Tài liệu này sẽ hủy {len(self.cancel)} trong {self.plan_size} việc đã lưu của "
            f"kế hoạch (quá {self.limit} việc được tự động hủy); xem danh sách bằng "
            "--dry-run, rồi nhập lại với --allow-cancel nếu đúng là cần hủy"
        )


@dataclass
class _Match:
    plan: Plan | None
    stored: dict[str, Event]
    by_uid: dict[str, Event]
    edits: dict[str, Event]


def _match(session: Session, parsed: ParsedPlan, plan_year: int) -> _Match:
    """Pair the document's items with stored events, reading only."""
    plan = session.scalar(select(Plan).where(Plan.year == plan_year, Plan.number == parsed.number))
    stored: dict[str, Event] = {}
    if plan is not None:
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
    return _Match(plan, stored, by_uid, edits)


def _check(match: _Match, parsed: ParsedPlan, allow_cancel: bool) -> CancelCheck:
    kept_ids = {
        id(event)
        for item in parsed.items
        if (event := match.by_uid.get(item.uid) or match.edits.get(item.uid)) is not None
    }
    months = frozenset(item.month for item in parsed.items)
    plan_size = sum(1 for e in match.stored.values() if e.status != "cancelled")
    check = CancelCheck(plan_size=plan_size, months=months, allow_cancel=allow_cancel)
    for event in match.stored.values():
        if id(event) in kept_ids or event.status != "planned":
            continue
        if event.month in months or allow_cancel:
            check.cancel.append(event)
        else:
            check.kept.append(event)
    return check


def check_cancellations(
    session: Session, parsed: ParsedPlan, year: int | None = None, allow_cancel: bool = False
) -> CancelCheck:
    """What storing ``parsed`` would cancel (nothing is written): for a preview, the CLI's
    dry run and the web upload's confirmation."""
    plan_year = year or parsed.year
    return _check(_match(session, parsed, plan_year), parsed, allow_cancel)


@dataclass(frozen=True)
class ItemChange:
    """One item of a document beside what is stored: ``status`` is created, updated or
    unchanged; an updated item carries the stored wording it replaces."""

    item: PlanItem
    status: str
    event_id: int | None = None
    old_title: str | None = None
    old_text: str | None = None
    fields: tuple[str, ...] = ()


@dataclass
class ImportPreview:
    """What storing a document would do, item by item, decided without writing."""

    plan: Plan | None
    changes: list[ItemChange]
    check: CancelCheck

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)


def preview_import(
    session: Session, parsed: ParsedPlan, year: int | None = None, allow_cancel: bool = False
) -> ImportPreview:
    """The difference between ``parsed`` and the store, item by item, with the same
    matching (UIDs, then wording at least ``EDIT_SIMILARITY`` alike) as ``import_plan``."""
    plan_year = year or parsed.year
    match = _match(session, parsed, plan_year)
    plan_id = match.plan.id if match.plan is not None else None
    changes: list[ItemChange] = []
    for item in parsed.items:
        existing = match.by_uid.get(item.uid) or match.edits.get(item.uid)
        if existing is None:
            changes.append(ItemChange(item, "created"))
            continue
        values = _values(item)
        fields = tuple(name for name, value in values.items() if getattr(existing, name) != value)
        revived = existing.status == "cancelled"
        moved = existing.plan_id != plan_id or existing.source != "plan"
        if fields or revived or moved:
            changes.append(
                ItemChange(item, "updated", existing.id, existing.title, existing.text, fields)
            )
        else:
            changes.append(ItemChange(item, "unchanged", existing.id))
    return ImportPreview(match.plan, changes, _check(match, parsed, allow_cancel))


def import_plan(
    session: Session,
    parsed: ParsedPlan,
    source_name: str,
    source_hash: str,
    now: datetime,
    year: int | None = None,
    allow_cancel: bool = False,
) -> ImportSummary:
    """Store ``parsed`` (see the module docstring); ``year`` files it under another year.

    Items of months the document does not cover are kept unless ``allow_cancel``; an
    import that would cancel more than ``cancel_limit`` items raises
    ``CancellationRefused`` before writing anything unless ``allow_cancel``.
    """
    plan_year = year or parsed.year
    match = _match(session, parsed, plan_year)
    check = _check(match, parsed, allow_cancel)
    if check.needs_permission:
        raise CancellationRefused(check.refusal())
    plan = _upsert_plan(session, parsed, plan_year, source_name, source_hash, now)
    summary = ImportSummary(plan_id=plan.id, year=plan_year, number=parsed.number)
    summary.kept_outside = len(check.kept)
    by_uid, edits = match.by_uid, match.edits

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

    for event in check.cancel:
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
