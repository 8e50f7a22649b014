"""Items as the records of ``lichct events --format json``, read with SQLAlchemy Core alone.

A read-only command pays for what it loads: the ORM and the model classes cost a command
about as much as everything else it does. ``lichct events`` therefore reads through the
bare tables below, and the ORM entry points (bot, web, services) shape their records with
the same ``event_record`` and judge lateness with the same ``overdue``. A test holds both
paths equal on SQLite and PostgreSQL, and holds these tables to the models' columns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Date,
    Integer,
    String,
    Text,
    and_,
    column,
    exists,
    or_,
    select,
    table,
)

from calendars.text import fold, nfc
from scheduler.errors import InvalidInput, NotFound
from scheduler.inputs import parse_id
from scheduler.store.types import UTCDateTime

EVENTS = table(
    "events",
    column("id", Integer),
    column("uid", String),
    column("title", Text),
    column("kind", String),
    column("source", String),
    column("status", String),
    column("start_date", Date),
    column("end_date", Date),
    column("due_date", Date),
    column("all_day", Boolean),
    column("start_at", UTCDateTime()),
    column("end_at", UTCDateTime()),
    column("conditional", Boolean),
    column("observance_key", String),
)
ASSIGNMENTS = table(
    "assignments",
    column("id", Integer),
    column("event_id", Integer),
    column("officer_id", Integer),
    column("unit_id", Integer),
)
OFFICERS = table(
    "officers",
    column("id", Integer),
    column("name", String),
    column("search_name", String),
    column("unit_id", Integer),
)
UNITS = table("units", column("id", Integer), column("name", String))
TABLES = (EVENTS, ASSIGNMENTS, OFFICERS, UNITS)


class Lateness(Protocol):
    """What decides whether an item is late (an ORM ``Event`` or a plain row)."""

    @property
    def source(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def end_date(self) -> date: ...
    @property
    def conditional(self) -> bool: ...


class EventFacts(Lateness, Protocol):
    """What an item's record shows."""

    @property
    def id(self) -> int: ...
    @property
    def uid(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def all_day(self) -> bool: ...
    @property
    def start_at(self) -> datetime | None: ...
    @property
    def end_at(self) -> datetime | None: ...
    @property
    def observance_key(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class EventRow:
    """One ``events`` row as ``EVENTS`` reads it."""

    id: int
    uid: str
    title: str
    kind: str
    source: str
    status: str
    start_date: date
    end_date: date
    due_date: date | None
    all_day: bool
    start_at: datetime | None
    end_at: datetime | None
    conditional: bool
    observance_key: str | None


def overdue(event: Lateness, today: date) -> bool:
    """A task past its due date and not confirmed; an observance is a date, never overdue."""
    if event.source == "observance" or event.kind == "observance":
        return False
    due = event.due_date or event.end_date
    return event.status == "planned" and due < today and not event.conditional


def event_record(
    event: EventFacts, assignees: list[str], today: date, tz: ZoneInfo
) -> dict[str, Any]:
    """The JSON shape of ``lichct events --format json`` (DESIGN.md); instants in local time.

    ``assignees``: the officers' names in the order they were given the item, then the
    units given it as a whole."""
    if event.all_day or event.start_at is None:
        start: str = event.start_date.isoformat()
        end: str = event.end_date.isoformat()
    else:
        start = event.start_at.astimezone(tz).isoformat()
        end = (event.end_at or event.start_at).astimezone(tz).isoformat()
    return {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "kind": event.kind,
        "start": start,
        "end": end,
        "due": event.due_date.isoformat() if event.due_date else None,
        "status": event.status,
        "overdue": overdue(event, today),
        "assignees": assignees,
        "observance": event.observance_key,
    }


def event_records(
    connection: Connection,
    *,
    today: date,
    tz: ZoneInfo,
    start: date | None = None,
    end: date | None = None,
    officer: tuple[int, int | None] | None = None,
    include_cancelled: bool = False,
) -> list[dict[str, Any]]:
    """Records of the items that touch ``start``..``end`` (inclusive), by date then id.

    ``officer`` (id, unit id) keeps the items given to that officer or to their unit as a
    whole; the rule of ``services.events.list_events``."""
    e, a = EVENTS, ASSIGNMENTS
    query = select(*e.c)
    if start is not None:
        query = query.where(e.c.end_date >= start)
    if end is not None:
        query = query.where(e.c.start_date <= end)
    if not include_cancelled:
        query = query.where(e.c.status != "cancelled")
    if officer is not None:
        officer_id, unit_id = officer
        given = a.c.event_id == e.c.id
        mine: ColumnElement[bool] = exists().where(given, a.c.officer_id == officer_id)
        if unit_id is not None:
            to_unit = and_(given, a.c.unit_id == unit_id, a.c.officer_id.is_(None))
            mine = or_(mine, exists().where(to_unit))
        query = query.where(mine)
    query = query.order_by(e.c.start_date, e.c.id)
    rows = [EventRow(*row) for row in connection.execute(query)]
    names = _assignee_names(connection, [row.id for row in rows])
    return [event_record(row, names.get(row.id, []), today, tz) for row in rows]


def _assignee_names(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    """Each item's officers (in the order given), then its units given as a whole."""
    if not ids:
        return {}
    a, o, u = ASSIGNMENTS, OFFICERS, UNITS
    query = (
        select(a.c.event_id, o.c.name, u.c.name)
        .select_from(a.outerjoin(o, o.c.id == a.c.officer_id).outerjoin(u, u.c.id == a.c.unit_id))
        .order_by(a.c.event_id, a.c.id)
    )
    if len(ids) <= 500:  # a long IN list costs more than reading every assignment
        query = query.where(a.c.event_id.in_(ids))
    people: dict[int, list[str]] = defaultdict(list)
    units: dict[int, list[str]] = defaultdict(list)
    for event_id, officer_name, unit_name in connection.execute(query):
        if officer_name is not None:
            people[event_id].append(officer_name)
        elif unit_name is not None:
            units[event_id].append(unit_name)
    return {i: people.get(i, []) + units.get(i, []) for i in ids if i in people or i in units}


T = TypeVar("T")


def pick_officer(
    ref: str | int,
    by_id: Callable[[int], T | None],
    by_name: Callable[[str], Sequence[T]],
    by_search_name: Callable[[str], Sequence[T]],
    label: Callable[[T], str],
) -> T:
    """An officer by id, or by full name where it is unique (diacritics optional).

    The lookups are the caller's (ORM session or bare connection); the rule and its
    messages are here once."""
    text = nfc(str(ref).strip())
    if text.isascii() and text.isdigit():
        number = parse_id(text)
        if number is None:
            raise InvalidInput(f"Mã cán bộ không hợp lệ: {text[:40]!r} (mã là một số dương)")
        found = by_id(number)
        if found is None:
            raise NotFound(f"Không có cán bộ mã {text}")
        return found
    wanted = fold(text)
    if not wanted:
        raise InvalidInput("Cần tên hoặc mã cán bộ")
    matches = list(by_name(text)) or list(by_search_name(wanted))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(label(m) for m in matches)
        raise InvalidInput(f"Có nhiều cán bộ tên {text!r}, hãy dùng mã: {ids}")
    raise NotFound(f"Không tìm thấy cán bộ {text!r} (xem 'lichct officers list')")


def find_officer(connection: Connection, ref: str | int) -> tuple[int, int | None]:
    """``pick_officer`` on a bare connection: the officer's (id, unit id)."""
    o = OFFICERS
    columns = select(o.c.id, o.c.unit_id, o.c.name).order_by(o.c.id)

    def rows(condition: Any) -> list[tuple[int, int | None, str]]:
        return [(r[0], r[1], r[2]) for r in connection.execute(columns.where(condition))]

    chosen = pick_officer(
        ref,
        by_id=lambda number: next(iter(rows(o.c.id == number)), None),
        by_name=lambda name: rows(o.c.name == name),
        by_search_name=lambda folded: rows(o.c.search_name == folded),
        label=lambda row: f"{row[0]} ({row[2]})",
    )
    return chosen[0], chosen[1]
