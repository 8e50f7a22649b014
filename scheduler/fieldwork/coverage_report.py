"""Coverage reports: per officer and area, the communes reached and the days out this month.

"This month" is today's month, or December of a past year; the short lines feed ``/tiendo``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.text import fold
from scheduler.fieldwork.areas import area_of, area_units
from scheduler.fieldwork.visits import list_visits
from scheduler.store.models import Officer, Unit, Visit


@dataclass(frozen=True)
class CoverageRow:
    """One officer's progress in one area (a district, or the whole province)."""

    officer: str
    officer_id: int
    area: str
    year: int
    month: str
    visits_this_month: int
    days_this_month: int
    reached: int
    total: int
    percent: float
    missing: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reference_month(year: int, today: date) -> tuple[date, date]:
    """ "This month" of a coverage report: today's month, or December of a past year."""
    month = today.month if year == today.year else (12 if year < today.year else 1)
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _percent(reached: int, total: int) -> float:
    return round(100.0 * reached / total, 1) if total else 0.0


def officer_coverage(
    session: Session, officer: Officer, year: int, today: date
) -> list[CoverageRow]:
    """Rows for one officer, one per area; empty when the officer has no area that year."""
    units = area_units(session, officer, year)
    if not units:
        return []
    start, end = reference_month(year, today)
    visits = list_visits(session, officer, year)
    reached_ids = {v.unit_id for v in visits}
    groups: dict[tuple[int | None, str], list[Unit]] = defaultdict(list)
    for unit in units:
        groups[area_of(unit)].append(unit)
    rows = []
    for (_area_id, area_name), members in sorted(groups.items(), key=lambda kv: fold(kv[0][1])):
        ids = {u.id for u in members}
        month_visits = [v for v in visits if v.unit_id in ids and start <= v.visit_date < end]
        reached = sum(1 for u in members if u.id in reached_ids)
        rows.append(
            CoverageRow(
                officer=officer.name,
                officer_id=officer.id,
                area=area_name,
                year=year,
                month=f"{start:%Y-%m}",
                visits_this_month=len(month_visits),
                days_this_month=len({v.visit_date for v in month_visits}),
                reached=reached,
                total=len(members),
                percent=_percent(reached, len(members)),
                missing=[u.name for u in members if u.id not in reached_ids],
            )
        )
    return rows


def coverage(session: Session, year: int, today: date) -> list[CoverageRow]:
    """Per officer and per area: visits this month, communes reached of the total, percent."""
    rows: list[CoverageRow] = []
    for officer in _active_officers(session):
        rows.extend(officer_coverage(session, officer, year, today))
    return rows


def officers_without_area(session: Session, year: int) -> list[Officer]:
    return [o for o in _active_officers(session) if not area_units(session, o, year)]


def _active_officers(session: Session) -> list[Officer]:
    return list(
        session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id))
    )


def month_days(session: Session, officer: Officer, start: date, end: date) -> int:
    """Distinct days at the grassroots in ``start``..``end`` (exclusive), any commune."""
    days = session.scalars(
        select(Visit.visit_date)
        .where(Visit.officer_id == officer.id, Visit.visit_date >= start, Visit.visit_date < end)
        .distinct()
    )
    return len(list(days))


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} nơi khác" if len(names) > limit else "")


def coverage_lines(session: Session, officer: Officer, year: int, today: date) -> list[str]:
    """Short Vietnamese lines for ``/tiendo``: this month's days out and each area's progress."""
    rows = officer_coverage(session, officer, year, today)
    if not rows:
        return [
            f"📍 Chưa được phân công địa bàn (xã, phường) năm {year}: chưa có tiến độ đi cơ sở."
        ]
    start, end = reference_month(year, today)
    days = month_days(session, officer, start, end)
    head = f"📍 Đi cơ sở tháng {start.month}/{year}: {days} ngày"
    if days == 0:
        head += " (cần ít nhất 1 ngày mỗi tháng)"
    lines = [head]
    for row in rows:
        line = f"• {row.area}: đã đến {row.reached}/{row.total} xã, phường ({row.percent:g}%)"
        if row.missing:
            line += f"; còn {_names(row.missing)}"
        else:
            line += " ✅"
        lines.append(line)
    return lines
