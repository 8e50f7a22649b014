"""The Vietnamese lunisolar calendar (âm lịch), computed for the meridian 105°E (UTC+7).

The rules are those Hồ Ngọc Đức published for the Vietnamese calendar:

* a month starts on the local day of the new moon;
* month 11 is the month that contains the winter solstice (sun at 270°);
* a year between two months 11 that holds 13 months has a leap month: the first month
  after month 11 that contains no principal term (no multiple of 30° of solar longitude),
  and it takes the number of the month before it.

New moons and solar longitudes come from the classical low-precision series of
J. Meeus (*Astronomical Formulae for Calculators* and *Astronomical Algorithms*, ch. 25),
the same series the published Vietnamese tables use, so that borderline months land on
the same day. Every month of the supported range is computed once, on first use, into a
table; conversions are then a binary search.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "FIRST_LUNAR_YEAR",
    "FIRST_SOLAR_DATE",
    "LAST_LUNAR_YEAR",
    "LAST_SOLAR_DATE",
    "LunarDate",
    "can_chi_year",
    "format_lunar",
    "leap_month",
    "lunar_to_solar",
    "month_length",
    "months_of_year",
    "solar_to_lunar",
]

# Local time of the Vietnamese calendar: UTC+7, in hours.
TIME_ZONE = 7.0
# Julian Day Number of a civil date = date.toordinal() + this.
_JDN_OFFSET = 1_721_425
_RAD = math.pi / 180
# Mean synodic month, days; new moon number k = 0 fell on 1900-01-01.
_SYNODIC = 29.530588853
_K0_JD = 2_415_020.75933

# The table covers the months 11 from solar year 1898 to 2102: lunar years 1899-2101
# in full, hence every solar day of 1900-2100 with a margin.
_FIRST_SOLSTICE_YEAR = 1898
_LAST_SOLSTICE_YEAR = 2102

FIRST_SOLAR_DATE = date(1900, 1, 1)
LAST_SOLAR_DATE = date(2100, 12, 31)
FIRST_LUNAR_YEAR = _FIRST_SOLSTICE_YEAR + 1
LAST_LUNAR_YEAR = _LAST_SOLSTICE_YEAR - 1

_CAN = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_CHI = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")
_MONTH_NAMES = (
    "Giêng",
    "Hai",
    "Ba",
    "Tư",
    "Năm",
    "Sáu",
    "Bảy",
    "Tám",
    "Chín",
    "Mười",
    "Mười Một",
    "Chạp",
)


@dataclass(frozen=True)
class LunarDate:
    """A day of the Vietnamese lunar calendar; ``leap`` marks the leap (nhuận) month."""

    year: int
    month: int
    day: int
    leap: bool = False


def _new_moon_day(k: int) -> int:
    """Local (UTC+7) Julian Day Number of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    jde = _K0_JD + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jde += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _RAD)
    sun_anomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _RAD
    moon_anomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _RAD
    latitude_arg = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _RAD
    m, mp, f = sun_anomaly, moon_anomaly, latitude_arg
    correction = (
        (0.1734 - 0.000393 * t) * math.sin(m)
        + 0.0021 * math.sin(2 * m)
        - 0.4068 * math.sin(mp)
        + 0.0161 * math.sin(2 * mp)
        - 0.0004 * math.sin(3 * mp)
        + 0.0104 * math.sin(2 * f)
        - 0.0051 * math.sin(m + mp)
        - 0.0074 * math.sin(m - mp)
        + 0.0004 * math.sin(2 * f + m)
        - 0.0004 * math.sin(2 * f - m)
        - 0.0006 * math.sin(2 * f + mp)
        + 0.0010 * math.sin(2 * f - mp)
        + 0.0005 * math.sin(2 * mp + m)
    )
    # Dynamical time minus universal time (days), adequate for 1900-2100.
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    jd_ut = jde + correction - delta_t
    return math.floor(jd_ut + 0.5 + TIME_ZONE / 24)


