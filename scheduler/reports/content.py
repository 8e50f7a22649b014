"""What a report says, read from the store: items of a month or a year, visits, observances.

Plain data, no file format: ``documents`` and ``workbook`` turn it into .docx and .xlsx.
A plan item belongs to the month its plan puts it in; an ad-hoc item to the month it
starts in. Observances are dates, not tasks; cancelled items are gone.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput, NotFound
from scheduler.fieldwork.areas import area_units
from scheduler.fieldwork.visits import list_visits
from scheduler.store.models import Assignment, Event, Officer, Plan, Unit
from scheduler.store.queries import active_completion, event_unit_ids, is_overdue

# The two parts of each month of the plan's "Chương trình công tác", in the plan's order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("tham-muu", "Tham mưu Thường trực, Ban Thường vụ Tỉnh ủy"),
    ("chuyen-mon", "Nhiệm vụ chuyên môn"),
)
ADHOC_SECTION = "Phát sinh"
STATUS_LABELS = {"done": "Đã xong", "overdue": "Quá hạn", "open": "Chưa đến hạn"}


@dataclass(frozen=True)
class Item:
    """One task as a report shows it."""

    id: int
    month: int
    section: str  # "tham-muu", "chuyen-mon" or "" for an ad-hoc item
    kind: str
    title: str
    wording: str
    start: date
    due: date | None
    state: str  # "done", "overdue" or "open"
    conditional: bool
    observance: str | None
    assignees: tuple[str, ...]
    unit_ids: frozenset[int]
    note: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None  # local time

    @property
    def done(self) -> bool:
        return self.state == "done"

    @property
    def section_label(self) -> str:
        return dict(SECTIONS).get(self.section, ADHOC_SECTION)

    @property
    def status_label(self) -> str:
        if self.state != "done" and self.conditional:
            return "Nếu có (chưa phát sinh)" if self.state == "overdue" else "Nếu có"
        return STATUS_LABELS[self.state]


@dataclass(frozen=True)
class ObservanceLine:
    name: str
    start: date
    end: date
    items: tuple[Item, ...]


@dataclass(frozen=True)
class VisitLine:
    """An officer's days at the grassroots in a period and the year's coverage so far."""

    officer: str
    days: int
    communes: tuple[str, ...]
    reached: int
    total: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.reached / self.total, 1) if self.total else 0.0


@dataclass(frozen=True)
class MonthContent:
    year: int
    month: int
    unit: str | None
    plan_number: str | None
    items: tuple[Item, ...]
    adhoc: tuple[Item, ...]
    observances: tuple[ObservanceLine, ...]
    visits: tuple[VisitLine, ...]
    next_year: int
    next_month: int
    next_items: tuple[Item, ...]

    def done(self, section: str) -> list[Item]:
        """Done items of a section, except those told under the month's observances."""
        told = {i.id for line in self.observances for i in line.items}
        return [i for i in self.items if i.section == section and i.done and i.id not in told]

    def not_done(self) -> list[Item]:
        return [i for i in (*self.items, *self.adhoc) if not i.done]

    def planned(self, section: str) -> list[Item]:
        return [i for i in self.next_items if i.section == section]


@dataclass(frozen=True)
class YearContent:
    year: int
    unit: str | None
    plan_number: str | None
    items: tuple[Item, ...]
    visits: tuple[VisitLine, ...]
    monthly_days: dict[str, list[int]] = field(default_factory=dict)

    def of_month(self, month: int) -> list[Item]:
        return [i for i in self.items if i.month == month]


def parse_month(text: str) -> tuple[int, int]:
    """``2024-05`` as (2024, 5); anything else is one clear error."""
    parts = text.strip().split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        year, month = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and 1900 <= year <= 2200:
            return year, month
    raise InvalidInput(f"Tháng không hợp lệ: {text!r} (viết YYYY-MM, ví dụ 2024-05)")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _state(event: Event, today: date) -> str:
    """Done, overdue or open (overdue by the one rule the listings use)."""
    if event.status == "done":
        return "done"
    return "overdue" if is_overdue(event, today) else "open"


def to_item(event: Event, today: date, tz: ZoneInfo = LOCAL_TZ) -> Item:
    names = [a.officer.name for a in event.assignments if a.officer is not None]
    names += [a.unit.name for a in event.assignments if a.officer is None and a.unit is not None]
    completion = active_completion(event) if event.status == "done" else None
    who = completion.officer if completion is not None else None
    return Item(
        id=event.id,
        month=event.month or (event.due_date or event.end_date).month,
        section=(event.section or "") if event.source == "plan" else "",
        kind=event.kind,
        title=event.title,
        wording=" ".join((event.text or event.title).split()),
        start=event.start_date,
        due=event.due_date,
        state=_state(event, today),
        conditional=event.conditional,
        observance=event.observance_key,
        assignees=tuple(names),
        unit_ids=frozenset(event_unit_ids(event)),
        note=(completion.note or None) if completion is not None else None,
        confirmed_by=who.name if who is not None else None,
        confirmed_at=completion.at.astimezone(tz) if completion is not None else None,
    )


def _loaded(query):  # type: ignore[no-untyped-def]
    return query.options(
        selectinload(Event.assignments).selectinload(Assignment.officer),
        selectinload(Event.assignments).selectinload(Assignment.unit),
        selectinload(Event.completions),
    )


