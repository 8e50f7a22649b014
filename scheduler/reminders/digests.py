"""Morning digests: today's and overdue items (daily), the week (Monday), the month (1st),
and a look at the next month near the end of one.

Digests are outbox rows keyed per period (``digest:daily:{officer}:{channel}:{date}``), so a
restart never sends one twice. A unit whose group chat is linked gets the unit's digest there
(``digest:daily:unit{unit}:telegram:{date}``). The text is written when the row is sent,
not when it is planned, so an item confirmed at 06:55 is not in the 07:00 digest; a digest
with nothing to say is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from calendars.text import WEEKDAYS, vn_date, vn_day
from notifiers.limits import fit_lines, shorten, utf16_len
from notifiers.templates import LIST_TITLE_MAX, TEXT_MAX
from scheduler.reminders import outbox, planner
from scheduler.reminders.policies import Policies, current
from scheduler.reminders.recipients import People
from scheduler.reminders.specs import anchor_day, overdue_since
from scheduler.store.models import Assignment, Event, Reminder, Unit

PERIODS = ("daily", "weekly", "monthly", "nextmonth")


@dataclass(frozen=True)
class Period:
    name: str
    label: str
    start: date
    end: date


def _month_end(day: date) -> date:
    first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next - timedelta(days=1)


def periods_for(today: date, policies: Policies) -> list[Period]:
    """The digests due on ``today`` under ``policies``."""
    found = []
    if policies.digest_daily:
        found.append(Period("daily", today.isoformat(), today, today))
    if policies.digest_weekly and today.weekday() == 0:
        year, week, _ = today.isocalendar()
        found.append(Period("weekly", f"{year}-W{week:02d}", today, today + timedelta(days=6)))
    if policies.digest_monthly and today.day == 1:
        found.append(Period("monthly", f"{today:%Y-%m}", today, _month_end(today)))
    end = _month_end(today)
    if (
        policies.next_month_days_before_end >= 0
        and (end - today).days == policies.next_month_days_before_end
    ):
        first = end + timedelta(days=1)
        found.append(Period("nextmonth", f"{first:%Y-%m}", first, _month_end(first)))
    return found


def plan_digests(
    session: Session, now: datetime, policies: Policies | None = None, tz: ZoneInfo | None = None
) -> int:
    """Queue today's digests for every officer with a channel; return how many rows were new.

    Nothing is queued once the day's digest would be stale (after ``stale_after``).
    """
    if policies is None or tz is None:
        policies, tz = current()
    local = now.astimezone(tz)
    if local.time() >= policies.digest_stale_after:
        return 0
    today = local.date()
    due_at = datetime.combine(today, policies.digest_time, tzinfo=tz).astimezone(now.tzinfo)
    people = People.load(session)
    # (who in the key, channel, officer id, unit id): every officer on each of their channels,
    # and every unit whose Telegram group chat is linked.
    audience: list[tuple[str, str, int | None, int | None]] = [
        (str(person.id), channel, person.id, None)
        for person in people.by_id.values()
        for channel in person.channels
    ]
    audience += [
        (f"unit{unit_id}", "telegram", None, unit_id)
        for unit_id in session.scalars(select(Unit.id).where(Unit.telegram_chat_id.is_not(None)))
    ]
    rows = [
        outbox.new_row(
            f"digest:{period.name}:{who}:{channel}:{period.label}",
            channel=channel,
            kind="digest",
            due_at=due_at,
            now=now,
            officer_id=officer_id,
            unit_id=unit_id,
            lead=f"{period.name}:{period.label}",
            payload={
                "period": period.name,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            },
        )
        for period in periods_for(today, policies)
        for who, channel, officer_id, unit_id in audience
    ]
    if not rows:
        return 0
    before = session.scalar(select(Reminder.id).order_by(Reminder.id.desc()).limit(1)) or 0
    outbox.enqueue(session, rows)
    keys = [r["key"] for r in rows]
    return len(
        list(
            session.scalars(select(Reminder.id).where(Reminder.key.in_(keys), Reminder.id > before))
        )
    )


def _mine(
    session: Session,
    events: list[Event],
    people: People,
    officer_id: int | None = None,
    unit_id: int | None = None,
) -> list[Event]:
    """The events of one officer, or of one unit (given to it or to any of its officers)."""
    pairs: dict[int, list[tuple[int | None, int | None]]] = defaultdict(list)
    for ids in planner.chunked([e.id for e in events]):
        for event_id, officer, unit in session.execute(
            select(Assignment.event_id, Assignment.officer_id, Assignment.unit_id).where(
                Assignment.event_id.in_(ids)
            )
        ):
            pairs[event_id].append((officer, unit))
    if officer_id is not None:
        return [
            e
            for e in events
            if any(p.id == officer_id for p in people.recipients(pairs.get(e.id, []), e.unit_id))
        ]
    return [
        e
        for e in events
        if e.unit_id == unit_id
        or any(unit == unit_id for _, unit in pairs.get(e.id, []))
        or any(p.unit_id == unit_id for p in people.recipients(pairs.get(e.id, []), e.unit_id))
    ]


def _line(event: Event, day: date | None = None, suffix: str = "") -> str:
    when = f"{WEEKDAYS[day.weekday()]} {day:%d/%m}: " if day else ""
    flag = " (nếu có)" if event.conditional and "(nếu có)" not in event.title else ""
    return f"• {when}{shorten(event.title, LIST_TITLE_MAX)}{flag}{suffix} · #{event.id}"


def render_digest(
    session: Session, row: Reminder, now: datetime, policies: Policies, tz: ZoneInfo
) -> tuple[str, str] | None:
    """The subject and text of a digest row, or None when there is nothing to say."""
    payload = row.payload or {}
    period = str(payload.get("period", "daily"))
    start = date.fromisoformat(str(payload.get("start") or now.astimezone(tz).date().isoformat()))
    end = date.fromisoformat(str(payload.get("end") or start.isoformat()))
    if row.officer_id is None and row.unit_id is None:
        return None
    people = People.load(session)
    window_start = start - policies.digest_overdue_window if period == "daily" else start
    candidates = list(
        session.scalars(
            select(Event)
            .where(Event.status == "planned")
            .where(Event.start_date <= end)
            .where(or_(Event.end_date >= window_start, Event.due_date >= window_start))
            .order_by(Event.start_date, Event.id)
        )
    )
    mine = _mine(session, candidates, people, officer_id=row.officer_id, unit_id=row.unit_id)
    in_period: list[tuple[date, Event]] = []
    overdue: list[tuple[int, Event]] = []
    for event in mine:
        day = anchor_day(event, policies, tz)
        last = overdue_since(event)
        if start <= day <= end:
            in_period.append((day, event))
        elif (
            period == "daily"
            and last < start
            and policies.kind(event.kind).overdue
            and not event.conditional
        ):
            overdue.append(((start - last).days, event))
    in_period.sort(key=lambda pair: (pair[0], pair[1].id))
    if not in_period and not overdue:
        return None
    if period == "daily":
        subject = f"☀️ Việc hôm nay, {vn_day(start)}"
        lines = [subject]
        if in_period:
            lines.append("Hôm nay:")
            lines += [_line(e) for _, e in in_period]
        if overdue:
            lines.append("Quá hạn:")
            lines += [
                _line(e, suffix=f" (quá hạn {n} ngày)")
                for n, e in sorted(overdue, key=lambda p: -p[0])
            ]
    elif period == "weekly":
        subject = f"📅 Tuần này: {vn_date(start)} – {vn_date(end)}"
        lines = [subject, *(_line(e, day) for day, e in in_period)]
    elif period == "monthly":
        subject = f"🗓 Chương trình công tác tháng {start.month}/{start.year}"
        lines = [subject, *(_line(e, day) for day, e in in_period)]
    else:
        subject = f"🔭 Nhìn trước tháng {start.month}/{start.year}"
        lines = [subject, *(_line(e, day) for day, e in in_period)]
    unit = session.get(Unit, row.unit_id) if row.officer_id is None and row.unit_id else None
    if unit is not None:
        subject = f"{subject} · {unit.name}"
        lines[0] = subject
    total = f"Tổng cộng {len(in_period) + len(overdue)} việc."
    # A long month is cut between whole lines, never inside one; the count stays last.
    lines = fit_lines(lines, TEXT_MAX - utf16_len(total) - 1, "… và {n} việc khác (xem /sapden).")
    lines.append(total)
    return subject, "\n".join(lines)
