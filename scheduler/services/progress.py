"""Progress figures for ``/tiendo``: done, still open and overdue items, per month.

An item counts in the month its deadline falls in (the due date, else the last day).
Observances are dates, not tasks, and cancelled items are gone: neither is counted.
Every officer sees their own figures; heads and admins also see each unit and the board.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from scheduler.fieldwork import coverage_report
from scheduler.services.events import is_overdue
from scheduler.store.models import Assignment, Event, Officer, Unit
from scheduler.store.queries import event_recipients

LEADER_ROLES = ("head", "admin")


@dataclass(frozen=True)
class Tally:
    """Items of a period: done, still open (not yet due), and overdue."""

    done: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.open + self.overdue

    def line(self) -> str:
        """ "3/8 xong · 4 chưa đến hạn · 1 quá hạn"."""
        if self.total == 0:
            return "không có việc"
        parts = [f"{self.done}/{self.total} xong"]
        if self.open:
            parts.append(f"{self.open} chưa đến hạn")
        if self.overdue:
            parts.append(f"{self.overdue} quá hạn")
        return " · ".join(parts)


@dataclass(frozen=True)
class ProgressReport:
    year: int
    month: int
    mine: Tally
    year_to_date: Tally
    units: tuple[tuple[str, Tally], ...] = ()
    board: Tally | None = None


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def tasks_due(session: Session, start: date, end: date) -> list[Event]:
    """Items (not observances, not cancelled) whose deadline falls in ``start``..``end``."""
    due = func.coalesce(Event.due_date, Event.end_date)
    query = (
        select(Event)
        .options(
            selectinload(Event.assignments).selectinload(Assignment.officer),
            selectinload(Event.completions),
        )
        .where(due >= start, due <= end, Event.status != "cancelled")
        .where(Event.kind != "observance")
        .order_by(due, Event.id)
    )
    return list(session.scalars(query))


def responsible_events(session: Session, officer: Officer, events: Iterable[Event]) -> list[Event]:
    """The events ``officer`` answers for: the same rule reminders and confirmation use.

    ``event_recipients`` depends only on an event's assignments and unit, so its
    answer is computed once per distinct shape (a year's plan has a handful of shapes).
    """
    answers: dict[tuple[object, ...], bool] = {}
    mine = []
    for event in events:
        shape = (
            tuple(sorted(a.officer_id or 0 for a in event.assignments)),
            tuple(sorted(a.unit_id or 0 for a in event.assignments if a.officer_id is None)),
            event.unit_id,
        )
        if shape not in answers:
            recipients = event_recipients(session, event)
            answers[shape] = any(o.id == officer.id for o in recipients)
        if answers[shape]:
            mine.append(event)
    return mine


def tally(events: Iterable[Event], today: date) -> Tally:
    done = open_ = overdue = 0
    for event in events:
        if event.status == "done":
            done += 1
        elif is_overdue(event, today):
            overdue += 1
        else:
            open_ += 1
    return Tally(done=done, open=open_, overdue=overdue)


def _unit_ids(event: Event) -> set[int]:
    ids = {a.unit_id for a in event.assignments if a.unit_id is not None}
    ids |= {a.officer.unit_id for a in event.assignments if a.officer and a.officer.unit_id}
    if event.unit_id is not None:
        ids.add(event.unit_id)
    return ids


def month_progress(session: Session, officer: Officer, today: date) -> ProgressReport:
    """This month's figures for ``officer`` (and per unit and board for leaders)."""
    start, end = month_bounds(today.year, today.month)
    month_events = tasks_due(session, start, end)
    year_events = tasks_due(session, date(today.year, 1, 1), end)
    report = ProgressReport(
        year=today.year,
        month=today.month,
        mine=tally(responsible_events(session, officer, month_events), today),
        year_to_date=tally(responsible_events(session, officer, year_events), today),
    )
    if officer.role not in LEADER_ROLES:
        return report
    by_unit: dict[int, list[Event]] = defaultdict(list)
    for event in month_events:
        for unit_id in _unit_ids(event):
            by_unit[unit_id].append(event)
    names = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_(by_unit)))}
    units = tuple(
        (names[uid], tally(events, today))
        for uid, events in sorted(by_unit.items(), key=lambda item: names.get(item[0], ""))
        if uid in names
    )
    return ProgressReport(
        year=report.year,
        month=report.month,
        mine=report.mine,
        year_to_date=report.year_to_date,
        units=units,
        board=tally(month_events, today),
    )


def progress_lines(session: Session, officer: Officer, today: date) -> list[str]:
    """The ``/tiendo`` answer, line by line, with field-visit coverage when it is known."""
    report = month_progress(session, officer, today)
    lines = [
        f"📊 Tiến độ tháng {report.month}/{report.year}",
        f"• Việc của bạn: {report.mine.line()}",
        f"• Từ đầu năm: {report.year_to_date.line()}",
    ]
    if report.units:
        lines.append("Theo đơn vị:")
        lines += [f"• {name}: {figures.line()}" for name, figures in report.units]
    if report.board is not None:
        lines.append(f"• Toàn Ban: {report.board.line()}")
    lines += coverage_lines(session, officer, today)
    return lines


def coverage_lines(session: Session, officer: Officer, today: date) -> list[str]:
    """Field-visit coverage of the year so far, from ``scheduler.fieldwork``."""
    return coverage_report.coverage_lines(session, officer, today.year, today)
