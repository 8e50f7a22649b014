"""The items of ``/viec``: filters, a search that ignores diacritics, and one page at a
time. Filters and counting run in SQL within what the viewer sees
(``Visibility.clause``); only the page's rows are loaded."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, select
from sqlalchemy.orm import Session

from calendars.text import fold
from scheduler.services import light
from scheduler.services.light import LightEvent
from scheduler.services.visibility import Visibility, assigned_clause, unit_clause
from scheduler.store.models import Assignment, Event

PAGE_SIZE = 100


@dataclass(frozen=True)
class ItemFilter:
    """What ``/viec`` asks for; empty values filter nothing."""

    start: date | None = None  # items touching start..end
    end: date | None = None
    section: str = ""
    kind: str = ""
    status: str = ""  # planned, done or overdue
    text: str = ""
    unit_id: int | None = None
    officer_id: int | None = None
    plan_id: int | None = None
    unassigned: bool = False  # items (not observances) given to nobody yet


@dataclass(frozen=True)
class ItemPage:
    items: list[LightEvent]
    total: int
    page: int  # from 1
    pages: int

    @property
    def first(self) -> int:
        """Position of the page's first item in the whole list (from 1)."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.items)


@lru_cache(maxsize=16_384)
def _haystack(title: str, body: str | None, references: str | None) -> str:
    """An item's wording and references, folded. Folding costs ~50 µs an item and the
    answer depends only on the stored text, so recent answers are remembered (the raw
    JSON of the references is part of the key: no JSON is decoded for a known item)."""
    names = json.loads(references) if references else None
    return fold(f"{title} {body} {' '.join(names or ())}")


def find_items(
    session: Session,
    seen: Visibility,
    wanted: ItemFilter,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> ItemPage:
    """Page ``page`` (clamped to those there are) of the items that match, by deadline;
    ``page_size=0``: all of them on one page (a bulk action on the whole filter)."""
    where: list[Any] = [seen.clause()]
    if wanted.section:
        where.append(Event.section == wanted.section)
    if wanted.kind:
        where.append(Event.kind == wanted.kind)
    if wanted.status == "overdue":
        where.append(light.overdue_clause(today))
    elif wanted.status in ("planned", "done"):
        where.append(Event.status == wanted.status)
    if wanted.unit_id is not None:
        where.append(unit_clause(wanted.unit_id))
    if wanted.officer_id is not None:
        where.append(assigned_clause(wanted.officer_id))
    if wanted.plan_id is not None:
        where.append(Event.plan_id == wanted.plan_id)
    if wanted.unassigned:
        where.append(~exists().where(Assignment.event_id == Event.id))
        where.append(Event.source != "observance")
        where.append(Event.kind != "observance")
    touching = None
    if wanted.start is not None and wanted.end is not None:
        touching = (wanted.start, wanted.end)
    text = fold(wanted.text) if wanted.text else ""
    if text:
        ids = _matching(session, light.conditions(touching=touching, tasks_only=False), where, text)
        total = len(ids)
    else:
        total = light.count(session, touching=touching, tasks_only=False, where=and_(*where))
    size = page_size or max(total, 1)
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    offset = (page - 1) * size
    if text:
        chosen = ids[offset : offset + size]
        items = light.load(session, tasks_only=False, where=Event.id.in_(chosen), shapes=False)
    else:
        items = light.load(
            session,
            touching=touching,
            tasks_only=False,
            where=and_(*where),
            limit=size,
            offset=offset,
            shapes=False,
        )
    return ItemPage(items=items, total=total, page=page, pages=pages)


def _matching(session: Session, base: list[Any], where: list[Any], text: str) -> list[int]:
    """Ids, by deadline, of the items whose wording or references contain ``text``
    (already folded) once both are folded."""
    due = func.coalesce(Event.due_date, Event.end_date)
    rows = session.execute(
        select(Event.id, Event.title, Event.text, cast(Event.references, Text))
        .where(*base, *where)
        .order_by(due, Event.id)
    )
    return [row[0] for row in rows if text in _haystack(row[1], row[2], row[3])]
