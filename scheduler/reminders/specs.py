"""Which reminders an event should have: the policies applied to one event and its recipients.

:func:`desired` lists every planner-owned reminder (leads, due, overdue nudges, escalations)
with its key and time, past ones included; the planner compares that list with the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.reminders.policies import Policies
from scheduler.reminders.recipients import People, Person
from scheduler.store.models import Event

# Overdue nudges and escalations are only planned this far ahead of ``now``.
_OVERDUE_HORIZON = timedelta(hours=36)


@dataclass(frozen=True)
class Spec:
    """One reminder the policies want for an event."""

    key: str
    kind: str
    lead: str
    due_at: datetime
    officer_id: int
    channel: str
    payload: dict[str, Any] = field(default_factory=dict)


def reminder_key(event_id: int, officer_id: int, channel: str, lead: str) -> str:
    return f"ev:{event_id}:of:{officer_id}:{channel}:{lead}"


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def anchor_day(event: Event, policies: Policies, tz: ZoneInfo) -> date:
    """The day the reminders count back from: the deadline, or the day it happens."""
    if policies.kind(event.kind).anchor == "start":
        if event.start_at is not None and not event.all_day:
            return event.start_at.astimezone(tz).date()
        return event.start_date
    return event.due_date or event.end_date


def anchor_passed_at(event: Event, policies: Policies, tz: ZoneInfo) -> datetime:
    """When lead reminders of ``event`` become pointless: its start, or the end of its day."""
    if (
        policies.kind(event.kind).anchor == "start"
        and event.start_at is not None
        and not event.all_day
    ):
        return event.start_at
    return _at(anchor_day(event, policies, tz) + timedelta(days=1), time(0), tz)


def overdue_since(event: Event) -> date:
    """The last day of the item; from the next day it is overdue (``services.is_overdue``)."""
    return event.due_date or event.end_date


def desired(
    event: Event,
    recipients: Sequence[Person],
    people: People,
    now: datetime,
    policies: Policies,
    tz: ZoneInfo,
) -> list[Spec]:
    """Every planner-owned reminder the policies want for ``event`` (past ones included)."""
    if event.status != "planned":
        return []
    policy = policies.kind(event.kind)
    day = anchor_day(event, policies, tz)
    days = (policies.conditional_days_before,) if event.conditional else policy.days_before
    timed = event.start_at is not None and not event.all_day
    leads: list[tuple[str, str, datetime, dict[str, Any]]] = []
    for n in days:
        at = _at(day - timedelta(days=n), policies.lead_time if n else policies.due_time, tz)
        if (
            timed
            and policy.anchor == "start"
            and event.start_at is not None
            and at >= event.start_at
        ):
            continue
        leads.append((f"P{n}D", "due" if n == 0 else "lead", at, {"days": n}))
    if timed and not event.conditional and event.start_at is not None:
        for h in policy.hours_before:
            at = event.start_at - timedelta(hours=h)
            leads.append((f"PT{h}H", "lead", at, {"hours": h}))
    specs: list[Spec] = []
    for person in recipients:
        for channel in person.channels:
            for lead, kind, at, payload in leads:
                specs.append(
                    Spec(
                        reminder_key(event.id, person.id, channel, lead),
                        kind,
                        lead,
                        policies.after_quiet(at, tz, person.id).astimezone(now.tzinfo),
                        person.id,
                        channel,
                        payload,
                    )
                )
    if event.conditional or not policy.overdue:
        return specs
    last_day = overdue_since(event)
    if _at(last_day + timedelta(days=1), time(0), tz) > now + _OVERDUE_HORIZON:
        return specs
    low, high = now - policies.late_grace, now + _OVERDUE_HORIZON
    for k in range(1, policies.overdue_nudge_days + 1):
        nudge_day = last_day + timedelta(days=k)
        at = _at(nudge_day, policies.overdue_time, tz)
        if not low <= at <= high:
            continue
        for person in recipients:
            for channel in person.channels:
                lead = f"overdue:{nudge_day.isoformat()}"
                specs.append(
                    Spec(
                        reminder_key(event.id, person.id, channel, lead),
                        "overdue",
                        lead,
                        policies.after_quiet(at, tz, person.id).astimezone(now.tzinfo),
                        person.id,
                        channel,
                        {"days_late": k},
                    )
                )
    escalate_at = _at(
        last_day + timedelta(days=policies.escalate_after_days), policies.overdue_time, tz
    )
    if escalate_at <= high:
        heads: dict[int, Person] = {}
        for person in recipients:
            heads.update((h.id, h) for h in people.heads_over(person))
        assignees = [p.id for p in recipients]
        for head in sorted(heads.values(), key=lambda p: p.id):
            for channel in head.channels:
                specs.append(
                    Spec(
                        reminder_key(event.id, head.id, channel, "escalation"),
                        "escalation",
                        "escalation",
                        policies.after_quiet(escalate_at, tz, head.id).astimezone(now.tzinfo),
                        head.id,
                        channel,
                        {"assignees": assignees, "days_late": policies.escalate_after_days},
                    )
                )
    return specs
