"""Reports received: record one, and tell for a period who reported, who was late, who not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from calendars.periods import Period, PeriodError, parse_period
from calendars.text import vn_date
from scheduler import inputs
from scheduler.errors import InvalidInput
from scheduler.reminders.inbound_rules import InboundPolicy, cancel_for_period
from scheduler.store.models import BODY_KINDS, InboundReport, Officer, ReportingBody


def period_arg(value: str) -> Period:
    """A period typed by a user; one clear line when it is wrong."""
    try:
        return parse_period(value)
    except PeriodError as exc:
        raise InvalidInput(str(exc)) from None


def read_received_file(path: Path, policy: InboundPolicy) -> tuple[str, bytes]:
    """The file's name and bytes, refused before reading when it is over the limit."""
    if not path.exists():
        raise InvalidInput(f"Không tìm thấy tệp {path}")
    if not path.is_file():
        raise InvalidInput(f"{path} không phải là một tệp")
    size = path.stat().st_size
    check_file_size(size, policy)
    return path.name, path.read_bytes()


def check_file_size(size: int, policy: InboundPolicy) -> None:
    if size > policy.max_file_bytes:
        raise InvalidInput(
            f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB, tối đa "
            f"{policy.max_file_bytes // (1024 * 1024)} MB): chưa ghi nhận gì"
        )
    if size == 0:
        raise InvalidInput("Tệp rỗng: chưa ghi nhận gì")


@dataclass
class Recorded:
    report: InboundReport
    updated: bool
    due: date
    late_days: int
    cancelled: int


def record_received(
    session: Session,
    body: ReportingBody,
    period: Period,
    received_on: date,
    now: datetime,
    policy: InboundPolicy,
    *,
    today: date,
    officer: Officer | None = None,
    channel: str = "cli",
    note: str | None = None,
    file: tuple[str, bytes] | None = None,
) -> Recorded:
    """Record (or correct) the report of ``body`` for ``period``; stops its reminders."""
    if received_on > today:
        raise InvalidInput(f"Ngày nhận {vn_date(received_on)} chưa đến (hôm nay {vn_date(today)})")
    if received_on.year < period.year:
        raise InvalidInput(f"Ngày nhận {vn_date(received_on)} ở trước kỳ báo cáo {period.label}")
    if file is not None:
        check_file_size(len(file[1]), policy)
    clean_note = inputs.clean_note(note)
    report = session.scalar(
        select(InboundReport).where(
            InboundReport.body_id == body.id, InboundReport.period == period.key
        )
    )
    updated = report is not None
    if report is None:
        report = InboundReport(body_id=body.id, period=period.key, recorded_at=now)
        session.add(report)
    report.received_on = received_on
    report.recorded_at = now
    report.recorded_by_id = officer.id if officer is not None else None
    report.channel = channel
    if clean_note is not None:
        report.note = clean_note
    if file is not None:
        report.file_name = file[0][:255]
        report.file_size = len(file[1])
        report.file_data = file[1]
    session.flush()
    due = policy.due(period)
    cancelled = cancel_for_period(session, body.id, period, now)
    return Recorded(report, updated, due, max(0, (received_on - due).days), cancelled)


def status(
    session: Session, period: Period, today: date, policy: InboundPolicy
) -> list[dict[str, Any]]:
    """Who owed a report for ``period``, and when it came (the JSON of ``inbound status``).

    ``late_days`` is 0 for a report on time, the days after the due day for a late one, and
    null while nothing has arrived (``overdue_days`` in the table says how late it is so far).
    """
    reports = {
        r.body_id: r
        for r in session.scalars(
            select(InboundReport)
            .where(InboundReport.period == period.key)
            .options(defer(InboundReport.file_data))
        )
    }
    order = {k: i for i, k in enumerate(BODY_KINDS)}
    bodies = sorted(
        (
            b
            for b in session.scalars(select(ReportingBody))
            if (b.active and period.kind in (b.owes or policy.default_owes)) or b.id in reports
        ),
        key=lambda b: (order.get(b.kind, 99), b.search_name),
    )
    due = policy.due(period)
    rows = []
    for body in bodies:
        report = reports.get(body.id)
        rows.append(
            {
                "body": body.name,
                "kind": body.kind,
                "due": due.isoformat(),
                "received": report.received_on.isoformat() if report else None,
                "late_days": max(0, (report.received_on - due).days) if report else None,
                "file": report.file_name if report else None,
            }
        )
    return rows


def state_words(row: dict[str, Any], today: date) -> str:
    """ "đúng hạn", "trễ 3 ngày", "chưa nhận (quá hạn 5 ngày)" or "chưa nhận"."""
    if row["received"] is not None:
        late = int(row["late_days"])
        return f"trễ {late} ngày" if late else "đúng hạn"
    overdue = (today - date.fromisoformat(row["due"])).days
    return f"chưa nhận (quá hạn {overdue} ngày)" if overdue > 0 else "chưa nhận"
