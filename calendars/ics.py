"""iCalendar (RFC 5545 / RFC 7986) rendering of plain event values, with icalendar 7.

Everything here is pure: the caller maps its stored rows to :class:`IcsEvent` values and
gets bytes back. Nothing reads the clock, so the same values always give the same bytes
(a client that re-downloads an unchanged feed sees no change at all). Each VEVENT is
serialised by icalendar once per distinct value and kept in a bounded cache: a feed in
which one item changed costs one event's work, not the whole feed's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone
from icalendar import Event as VEvent
from icalendar.prop import vDuration

from calendars.text import nfc, vn_day

__all__ = [
    "PRODID",
    "REFRESH",
    "IcsEvent",
    "clear_cache",
    "render_calendar",
    "render_single_event",
    "vevent",
]

PRODID = "-//Ban Dan van//lichct 0.1//VI"
# How often a subscribed client should come back (REFRESH-INTERVAL and X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)
DONE_MARK = "✅ "
CANCELLED_MARK = "(Đã hủy) "
_END = b"END:VCALENDAR\r\n"
_EVENT_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """What a calendar client shows of one item; a plain value, hashable and comparable.

    ``end_date`` is inclusive, as in the store; the renderer writes the exclusive DTEND
    that iCalendar wants. Timed items carry aware ``start_at``/``end_at``. ``sequence``
    and ``modified`` come from the stored revision, never from the time of rendering.
    """

    uid: str
    title: str
    start_date: date
    end_date: date
    modified: datetime
    sequence: int = 0
    created: datetime | None = None
    number: int | None = None
    text: str = ""
    all_day: bool = True
    start_at: datetime | None = None
    end_at: datetime | None = None
    due: date | None = None
    # A task has assignees and a status; an observance (a festival) has neither.
    task: bool = True
    conditional: bool = False
    references: tuple[str, ...] = ()
    lunar: str | None = None
    assignees: tuple[str, ...] = ()
    # planned, done or cancelled
    status: str = "planned"
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    categories: tuple[str, ...] = ()
    # How long before the start a client that honours VALARM should ring; None: no alarm.
    alarm_before: timedelta | None = None
    # The programme the item stands in ("Chương trình công tác tháng 01/2024"), and the
    # observance it is linked to with its date ("Tết Nguyên đán: Thứ Bảy, 10/02/2024").
    programme: str | None = None
    observance: str | None = None

    @property
    def timed(self) -> bool:
        return not self.all_day and self.start_at is not None


def render_calendar(
    name: str,
    events: Iterable[IcsEvent],
    tz: ZoneInfo,
    *,
    description: str | None = None,
    method: str = "PUBLISH",
) -> bytes:
    """A whole VCALENDAR: the header, a VTIMEZONE when a timed item needs it, the events.

    Events are written in a stable order (start, then UID), so the output depends only on
    the values given.
    """
    ordered = sorted(events, key=lambda e: (e.start_date, e.uid))
    parts = [_header(name, description, method, tz.key)]
    if any(e.timed for e in ordered):
        parts.append(_vtimezone(tz.key))
    parts.extend(_vevent_bytes(e, tz) for e in ordered)
    parts.append(_END)
    return b"".join(parts)


def render_single_event(event: IcsEvent, tz: ZoneInfo, *, name: str = "Lịch công tác") -> bytes:
    """One item as a calendar of its own (METHOD:PUBLISH), for an email attachment."""
    return render_calendar(name, [event], tz)


def clear_cache() -> None:
    """Forget every serialised VEVENT (benchmarks measure a cold render with it)."""
    _vevent_bytes.cache_clear()


def vevent(event: IcsEvent, tz: ZoneInfo) -> VEvent:
    """The icalendar component for ``event`` (properties first, then its VALARM)."""
    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", _utc(event.modified))
    if event.created is not None:
        component.add("created", _utc(event.created))
    component.add("last-modified", _utc(event.modified))
    component.add("sequence", event.sequence)
    if event.timed:
        assert event.start_at is not None
        start = event.start_at.astimezone(tz)
        end = (event.end_at or event.start_at).astimezone(tz)
        component.add("dtstart", start)
        component.add("dtend", max(end, start))
        component.add("transp", "OPAQUE")
    else:
        # DTEND of an all-day item is the day after its last day (exclusive).
        component.add("dtstart", event.start_date)
        component.add("dtend", max(event.end_date, event.start_date) + timedelta(days=1))
        component.add("transp", "TRANSPARENT")
    component.add("summary", nfc(_summary(event)))
    component.add("description", nfc(describe(event, tz)))
    if event.categories:
        component.add("categories", [nfc(c) for c in event.categories])
    component.add("status", _STATUS.get(event.status, "CONFIRMED"))
    if event.alarm_before is not None and event.status == "planned":
        component.add_component(_alarm(event))
    return component


def describe(event: IcsEvent, tz: ZoneInfo) -> str:
    """The DESCRIPTION: the original wording, then one labelled line per fact."""
    lines: list[str] = []
    body = (event.text or event.title).strip()
    lines.append(body)
    facts: list[str] = []
    if event.programme:
        facts.append(event.programme)
    if event.observance:
        facts.append(f"Nhân dịp: {event.observance}")
    elif event.lunar and event.lunar not in body:
        facts.append(f"Âm lịch: {event.lunar}")
    if event.references:
        facts.append("Căn cứ: " + ", ".join(event.references))
    if event.task and event.due is not None:
        facts.append(f"Hạn: {vn_day(event.due)}")
    if event.conditional:
        facts.append("Chỉ thực hiện khi phát sinh (nếu có).")
    if event.task:
        facts.append("Phụ trách: " + (", ".join(event.assignees) or "chưa giao"))
        facts.append("Trạng thái: " + _status_words(event, tz))
    if event.number is not None:
        facts.append(f"Mã việc: #{event.number}")
    if facts:
        lines.append("")
        lines.extend(facts)
    return "\n".join(lines)


# --------------------------------------------------------------------------- private

_STATUS = {"planned": "CONFIRMED", "done": "CONFIRMED", "cancelled": "CANCELLED"}


def _summary(event: IcsEvent) -> str:
    title = event.title.removeprefix(DONE_MARK).removeprefix(CANCELLED_MARK)
    if event.status == "done":
        return DONE_MARK + title
    if event.status == "cancelled":
        return CANCELLED_MARK + title
    return title


def _status_words(event: IcsEvent, tz: ZoneInfo) -> str:
    if event.status == "done":
        words = "đã hoàn thành"
        who = f" bởi {event.confirmed_by}" if event.confirmed_by else ""
        when = f" lúc {_vn_instant(event.confirmed_at, tz)}" if event.confirmed_at else ""
        if who or when:
            words += f" (xác nhận{who}{when})"
        return words
    if event.status == "cancelled":
        when = f" ngày {_vn_instant(event.cancelled_at, tz)}" if event.cancelled_at else ""
        return f"đã hủy{when}"
    return "chưa hoàn thành"


def _alarm(event: IcsEvent) -> Alarm:
    assert event.alarm_before is not None
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", nfc(event.title))
    alarm.add("trigger", -event.alarm_before)
    return alarm


def _vn_instant(at: datetime | None, tz: ZoneInfo) -> str:
    if at is None:
        return ""
    return at.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to the ICS renderer")
    return at.astimezone(UTC)


@lru_cache(maxsize=_EVENT_CACHE_SIZE)
def _vevent_bytes(event: IcsEvent, tz: ZoneInfo) -> bytes:
    return vevent(event, tz).to_ical()


@lru_cache(maxsize=64)
def _header(name: str, description: str | None, method: str, tzid: str) -> bytes:
    """The VCALENDAR's own properties, serialised by icalendar, without its END line."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("name", nfc(name))
    calendar.add("x-wr-calname", nfc(name))
    if description:
        calendar.add("description", nfc(description))
        calendar.add("x-wr-caldesc", nfc(description))
    calendar.add("x-wr-timezone", tzid)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    data = calendar.to_ical()
    if not data.endswith(_END):  # pragma: no cover - icalendar always ends this way
        raise RuntimeError("unexpected VCALENDAR serialisation")
    return data[: -len(_END)]


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> bytes:
    """A VTIMEZONE for ``tzid`` from the tz database, fixed so that it never changes."""
    timezone = Timezone.from_tzid(tzid, first_date=date(1976, 1, 1), last_date=date(2100, 1, 1))
    timezone.pop("COMMENT", None)
    return timezone.to_ical()
