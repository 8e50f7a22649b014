"""The observance catalog: religious, ethnic and civic days, and their dates in any year.

The catalog is data (``data/observances.toml``, commented there); this module reads it
and turns each entry's rule into the solar dates of a given year. Rules: a fixed solar
date or range, a Vietnamese lunar date or range, an offset from another entry, a
number of days after Easter, a Hijri date or range, a Khmer (Chhankitek) date or range or
the Khmer New Year, and per-year overrides.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from dateutil.easter import easter
from hijridate import Gregorian, Hijri

from calendars import khmer, lunar
from calendars.lunar import LunarDate
from calendars.text import fold, vn_day

__all__ = [
    "Catalog",
    "Observance",
    "Occurrence",
    "Rule",
    "describe",
    "load_catalog",
    "match_observance",
]

CALENDARS = ("solar", "lunar", "easter", "hijri", "khmer")
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Occurrence:
    """One observance in one year: ``start``..``end`` inclusive, in solar dates."""

    key: str
    name: str
    start: date
    end: date
    lunar: LunarDate | None
    calendar: str
    religion: str | None
    unit: str | None
    khmer_date: khmer.KhmerDate | None = None  # the Khmer date of ``start`` (Khmer rules)


@dataclass(frozen=True)
class Rule:
    """How an observance's dates are found; see ``data/observances.toml`` for the kinds."""

    type: str
    start: tuple[int, int] | None = None  # (day, month)
    end: tuple[int, int] | None = None
    base: str | None = None  # key of the entry an offset counts from
    days: int = 0
    length: int = 1
    new_year: bool = False  # Khmer rule: from Moha Sangkran day to Leungsak day


@dataclass(frozen=True)
class Observance:
    """A catalog entry."""

    key: str
    name: str
    rule: Rule
    religion: str | None = None
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    overrides: Mapping[int, tuple[date, date]] = field(default_factory=dict)


class Catalog:
    """The observances, by key, and their occurrences in any year."""

    def __init__(self, observances: list[Observance]) -> None:
        self._by_key = {o.key: o for o in observances}
        if len(self._by_key) != len(observances):
            raise ValueError("Danh mục ngày lễ có khóa (key) trùng nhau")
        for o in observances:
            self._check_base(o)
        self._phrases = sorted(
            ((_words(p), o.key) for o in observances for p in (o.name, *o.aliases)),
            key=lambda pair: -len(pair[0]),
        )

    def _check_base(self, o: Observance) -> None:
        seen = {o.key}
        current = o
        while current.rule.type == "offset":
            base = current.rule.base
            if base not in self._by_key:
                raise ValueError(f"Ngày lễ {o.key}: không có mục gốc '{base}' trong danh mục")
            if base in seen:
                raise ValueError(f"Ngày lễ {o.key}: quy tắc lùi/tiến ngày tạo vòng lặp")
            seen.add(base)
            current = self._by_key[base]

    def __iter__(self) -> Iterator[Observance]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> Observance | None:
        """The entry with this key, or None."""
        return self._by_key.get(key)

    def occurrence(self, key: str, year: int) -> Occurrence | None:
        """The occurrence of ``key`` that starts in solar ``year``, or None."""
        observance = self._by_key.get(key)
        if observance is None:
            return None
        span = self._span(observance, year)
        if span is None:
            return None
        start, end = span
        calendar = self._calendar(observance)
        # Khmer observances also carry their Vietnamese lunar date, which people compare.
        lunar_start = lunar.solar_to_lunar(start) if calendar in ("lunar", "khmer") else None
        khmer_start = khmer.solar_to_khmer(start) if calendar == "khmer" else None
        return Occurrence(
            key=observance.key,
            name=observance.name,
            start=start,
            end=end,
            lunar=lunar_start,
            calendar=calendar,
            religion=observance.religion,
            unit=observance.unit,
            khmer_date=khmer_start,
        )

    def calendar_of(self, key: str) -> str | None:
        """The calendar that decides an entry's dates ("lunar", "khmer"...), or None."""
        observance = self._by_key.get(key)
        return self._calendar(observance) if observance is not None else None

    def occurrences(self, year: int) -> list[Occurrence]:
        """Every observance of solar ``year``, sorted by start date."""
        found = (self.occurrence(key, year) for key in self._by_key)
        return sorted((o for o in found if o is not None), key=lambda o: (o.start, o.key))

    def match(self, text: str) -> str | None:
        """The key of the observance ``text`` is about (longest name or alias wins)."""
        words = f" {_words(text)} "
        for phrase, key in self._phrases:
            if phrase and f" {phrase} " in words:
                return key
        return None

    def _calendar(self, observance: Observance) -> str:
        rule = observance.rule
        while rule.type == "offset":
            rule = self._by_key[str(rule.base)].rule
        return rule.type

    def _span(self, observance: Observance, year: int) -> tuple[date, date] | None:
        if year in observance.overrides:
            return observance.overrides[year]
        rule = observance.rule
        if rule.type == "offset":
            base = self._by_key[str(rule.base)]
            # The base may sit in the neighbouring year once shifted (an eve of 1 January).
            for base_year in (year, year + 1, year - 1):
                span = self._span(base, base_year)
                if span is not None:
                    start = span[0] + timedelta(days=rule.days)
                    if start.year == year:
                        return start, start + timedelta(days=rule.length - 1)
            return None
        if rule.type == "solar":
            return _solar_span(rule, year)
        if rule.type == "lunar":
            return _first_in_year(year, (_lunar_span(rule, y) for y in (year - 1, year)))
        if rule.type == "easter":
            start = easter(year) + timedelta(days=rule.days)
            return start, start + timedelta(days=rule.length - 1)
        if rule.type == "hijri":
            return _first_in_year(year, _hijri_spans(rule, year))
        if rule.type == "khmer":
            if rule.new_year:
                return _khmer_new_year_span(year)
            return _first_in_year(year, (_khmer_span(rule, y) for y in (year, year + 1)))
        raise AssertionError(rule.type)


