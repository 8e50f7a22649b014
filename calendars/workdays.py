"""Working days of a Vietnamese public office: Monday to Friday, minus public holidays.

Public holidays come from the ``holidays`` package (its Vietnam calendar, which knows the
fixed holidays and many decided swaps); the yearly decided days off around Tết and other
holidays are added from ``data/tet_days_off.toml``, and from an office's own file of the
same shape when one is configured (``use_days_off_file``: a decision announced after the
release, or a local day off). A deadline that falls on a day off moves to the previous
working day.
"""

from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

__all__ = [
    "decided_days_off",
    "is_working_day",
    "last_working_day_of_month",
    "previous_working_day",
    "use_days_off_file",
]

_extra_file: Path | None = None


def use_days_off_file(path: Path | None) -> None:
    """Also count the days listed in ``path`` (``[[days_off]]`` blocks) as days off."""
    global _extra_file
    _extra_file = path
    decided_days_off.cache_clear()


@lru_cache(maxsize=1)
def decided_days_off() -> frozenset[date]:
    """Every day listed in ``data/tet_days_off.toml`` and in the configured extra file."""
    from lichct_data import resource

    days = _days_listed(resource("tet_days_off.toml").read_text("utf-8"))
    if _extra_file is not None:
        days |= _days_listed(_extra_file.read_text("utf-8"))
    return frozenset(days)


def _days_listed(text: str) -> set[date]:
    document = tomllib.loads(text)
    days: set[date] = set()
    for block in document.get("days_off", []):
        day, last = block["from"], block.get("to", block["from"])
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


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