def _plan_events(session: Session, year: int, month: int) -> list[Event]:
    query = (
        select(Event)
        .join(Plan, Event.plan_id == Plan.id)
        .where(Plan.year == year, Event.month == month, Event.source == "plan")
        .where(Event.status != "cancelled", Event.kind != "observance")
        .order_by(Event.id)
    )
    return list(session.scalars(_loaded(query)))


def _adhoc_events(session: Session, start: date, end: date) -> list[Event]:
    query = (
        select(Event)
        .where(Event.source == "adhoc", Event.start_date >= start, Event.start_date <= end)
        .where(Event.status != "cancelled", Event.kind != "observance")
        .order_by(Event.start_date, Event.id)
    )
    return list(session.scalars(_loaded(query)))


def year_events(session: Session, year: int) -> list[Event]:
    """The year's tasks: every event touching the year, as ``lichct events`` lists them,
    without the observances (dates, not tasks)."""
    query = (
        select(Event)
        .where(Event.end_date >= date(year, 1, 1), Event.start_date <= date(year, 12, 31))
        .where(Event.status != "cancelled", Event.kind != "observance")
        .order_by(Event.start_date, Event.id)
    )
    return list(session.scalars(_loaded(query)))


def plan_number(session: Session, year: int) -> str | None:
    return session.scalar(select(Plan.number).where(Plan.year == year).order_by(Plan.id))


def _for_unit(items: Iterable[Item], unit: Unit | None) -> tuple[Item, ...]:
    return tuple(i for i in items if unit is None or unit.id in i.unit_ids)


def _observances(
    session: Session, start: date, end: date, items: Sequence[Item]
) -> tuple[ObservanceLine, ...]:
    """The month's observances that an item of the board is linked to."""
    linked: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        if item.observance:
            linked[item.observance].append(item)
    rows = session.scalars(
        select(Event)
        .where(Event.kind == "observance", Event.start_date >= start, Event.start_date <= end)
        .where(Event.status != "cancelled")
        .order_by(Event.start_date, Event.id)
    )
    return tuple(
        ObservanceLine(e.title, e.start_date, e.end_date, tuple(linked[e.observance_key or ""]))
        for e in rows
        if e.observance_key in linked
    )


def visit_lines(
    session: Session, start: date, end: date, unit: Unit | None = None
) -> tuple[VisitLine, ...]:
    """Per officer with an area (or a visit): days out in ``start``..``end`` (inclusive),
    communes reached then, and communes reached in the year up to ``end`` of the area."""
    query = select(Officer).where(Officer.active.is_(True)).order_by(Officer.id)
    if unit is not None:
        query = query.where(Officer.unit_id == unit.id)
    lines = []
    for officer in session.scalars(query):
        area = area_units(session, officer, end.year)
        visits = [v for v in list_visits(session, officer, end.year) if v.visit_date <= end]
        in_period = [v for v in visits if v.visit_date >= start]
        if not area and not in_period:
            continue
        area_ids = {u.id for u in area}
        names: dict[int, str] = {}
        for visit in in_period:
            if visit.unit_id not in names:
                reached_unit = session.get(Unit, visit.unit_id)
                names[visit.unit_id] = reached_unit.name if reached_unit else "?"
        lines.append(
            VisitLine(
                officer=officer.name,
                days=len({v.visit_date for v in in_period}),
                communes=tuple(names.values()),
                reached=len({v.unit_id for v in visits} & area_ids),
                total=len(area),
            )
        )
    return tuple(lines)


def month_content(
    session: Session,
    year: int,
    month: int,
    today: date,
    *,
    unit: Unit | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> MonthContent:
    """Everything the monthly report says about ``month`` and the plan for the next one."""
    start, end = date(year, month, 1), month_end(year, month)
    number = plan_number(session, year)
    items = _for_unit((to_item(e, today, tz) for e in _plan_events(session, year, month)), unit)
    adhoc = _for_unit((to_item(e, today, tz) for e in _adhoc_events(session, start, end)), unit)
    if number is None and not adhoc:
        raise NotFound(
            f"Chưa có kế hoạch công tác năm {year} và không có việc nào trong tháng "
            f"{month}/{year}: hãy nhập kế hoạch bằng 'lichct import'"
        )
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    next_items = _for_unit(
        (to_item(e, today, tz) for e in _plan_events(session, next_year, next_month)), unit
    )
    return MonthContent(
        year=year,
        month=month,
        unit=unit.name if unit is not None else None,
        plan_number=number,
        items=items,
        adhoc=adhoc,
        observances=_observances(session, start, end, (*items, *adhoc)),
        visits=visit_lines(session, start, end, unit),
        next_year=next_year,
        next_month=next_month,
        next_items=next_items,
    )


def year_content(
    session: Session,
    year: int,
    today: date,
    *,
    unit: Unit | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> YearContent:
    """The year's tasks, the coverage at the end of the year (or today), days out per month."""
    items = _for_unit((to_item(e, today, tz) for e in year_events(session, year)), unit)
    number = plan_number(session, year)
    if number is None and not items:
        raise NotFound(f"Chưa có kế hoạch công tác năm {year} và không có việc nào trong năm")
    last = min(date(year, 12, 31), max(today, date(year, 1, 1)))
    visits = visit_lines(session, date(year, 1, 1), last, unit)
    monthly: dict[str, list[int]] = {}
    for m in range(1, 13):
        for line in visit_lines(session, date(year, m, 1), month_end(year, m), unit):
            monthly.setdefault(line.officer, [0] * 12)[m - 1] = line.days
    return YearContent(
        year=year,
        unit=unit.name if unit is not None else None,
        plan_number=number,
        items=items,
        visits=visits,
        monthly_days=monthly,
    )