def _words(text: str) -> str:
    return _NOT_WORD.sub(" ", fold(text)).strip()


def _first_in_year(
    year: int, spans: Iterator[tuple[date, date] | None]
) -> tuple[date, date] | None:
    inside = [s for s in spans if s is not None and s[0].year == year]
    return min(inside) if inside else None


def _clamped_solar(year: int, day: int, month: int) -> date:
    # 29/2 in a common year is 28/2: the last day of that month.
    for d in range(day, 27, -1):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, day)


def _solar_span(rule: Rule, year: int) -> tuple[date, date]:
    assert rule.start is not None
    start = _clamped_solar(year, *rule.start)
    if rule.end is None:
        return start, start
    end = _clamped_solar(year, *rule.end)
    if end < start:
        end = _clamped_solar(year + 1, *rule.end)
    return start, end


def _lunar_date(year: int, day: int, month: int) -> date:
    # Day D of month M is in the regular month M; a day the month lacks is its last day.
    return lunar.lunar_to_solar(year, month, min(day, lunar.month_length(year, month)))


def _lunar_span(rule: Rule, year: int) -> tuple[date, date] | None:
    assert rule.start is not None
    try:
        start = _lunar_date(year, *rule.start)
        if rule.end is None:
            return start, start
        end_year = year + 1 if (rule.end[1], rule.end[0]) < (rule.start[1], rule.start[0]) else year
        return start, _lunar_date(end_year, *rule.end)
    except ValueError:  # outside the supported range of the lunar calendar
        return None


def _khmer_date(year: int, day: int, month: int) -> date:
    # Day D of month M of the Khmer reckoning year named by ``year``; month 8 is the regular
    # (second) Asath of a leap-month year; a day a 29-day month lacks is its last day.
    return khmer.reckoning_to_solar(
        year, month, min(day, khmer.reckoning_month_length(year, month))
    )


def _khmer_span(rule: Rule, year: int) -> tuple[date, date] | None:
    assert rule.start is not None
    try:
        start = _khmer_date(year, *rule.start)
        if rule.end is None:
            return start, start
        end_year = year + 1 if (rule.end[1], rule.end[0]) < (rule.start[1], rule.start[0]) else year
        return start, _khmer_date(end_year, *rule.end)
    except ValueError:  # outside the supported range of the Khmer calendar
        return None


def _khmer_new_year_span(year: int) -> tuple[date, date] | None:
    if not khmer.FIRST_SOLAR_DATE.year <= year <= khmer.LAST_SOLAR_DATE.year:
        return None
    return khmer.new_year(year).days


def _hijri_date(year: int, day: int, month: int) -> date:
    first = Hijri(year, month, 1)
    return date(*Hijri(year, month, min(day, first.month_length())).to_gregorian().datetuple())


def _hijri_spans(rule: Rule, year: int) -> Iterator[tuple[date, date] | None]:
    assert rule.start is not None
    try:
        first_year = Gregorian(year, 1, 1).to_hijri().year
    except (OverflowError, ValueError):  # hijridate covers 1924-2077 only
        return
    for hijri_year in (first_year, first_year + 1):
        try:
            start = _hijri_date(hijri_year, *rule.start)
            end = start
            if rule.end is not None:
                end_year = hijri_year
                if (rule.end[1], rule.end[0]) < (rule.start[1], rule.start[0]):
                    end_year += 1
                end = _hijri_date(end_year, *rule.end)
        except (OverflowError, ValueError):
            yield None
            continue
        yield start, end


def _day_month(value: Any, where: str) -> tuple[int, int]:
    match = _DAY_MONTH.match(str(value))
    if not match:
        raise ValueError(f"{where}: ngày '{value}' phải có dạng ngày/tháng, ví dụ 15/7")
    day, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{where}: ngày '{value}' không hợp lệ")
    return day, month


