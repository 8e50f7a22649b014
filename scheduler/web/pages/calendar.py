"""``/lich?thang=YYYY-MM``: a Monday-first month grid with lunar days and the items."""

from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from starlette.responses import Response

from calendars.lunar import LunarDate, month_name, solar_to_lunar
from scheduler.errors import InvalidInput
from scheduler.services import light
from scheduler.services.light import LightEvent
from scheduler.web.framework import Page, nav, page

nav("Lịch tháng", "/lich", order=20)


@dataclass
class Day:
    day: date
    lunar: LunarDate
    in_month: bool
    today: bool
    observances: list[LightEvent] = field(default_factory=list)
    items: list[tuple[LightEvent, str, bool]] = field(default_factory=list)  # event, time, overdue

    @property
    def lunar_label(self) -> str:
        if self.lunar.day == 1:
            return f"mùng 1 {month_name(self.lunar.month, self.lunar.leap)}"
        if self.lunar.day == 15:
            return "rằm"
        return str(self.lunar.day)


def parse_month(value: str, today: date) -> tuple[int, int]:
    if not value:
        return today.year, today.month
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except ValueError:
        raise InvalidInput(f"Tháng không hợp lệ: {value!r} (dạng YYYY-MM, ví dụ 2024-05)") from None
    if not 1900 <= year <= 2199:
        raise InvalidInput(f"Tháng không hợp lệ: {value!r}")
    return year, month


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@page("/lich")
def month_grid(p: Page) -> Response:
    today = p.today  # once: the property reads the clock
    year, month = parse_month(p.query("thang"), today)
    first = date(year, month, 1)
    last = date(year, month, pycal.monthrange(year, month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    days = {
        start + timedelta(days=i): Day(
            day=start + timedelta(days=i),
            lunar=solar_to_lunar(start + timedelta(days=i)),
            in_month=(start + timedelta(days=i)).month == month,
            today=start + timedelta(days=i) == today,
        )
        for i in range((end - start).days + 1)
    }
    placed: dict[date, list[tuple[LightEvent, str, bool]]] = defaultdict(list)
    rows = light.load(
        p.db, touching=(start, end), tasks_only=False, where=p.visibility.clause(), shapes=False
    )
    for event in rows:
        if event.observance:
            d = max(event.start_date, start)
            while d <= min(event.end_date, end):
                days[d].observances.append(event)
                d += timedelta(days=1)
            continue
        if event.start_at is not None and not event.all_day:
            local = event.start_at.astimezone(p.ctx.tz)
            on, at = local.date(), local.strftime("%H:%M")
        else:
            on, at = event.due_date or event.end_date, ""
        if on in days:
            placed[on].append((event, at, event.overdue(today)))
    for on, items in placed.items():
        days[on].items = sorted(items, key=lambda item: (item[1] or "99", item[0].id))
    weeks = [list(days.values())[i : i + 7] for i in range(0, len(days), 7)]
    return p.render(
        "calendar.html",
        title=f"Lịch tháng {month}/{year}",
        year=year,
        month=month,
        weeks=weeks,
        prev=_shift(year, month, -1),
        next=_shift(year, month, 1),
        lunar_first=solar_to_lunar(first),
    )
