"""Working days of a Vietnamese public office: Monday to Friday, minus public holidays.

Public holidays come from the ``holidays`` package (its Vietnam calendar, which knows the
fixed holidays and many decided swaps); the yearly decided days off around Tết and other
holidays are added from ``data/tet_days_off.toml``. A deadline that falls on a day off
moves to the previous working day.
"""

from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "decided_days_off",
    "is_working_day",
    "last_working_day_of_month",
    "previous_working_day",
]


@lru_cache(maxsize=1)
def decided_days_off() -> frozenset[date]:
    """Every day listed in ``data/tet_days_off.toml``."""
    from lichct_data import resource

    document = tomllib.loads(resource("tet_days_off.toml").read_text("utf-8"))
    days: set[date] = set()
    for block in document.get("days_off", []):
        day, last = block["from"], block.get("to", block["from"])
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(d: date) -> bool:
    """True on Monday to Friday unless it is a public holiday or a decided day off."""
    return d.weekday() < 5 and d not in _public_holidays(d.year) and d not in decided_days_off()


def previous_working_day(d: date) -> date:
    """``d`` if it is a working day, else the nearest working day before it."""
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def last_working_day_of_month(year: int, month: int) -> date:
    """The last working day of a month: where "end of month" deadlines land."""
    return previous_working_day(date(year, month, calendar.monthrange(year, month)[1]))
