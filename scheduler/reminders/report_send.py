"""The monthly send: on a set day (the 25th, 08:00 by default) every unit head receives the
month's report draft by email, as a .docx attachment, and a Telegram note that it is ready.

``plan_report_sends`` runs with the daily planning (``reminders.jobs``) and writes one outbox
row per head and channel with a unique key, so planning again adds nothing. The document is
drafted when the row is sent (``render_report_row``), from the store as it is then. The day
and time come from ``[report.send]`` in lichct.toml::

    [report.send]
    day = 25        # 1-31; a short month sends on its last day
    time = "08:00"
    enabled = true
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from calendars.text import vn_date
from notifiers.base import Action, Attachment, Message
from scheduler.errors import InvalidInput, LichctError
from scheduler.reminders import item_links, outbox
from scheduler.reminders.recipients import usable_channels
from scheduler.store.models import Officer, Reminder, Unit

log = logging.getLogger("lichct.dispatch")

KIND = "report"
ATTACH = "month-report"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class ReportSendPolicy:
    day: int = 25
    at: time = time(8, 0)
    enabled: bool = True

    def send_at(self, year: int, month: int, tz: ZoneInfo) -> datetime:
        """The local instant of the month's send (the month's last day if it is shorter)."""
        day = min(self.day, calendar.monthrange(year, month)[1])
        return datetime.combine(date(year, month, day), self.at, tz)


def load_report_send_policy(extra: Mapping[str, Any] | None = None) -> ReportSendPolicy:
    """``[report.send]`` of lichct.toml over the defaults; checked here."""
    report = (extra or {}).get("report") or {}
    table = report.get("send", {}) if isinstance(report, Mapping) else {}
    if not isinstance(table, Mapping):
        raise InvalidInput("[report.send] trong lichct.toml phải là một bảng")
    unknown = sorted(set(table) - {"day", "time", "enabled"})
    if unknown:
        raise InvalidInput(
            f"[report.send] không hiểu khóa {', '.join(unknown)} (day, time, enabled)"
        )
    day = table.get("day", 25)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
        raise InvalidInput("[report.send] day cần là một ngày từ 1 đến 31")
    try:
        at = time.fromisoformat(str(table.get("time", "08:00")))
    except ValueError:
        raise InvalidInput("[report.send] time cần dạng HH:MM") from None
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput("[report.send] enabled cần là true hoặc false")
    return ReportSendPolicy(day=day, at=at, enabled=enabled)


def row_key(year: int, month: int, officer_id: int, channel: str) -> str:
    return f"report:month:{year:04d}-{month:02d}:of:{officer_id}:{channel}"


def _report_unit(officer: Officer) -> Unit | None:
    """The unit whose report a head receives: none (the whole board) for the board's head."""
    unit = officer.unit
    return None if unit is None or unit.kind == "board" else unit


def plan_report_sends(
    session: Session, now: datetime, tz: ZoneInfo, policy: ReportSendPolicy
) -> int:
    """Queue this month's send to every active head; returns the rows added.

    A head added later in the month, or a service that was down on the day, still gets the
    draft at the next planning while the month lasts.
    """
    if not policy.enabled:
        return 0
    local = now.astimezone(tz)
    year, month = local.year, local.month
    at = policy.send_at(year, month, tz)
    heads = list(
        session.scalars(
            select(Officer)
            .options(selectinload(Officer.unit))
            .where(Officer.role == "head", Officer.active.is_(True))
            .order_by(Officer.id)
        )
    )
    if not heads:
        return 0
    keys = [row_key(year, month, o.id, c) for o in heads for c in ("email", "telegram")]
    existing = set(session.scalars(select(Reminder.key).where(Reminder.key.in_(keys))))
    rows = []
    for head in heads:
        unit = _report_unit(head)
        for channel in usable_channels(head):
            key = row_key(year, month, head.id, channel)
            if key in existing:
                continue
            rows.append(
                outbox.new_row(
                    key,
                    channel=channel,
                    kind=KIND,
                    due_at=max(at, now),
                    now=now,
                    officer_id=head.id,
                    lead=f"{year:04d}-{month:02d}",
                    payload={
                        "attach": ATTACH,
                        "year": year,
                        "month": month,
                        "unit_id": unit.id if unit is not None else None,
                        "subject": subject(year, month, unit.name if unit else None),
                    },
                )
            )
    outbox.enqueue(session, rows)
    return len(rows)


def subject(year: int, month: int, unit: str | None) -> str:
    whose = f" – {unit}" if unit else ""
    return f"Dự thảo báo cáo công tác dân vận tháng {month}/{year}{whose}"


def page_link(public_url: str | None, year: int, month: int) -> str | None:
    if not public_url:
        return None
    return item_links.page_url(public_url, f"/bao-cao?thang={year:04d}-{month:02d}")


def render_report_row(
    session: Session,
    row: Reminder,
    now: datetime,
    tz: ZoneInfo,
    *,
    public_url: str | None,
    extra: Mapping[str, Any],
) -> Message | None:
    """The email with the draft attached, or the Telegram note that it is ready.

    None (the row is dropped) when the officer is no longer an active head.
    """
    from scheduler.reports import load_report_settings, month_report_docx

    officer = row.officer
    if officer is None or not officer.active or officer.role != "head":
        return None
    payload = row.payload or {}
    year, month = int(payload["year"]), int(payload["month"])
    unit_id = payload.get("unit_id")
    unit = session.get(Unit, int(unit_id)) if unit_id is not None else None
    whose = f" của {unit.name}" if unit is not None else ""
    today = now.astimezone(tz).date()
    link = page_link(public_url, year, month)
    title = subject(year, month, unit.name if unit else None)
    if row.channel != "email":
        text = (
            f"📄 Dự thảo báo cáo công tác dân vận tháng {month}/{year}{whose} đã sẵn sàng "
            f"(lập ngày {vn_date(today)}). Bản Word đã gửi vào email của đồng chí"
            + ("; tải bản mới nhất ở trang Báo cáo." if link else ".")
        )
        actions = (Action("Mở trang Báo cáo", url=link),) if link else ()
        return Message(title, text, actions=actions, link=link, reminder_id=row.id)
    try:
        data = month_report_docx(
            session,
            year,
            month,
            today=today,
            settings=load_report_settings(extra),
            unit=unit,
            tz=tz,
        )
    except LichctError as exc:
        log.warning("Không lập được dự thảo báo cáo tháng %s/%s: %s", month, year, exc)
        return None
    text = (
        f"Kính gửi đồng chí {officer.name},\n\n"
        f"Gửi kèm dự thảo báo cáo công tác dân vận tháng {month}/{year}{whose}, lập ngày "
        f"{vn_date(today)} từ các việc đã xác nhận hoàn thành và kế hoạch tháng tới. "
        "Những chỗ ghi [...] cần điền trước khi trình ký."
        + (f"\n\nBản mới nhất luôn tải được ở trang Báo cáo: {link}" if link else "")
    )
    attachment = Attachment(f"bao-cao-thang-{year:04d}-{month:02d}.docx", DOCX, data)
    return Message(title, text, attachments=(attachment,), link=link, reminder_id=row.id)
