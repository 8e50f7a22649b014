"""Reporting periods: a month, a quarter, a half-year or a year, and when its report is due.

A period is written the way the office writes it in a file name or a command:
``2024-05`` (tháng 05/2024), ``2024-Q2`` (quý II/2024), ``2024-H1`` (6 tháng đầu năm
2024) and ``2024`` (năm 2024). A report for a period is due on a day of the period's last
month (the 20th by default), moved back to the previous working day like every deadline.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from calendars.workdays import previous_working_day

PERIOD_KINDS = ("month", "quarter", "half", "year")
KIND_LABELS = {
    "month": "tháng",
    "quarter": "quý",
    "half": "6 tháng",
    "year": "năm",
}
_ROMAN = ("I", "II", "III", "IV")
_PATTERNS = (
    ("month", re.compile(r"(\d{4})-(\d{1,2})")),
    ("quarter", re.compile(r"(\d{4})-[Qq]([1-4])")),
    ("half", re.compile(r"(\d{4})-[Hh]([12])")),
    ("year", re.compile(r"(\d{4})")),
)
FORMAT_HINT = "cần dạng YYYY-MM, ví dụ 2024-05; hoặc 2024-Q2, 2024-H1, 2024"


class PeriodError(ValueError):
    """A period written in a form this module does not know."""


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period; ``index`` is the month, quarter or half (1 for a year)."""

    year: int
    kind: str
    index: int

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        if self.kind == "half":
            return f"{self.year}-H{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        """The period in the words of a Vietnamese document."""
        if self.kind == "month":
            return f"tháng {self.index:02d}/{self.year}"
        if self.kind == "quarter":
            return f"quý {_ROMAN[self.index - 1]}/{self.year}"
        if self.kind == "half":
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
        return f"năm {self.year}"

    @property
    def first_month(self) -> int:
        return {"month": self.index, "quarter": 3 * self.index - 2, "half": 6 * self.index - 5}.get(
            self.kind, 1
        )

    @property
    def last_month(self) -> int:
        return {"month": self.index, "quarter": 3 * self.index, "half": 6 * self.index}.get(
            self.kind, 12
        )

    def contains(self, day: date) -> bool:
        return day.year == self.year and self.first_month <= day.month <= self.last_month

    def due(self, due_day: int) -> date:
        """The due date: ``due_day`` of the last month (clamped), on a working day."""
        last = calendar.monthrange(self.year, self.last_month)[1]
        return previous_working_day(date(self.year, self.last_month, min(due_day, last)))


def parse_period(value: str) -> Period:
    """``2024-05``, ``2024-Q2``, ``2024-H1`` or ``2024``; :class:`PeriodError` otherwise."""
    text = value.strip()
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year = int(match[1])
        if not 1900 <= year <= 2100:
            break
        index = int(match[2]) if kind != "year" else 1
        if kind == "month" and not 1 <= index <= 12:
            break
        return Period(year, kind, index)
    raise PeriodError(f"Kỳ báo cáo không hợp lệ: {value!r} ({FORMAT_HINT})")


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` that contains ``day``."""
    if kind == "month":
        return Period(day.year, kind, day.month)
    if kind == "quarter":
        return Period(day.year, kind, (day.month - 1) // 3 + 1)
    if kind == "half":
        return Period(day.year, kind, 1 if day.month <= 6 else 2)
    if kind == "year":
        return Period(day.year, kind, 1)
    raise PeriodError(f"Loại kỳ báo cáo không rõ: {kind!r}")


def previous(period: Period) -> Period:
    """The period just before ``period`` (same kind)."""
    if period.kind == "year":
        return Period(period.year - 1, "year", 1)
    count = {"month": 12, "quarter": 4, "half": 2}[period.kind]
    if period.index > 1:
        return Period(period.year, period.kind, period.index - 1)
    return Period(period.year - 1, period.kind, count)
