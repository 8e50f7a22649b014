"""Field-visit rules as reminders: the nudge on the 20th and the monthly list of communes left.

The plan asks each officer in charge of an area for at least one day at the grassroots a
month and for every commune of the area within the year. ``plan_visit_reminders`` runs
daily (``reminders.jobs``) and writes outbox rows with unique keys, so running it again
adds nothing; the dispatcher sends ``payload["subject"]`` and ``payload["text"]``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.clock import LOCAL_TZ
from scheduler.fieldwork.areas import area_assignments, area_units
from scheduler.fieldwork.names import unit_label
from scheduler.fieldwork.visits import list_visits
from scheduler.reminders import outbox
from scheduler.reminders.recipients import usable_channels
from scheduler.store.models import Officer, Reminder, Unit, Visit

NUDGE_DAY = 20
SECOND_HALF_FROM = 7
SEND_AT = time(8, 0)


def nudge_key(officer_id: int, channel: str, month: date) -> str:
    return f"visit-nudge:{officer_id}:{channel}:{month:%Y-%m}"


def missing_key(officer_id: int, channel: str, month: date) -> str:
    return f"visit-missing:{officer_id}:{channel}:{month:%Y-%m}"


def _nudge_payload(officer: Officer, today: date) -> dict[str, str]:
    month = f"{today.month}/{today.year}"
    return {
        "subject": f"Nhắc đi cơ sở tháng {month}",
        "text": (
            f"📍 Đến ngày {NUDGE_DAY}/{today:%m/%Y}, {officer.name} chưa ghi nhận ngày đi cơ sở "
            f"nào trong tháng {month}. Kế hoạch yêu cầu mỗi tháng đi cơ sở ít nhất 1 ngày.\n"
            "Sau khi đi, ghi lại bằng /dicoso <xã hoặc phường> [ghi chú]."
        ),
    }


def _missing_payload(
    officer: Officer, today: date, missing: list[Unit], total: int
) -> dict[str, str]:
    reached = total - len(missing)
    names = "\n".join(f"• {unit_label(u)}" for u in missing)
    return {
        "subject": f"Xã, phường chưa đến năm {today.year} ({len(missing)}/{total})",
        "text": (
            f"📋 Đi cơ sở năm {today.year}: {officer.name} đã đến {reached}/{total} xã, phường "
            f"của địa bàn. Kế hoạch yêu cầu đến 100% trong năm; còn {len(missing)} nơi chưa đến:\n"
            f"{names}"
        ),
    }


def _add(
    session: Session,
    key: str,
    officer: Officer,
    channel: str,
    kind: str,
    month: date,
    due: datetime,
    payload: dict[str, str],
    now: datetime,
    existing: set[str],
) -> bool:
    """Insert one outbox row unless its key exists; True when it was added."""
    if key in existing:
        return False
    # The outbox's own insert: a key another planner pass wrote meanwhile is left alone.
    outbox.enqueue(
        session,
        [
            outbox.new_row(
                key,
                channel=channel,
                kind=kind,
                due_at=due,
                now=now,
                officer_id=officer.id,
                lead=f"{month:%Y-%m}",
                payload=payload,
            )
        ],
    )
    existing.add(key)
    return True


def plan_visit_reminders(session: Session, now: datetime, tz: ZoneInfo = LOCAL_TZ) -> int:
    """Write this month's visit nudges and notes that are due; return how many rows were added.

    - From the 20th, an officer with an area and no visit logged this month gets one nudge
      (due 08:00 local on the 20th; logging a visit cancels it while it is pending).
    - From July, on the 1st at 08:00 local, a note lists the communes of the area not yet
      reached this year (none when all are reached).
    An officer whose area was assigned after the due time is left alone for that month.
    """
    today = now.astimezone(tz).date()
    month = today.replace(day=1)
    added = 0
    existing = set(
        session.scalars(
            select(Reminder.key).where(
                Reminder.lead == f"{month:%Y-%m}", Reminder.key.like("visit-%")
            )
        )
    )
    officers = list(
        session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id))
    )
    for officer in officers:
        channels = usable_channels(officer)
        if not channels:
            continue
        units = area_units(session, officer, today.year)
        if not units:
            continue
        assigned_at = min(a.created_at for a in area_assignments(session, officer))
        if today.day >= NUDGE_DAY:
            due = datetime.combine(today.replace(day=NUDGE_DAY), SEND_AT, tzinfo=tz)
            if assigned_at <= due and not _visited_between(session, officer, month, today):
                payload = _nudge_payload(officer, today)
                for channel in channels:
                    key = nudge_key(officer.id, channel, month)
                    added += _add(
                        session, key, officer, channel, "nudge", month, due, payload, now, existing
                    )
        if today.month >= SECOND_HALF_FROM:
            due = datetime.combine(month, SEND_AT, tzinfo=tz)
            reached = {v.unit_id for v in list_visits(session, officer, today.year)}
            missing = [u for u in units if u.id not in reached]
            if missing and assigned_at <= due:
                payload = _missing_payload(officer, today, missing, len(units))
                for channel in channels:
                    key = missing_key(officer.id, channel, month)
                    added += _add(
                        session, key, officer, channel, "visit", month, due, payload, now, existing
                    )
    session.flush()
    return added


def _visited_between(session: Session, officer: Officer, start: date, end: date) -> bool:
    """Any visit, in any commune, from ``start`` to ``end`` inclusive."""
    return (
        session.scalar(
            select(Visit.id)
            .where(
                Visit.officer_id == officer.id,
                Visit.visit_date >= start,
                Visit.visit_date <= end,
            )
            .limit(1)
        )
        is not None
    )
