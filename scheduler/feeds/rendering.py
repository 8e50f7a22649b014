"""Feed rendering: stored events as calendar entries, and a feed or one event as ICS bytes.

The same store gives the same bytes, at any time of rendering; what shapes them beyond
the store is named by ``RENDER_VERSION`` (part of every ETag, see ``freshness``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from calendars.ics import IcsEvent, render_calendar, render_single_event
from calendars.lunar import format_lunar, solar_to_lunar
from calendars.observances import Observance, Occurrence, describe, load_catalog
from scheduler.feeds.scopes import FeedScope, feed_name
from scheduler.feeds.selection import select_events
from scheduler.store.models import Event
from scheduler.store.queries import active_completion

__all__ = ["KIND_LABELS", "RENDER_VERSION", "event_ics", "render_feed", "to_ics_event"]

# Bump when the rendered bytes change for the same store (new wording, new property):
# it is part of every ETag.
RENDER_VERSION = "3"  # 3: undated tasks are one day on their deadline, programme named
# Ring the day before: at 09:00 for all-day items (15 hours before their midnight).
_ALARM_ALL_DAY = timedelta(hours=15)
_ALARM_TIMED = timedelta(days=1)

KIND_LABELS = {
    "report": "Báo cáo",
    "plan": "Kế hoạch",
    "directive": "Công văn chỉ đạo",
    "supervision": "Giám sát",
    "inspection": "Kiểm tra",
    "meeting": "Hội họp",
    "visit": "Thăm hỏi chúc mừng",
    "ceremony": "Dự lễ",
    "bulletin": "Thông báo",
    "observance": "Ngày lễ",
    "other": "Việc khác",
}


def render_feed(session: Session, scope: FeedScope, now: datetime, tz: ZoneInfo) -> bytes:
    """The feed as bytes: the same store gives the same bytes, at any time of rendering."""
    events = select_events(session, scope, now, tz)
    return render_calendar(feed_name(session, scope), (to_ics_event(e) for e in events), tz)


def event_ics(session: Session, event: Event, tz: ZoneInfo) -> bytes:
    """One event as a calendar file, for an email attachment (METHOD:PUBLISH, one VEVENT)."""
    return render_single_event(to_ics_event(event), tz)


def to_ics_event(event: Event) -> IcsEvent:
    """What a calendar client shows of a stored event (see ``calendars.ics.IcsEvent``)."""
    observance = event.source == "observance"
    cancelled = event.status == "cancelled"
    completion = active_completion(event) if event.status == "done" else None
    names = [a.officer.name for a in event.assignments if a.officer is not None]
    names += [a.unit.name for a in event.assignments if a.officer is None and a.unit is not None]
    categories = [KIND_LABELS.get(event.kind, event.kind)]
    if event.observance_key:
        categories += [r for r in _religions(event.observance_key) if r not in categories]
    timed = not event.all_day and event.start_at is not None
    linked = None if observance else _linked_occurrence(event)
    return IcsEvent(
        uid=event.uid,
        title=event.title,
        start_date=event.start_date,
        end_date=event.end_date,
        modified=event.updated_at,
        # A removal must read as an edit: one more than the last published SEQUENCE.
        sequence=event.revision + (1 if cancelled else 0),
        created=event.created_at,
        number=None if observance else event.id,
        text=event.text,
        all_day=not timed,
        start_at=event.start_at if timed else None,
        end_at=event.end_at if timed else None,
        due=event.due_date,
        task=not observance,
        conditional=event.conditional,
        references=tuple(event.references or ()),
        lunar=_lunar(event) if observance else None,
        assignees=tuple(names),
        status=event.status,
        confirmed_by=(
            completion.officer.name if completion and completion.officer is not None else None
        ),
        confirmed_at=completion.at if completion else None,
        cancelled_at=(event.cancelled_at or event.updated_at) if cancelled else None,
        categories=tuple(categories),
        alarm_before=_ALARM_TIMED if timed else _ALARM_ALL_DAY,
        programme=programme_name(event),
        observance=f"Nhân dịp {describe(linked)}" if linked else None,
    )


def programme_name(event: Event) -> str | None:
    """The month's programme a plan item stands in: "Chương trình công tác tháng 01/2024"."""
    if event.source != "plan" or event.month is None:
        return None
    year = event.plan.year if event.plan is not None else (event.due_date or event.start_date).year
    return f"Chương trình công tác tháng {event.month:02d}/{year}"


def _linked_occurrence(event: Event) -> Occurrence | None:
    """The occurrence of the observance a task is linked to, on or after its start."""
    if not event.observance_key:
        return None
    return _occurrence_from(event.observance_key, event.start_date)


@lru_cache(maxsize=1024)
def _occurrence_from(key: str, day: date) -> Occurrence | None:
    try:
        catalog = load_catalog()
        for year in (day.year, day.year + 1):
            occurrence = catalog.occurrence(key, year)
            if occurrence is not None and occurrence.end >= day:
                return occurrence
    except (LookupError, ValueError, OSError):  # a broken catalog must not break feeds
        return None
    return None


def _lunar(event: Event) -> str | None:
    try:
        return format_lunar(solar_to_lunar(event.start_date))
    except ValueError:
        return None


@lru_cache(maxsize=512)
def _religions(key: str) -> tuple[str, ...]:
    """The religions or peoples that keep an observance, as categories; () if unknown."""
    entry = _catalog_entry(key)
    if entry is None or not entry.religion:
        return ()
    return tuple(part.strip() for part in entry.religion.split(",") if part.strip())


def _catalog_entry(key: str) -> Observance | None:
    try:
        return load_catalog().get(key)
    except (LookupError, ValueError, OSError):  # a broken catalog must not break feeds
        return None
