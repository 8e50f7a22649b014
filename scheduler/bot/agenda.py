"""The list commands: /homnay, /tuannay, /sapden and /quahan, an officer's items by date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from calendars.text import WEEKDAYS, vn_date
from scheduler import services
from scheduler.clock import local_today
from scheduler.context import AppContext
from scheduler.services import progress
from scheduler.store.models import Event, Officer

UPCOMING_DAYS = 14


def _day(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {vn_date(d)}"


def _item_line(event: Event, today: date) -> str:
    due = event.due_date or event.end_date
    title = event.title if len(event.title) <= 140 else event.title[:139] + "…"
    if event.status == "done":
        return f"✅ #{event.id} · {title} (đã xong)"
    if services.is_overdue(event, today):
        return f"⚠️ #{event.id} · {title} · hạn {_day(due)} (quá {(today - due).days} ngày)"
    if event.end_date > event.start_date:
        when = f"{vn_date(event.start_date)}–{vn_date(event.end_date)}"
    elif event.kind in ("visit", "ceremony", "meeting"):
        when = f"ngày {_day(event.start_date)}"
    else:
        when = f"hạn {_day(due)}"
    left = (due - today).days
    countdown = "hôm nay" if left == 0 else f"còn {left} ngày" if left > 0 else ""
    suffix = f" ({countdown})" if countdown else ""
    if event.conditional:
        suffix += " · nếu có"
    return f"▫️ #{event.id} · {title} · {when}{suffix}"


def _agenda(
    session: Session, officer: Officer, start: date, end: date, today: date, heading: str
) -> str:
    events = services.list_events(session, start=start, end=end)
    observances = [e for e in events if e.kind == "observance"]
    mine = progress.responsible_events(
        session, officer, [e for e in events if e not in observances]
    )
    lines = [heading]
    if mine:
        lines += [_item_line(e, today) for e in mine]
    else:
        lines.append("Không có việc nào của bạn.")
    if observances:
        lines.append("🙏 Ngày lễ:")
        lines += [f"• {e.title} · {_day(e.start_date)}" for e in observances]
    return "\n".join(lines)


def cmd_today(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    return _agenda(session, officer, today, today, today, f"📅 Hôm nay, {_day(today)}")


def cmd_week(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    heading = f"🗓 Tuần này ({vn_date(monday)} – {vn_date(sunday)})"
    return _agenda(session, officer, monday, sunday, today, heading)


def cmd_upcoming(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    end = today + timedelta(days=UPCOMING_DAYS)
    heading = f"⏭ {UPCOMING_DAYS} ngày tới (đến {vn_date(end)})"
    return _agenda(session, officer, today + timedelta(days=1), end, today, heading)


def cmd_overdue(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    events = services.list_events(session, end=today)
    late = [e for e in events if services.is_overdue(e, today)]
    mine = progress.responsible_events(session, officer, late)
    if not mine:
        return "👍 Không có việc quá hạn."
    return "\n".join([f"⚠️ Việc quá hạn ({len(mine)}):", *(_item_line(e, today) for e in mine)])