def _sun_sector(jdn: int) -> int:
    """Which 30° sector (0-11) the sun's apparent longitude is in at local midnight of ``jdn``."""
    t = (jdn - 2_451_545.5 - TIME_ZONE / 24) / 36525
    t2 = t * t
    mean_anomaly = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _RAD
    mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    centre = (
        (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(mean_anomaly)
        + (0.019993 - 0.000101 * t) * math.sin(2 * mean_anomaly)
        + 0.000290 * math.sin(3 * mean_anomaly)
    )
    longitude = (mean_longitude + centre) % 360.0
    return int(longitude // 30)


@dataclass(frozen=True)
class _Table:
    """Every lunar month of the range: start (ordinal), and its (year, month, leap)."""

    starts: list[int]
    labels: list[tuple[int, int, bool]]
    index: dict[tuple[int, int, bool], int]
    leaps: dict[int, int]


@lru_cache(maxsize=1)
def _table() -> _Table:
    first_k = math.floor((date(_FIRST_SOLSTICE_YEAR, 11, 1).toordinal() - 693_596) / _SYNODIC) - 1
    last_k = math.floor((date(_LAST_SOLSTICE_YEAR, 12, 31).toordinal() - 693_596) / _SYNODIC) + 2
    moons = [_new_moon_day(k) for k in range(first_k, last_k + 1)]
    sectors = [_sun_sector(jdn) for jdn in moons]
    # Month 11 holds the winter solstice: its start is before 270°, the next start is not.
    elevens = [i for i in range(len(moons) - 1) if sectors[i] < 9 <= sectors[i + 1]]

    starts: list[int] = []
    labels: list[tuple[int, int, bool]] = []
    leaps: dict[int, int] = {}
    for a, b in itertools.pairwise(elevens):
        solstice_year = date.fromordinal(moons[a] - _JDN_OFFSET).year
        leap_offset = None
        if b - a == 13:
            leap_offset = next(j for j in range(1, 13) if sectors[a + j] == sectors[a + j + 1])
        number, year = 10, solstice_year
        for offset in range(b - a):
            leap = offset == leap_offset
            if not leap:
                number = number % 12 + 1
                if number == 1:
                    year = solstice_year + 1
            if leap:
                leaps[year] = number
            starts.append(moons[a + offset] - _JDN_OFFSET)
            labels.append((year, number, leap))
    starts.append(moons[elevens[-1]] - _JDN_OFFSET)  # end sentinel
    index = {label: i for i, label in enumerate(labels)}
    return _Table(starts=starts, labels=labels, index=index, leaps=leaps)


def _check_solar(d: date) -> None:
    if not FIRST_SOLAR_DATE <= d <= LAST_SOLAR_DATE:
        raise ValueError(
            f"Ngày {d:%d/%m/%Y} nằm ngoài khoảng lịch âm hỗ trợ "
            f"({FIRST_SOLAR_DATE:%d/%m/%Y}–{LAST_SOLAR_DATE:%d/%m/%Y})"
        )


def _month_index(year: int, month: int, leap: bool) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"Tháng âm lịch phải từ 1 đến 12, không phải {month}")
    if not FIRST_LUNAR_YEAR <= year <= LAST_LUNAR_YEAR:
        raise ValueError(
            f"Năm âm lịch {year} nằm ngoài khoảng hỗ trợ ({FIRST_LUNAR_YEAR}–{LAST_LUNAR_YEAR})"
        )
    try:
        return _table().index[(year, month, leap)]
    except KeyError:
        if leap:
            raise ValueError(f"Năm âm lịch {year} không có tháng {month} nhuận") from None
        raise ValueError(f"Năm âm lịch {year} không có tháng {month}") from None


def solar_to_lunar(d: date) -> LunarDate:
    """The Vietnamese lunar date of a solar (Gregorian) date."""
    _check_solar(d)
    table = _table()
    ordinal = d.toordinal()
    i = bisect.bisect_right(table.starts, ordinal) - 1
    year, month, leap = table.labels[i]
    return LunarDate(year=year, month=month, day=ordinal - table.starts[i] + 1, leap=leap)


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The solar date of a lunar date; ValueError if that day does not exist."""
    i = _month_index(year, month, leap)
    table = _table()
    length = table.starts[i + 1] - table.starts[i]
    if not 1 <= day <= length:
        name = f"Tháng {month}{' nhuận' if leap else ''} năm {year}"
        raise ValueError(f"{name} (âm lịch) có {length} ngày, không có ngày {day}")
    result = date.fromordinal(table.starts[i] + day - 1)
    _check_solar(result)
    return result


def month_length(year: int, month: int, leap: bool = False) -> int:
    """Number of days (29 or 30) of a lunar month."""
    i = _month_index(year, month, leap)
    table = _table()
    return table.starts[i + 1] - table.starts[i]


def leap_month(year: int) -> int | None:
    """The number of the leap month of a lunar year, or None in a 12-month year."""
    _month_index(year, 1, False)
    return _table().leaps.get(year)


def months_of_year(year: int) -> list[tuple[int, bool]]:
    """The months of a lunar year in order, as (number, leap): 12 or 13 of them."""
    first = _month_index(year, 1, False)
    table = _table()
    months: list[tuple[int, bool]] = []
    for label in table.labels[first:]:
        if label[0] != year:
            break
        months.append((label[1], label[2]))
    return months


def can_chi_year(year: int) -> str:
    """The sexagenary (Can Chi) name of a lunar year: 2024 -> "Giáp Thìn"."""
    return f"{_CAN[(year + 6) % 10]} {_CHI[(year + 8) % 12]}"


def _day_words(day: int) -> str:
    if day == 15:
        return "rằm"
    if day <= 10:
        return f"mùng {day}"
    return f"ngày {day}"


def month_name(month: int, leap: bool = False) -> str:
    """A lunar month as people say it: 1 -> "tháng Giêng", 4 leap -> "tháng Tư nhuận"."""
    return f"tháng {_MONTH_NAMES[month - 1]}{' nhuận' if leap else ''}"


def format_lunar(ld: LunarDate) -> str:
    """A lunar date the way people say it: "rằm tháng Bảy năm Giáp Thìn"."""
    month = f"tháng {_MONTH_NAMES[ld.month - 1]}{' nhuận' if ld.leap else ''}"
    return f"{_day_words(ld.day)} {month} năm {can_chi_year(ld.year)}"