def _parse_rule(spec: Mapping[str, Any], where: str) -> Rule:
    kind = spec.get("type")
    if kind == "offset":
        if not spec.get("from"):
            raise ValueError(f"{where}: quy tắc offset cần 'from'")
        return Rule(
            type="offset",
            base=str(spec["from"]),
            days=int(spec.get("days", 0)),
            length=int(spec.get("length", 1)),
        )
    if kind == "easter":
        return Rule(type="easter", days=int(spec.get("days", 0)), length=int(spec.get("length", 1)))
    if kind == "khmer":
        return _parse_khmer_rule(spec, where)
    if kind in ("solar", "lunar", "hijri"):
        if "start" not in spec:
            raise ValueError(f"{where}: quy tắc {kind} cần 'start'")
        end = _day_month(spec["end"], where) if spec.get("end") else None
        return Rule(type=kind, start=_day_month(spec["start"], where), end=end)
    raise ValueError(f"{where}: loại quy tắc '{kind}' không có; dùng một trong {CALENDARS}")


def _khmer_day_month(value: Any, where: str) -> tuple[int, int]:
    try:
        day, waning, month, adhika = khmer.parse_khmer(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    if adhika:
        raise ValueError(f"{where}: quy tắc Khmer dùng tháng Asath thường, không dùng Pathamasath")
    return (day + 15 if waning else day), month


def _parse_khmer_rule(spec: Mapping[str, Any], where: str) -> Rule:
    start = str(spec.get("start", "")).strip()
    if not start:
        raise ValueError(f"{where}: quy tắc khmer cần 'start'")
    if fold(start) in ("moha sangkran", "sangkran", "new year"):
        if spec.get("end"):
            raise ValueError(f"{where}: Tết Khmer tự có ngày kết thúc (Leungsak), bỏ 'end'")
        return Rule(type="khmer", new_year=True)
    end = _khmer_day_month(spec["end"], where) if spec.get("end") else None
    return Rule(type="khmer", start=_khmer_day_month(start, where), end=end)


def _parse_overrides(spec: Mapping[str, Any], where: str) -> dict[int, tuple[date, date]]:
    overrides: dict[int, tuple[date, date]] = {}
    for year_text, value in spec.items():
        start = value["start"]
        end = value.get("end", start)
        if not isinstance(start, date) or not isinstance(end, date) or end < start:
            raise ValueError(f"{where}: ngày thay thế năm {year_text} không hợp lệ")
        if start.year != int(year_text):
            raise ValueError(f"{where}: ngày thay thế năm {year_text} bắt đầu ở năm khác")
        overrides[int(year_text)] = (start, end)
    return overrides


def parse_catalog(document: Mapping[str, Any]) -> Catalog:
    """A catalog from a parsed TOML document; ValueError names the faulty entry."""
    observances: list[Observance] = []
    for n, spec in enumerate(document.get("observances", []), start=1):
        key = spec.get("key")
        where = f"Ngày lễ {key or f'thứ {n}'}"
        if not key or not spec.get("name") or "rule" not in spec:
            raise ValueError(f"{where}: cần có key, name và rule")
        observances.append(
            Observance(
                key=str(key),
                name=str(spec["name"]),
                rule=_parse_rule(spec["rule"], where),
                religion=spec.get("religion"),
                unit=spec.get("unit"),
                aliases=tuple(spec.get("aliases", ())),
                overrides=_parse_overrides(spec.get("overrides", {}), where),
            )
        )
    return Catalog(observances)


@lru_cache(maxsize=1)
def _bundled() -> Catalog:
    from lichct_data import resource

    return parse_catalog(tomllib.loads(resource("observances.toml").read_text("utf-8")))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog in ``path``, or the bundled ``data/observances.toml``."""
    if path is None:
        return _bundled()
    return parse_catalog(tomllib.loads(Path(path).read_text("utf-8")))


def match_observance(text: str, catalog: Catalog | None = None) -> str | None:
    """Which observance a plan item's wording is about, or None; ignores diacritics."""
    return (catalog or load_catalog()).match(text)


def describe(occurrence: Occurrence) -> str:
    """One Vietnamese line: the name, who keeps it, the solar days and the lunar date.

    An observance of the Khmer calendar states its Khmer date first, then the
    Vietnamese lunar one.
    """
    who = f" ({occurrence.religion})" if occurrence.religion else ""
    when = vn_day(occurrence.start, comma=False)
    if occurrence.end != occurrence.start:
        when += f" – {vn_day(occurrence.end, comma=False)}"
    in_lunar = f"{lunar.format_lunar(lunar.solar_to_lunar(occurrence.start))} (âm lịch)"
    if occurrence.khmer_date is not None:
        in_khmer = khmer.format_khmer(occurrence.khmer_date)
        return f"{occurrence.name}{who}: {when}, tức {in_khmer} (lịch Khmer), {in_lunar}."
    return f"{occurrence.name}{who}: {when}, tức {in_lunar}."
