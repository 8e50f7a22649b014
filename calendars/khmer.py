"""The Khmer lunisolar calendar (Chhankitek, ចន្ទគតិ) and the Khmer New Year (Moha Sangkran).

The rules are the arithmetic ones of Roath Kim Soeun's *Pratitin Soryakkatik-Chankatik*
(1900-1999, 2000-2099), as described publicly for the calendar's "computer method". For a
Buddhist-era year ``be`` (the era in force when the year's Āsāḍha falls):

* aharkun (អាហារគុណ) = ⌊(be·292207 + 499) / 800⌋ + 4, the days elapsed since the era
  at the mean solar year of 292207/800 days; kromathopol (ក្រមធុពល) = 800 − the
  remainder of that division: a year whose kromathopol is at most 207 is a Khmer solar
  leap year (366 days).
* avoman (អាវមាន) = (11·aharkun + 25) mod 692: the year has a leap day (Adhikavāra,
  a 30-day Jyeṣṭha) when avoman ≤ 126 in a solar leap year, ≤ 137 otherwise; except
  that avoman 137 followed by a year of avoman 0 is a common year.
* bodithey (បូតិថី) = (⌊(11·aharkun + 25) / 692⌋ + aharkun + 29) mod 30: the year has a
  leap month (Adhikameas, Āsāḍha doubled) when bodithey ≥ 25 or ≤ 5; except that 25
  followed by 5 is not a leap-month year while 24 followed by 6 is one (these keep two
  leap months from following each other).
* A year that would have both takes only the leap month, and its leap day passes to the
  next year.

Months alternate 29 and 30 days from Mikasir (29); a common year has 354 days, a
leap-day year 355, a leap-month year 384. The calendar is counted from the published
epoch 1 January 1900 = 1 kert (waxing) of Boss. A month's days are 1-15 kert (waxing)
then 1-14 or 1-15 roach (waning). The Buddhist era in use advances on 1 roach of Pisakh,
the day after Visākha Bochea.

The New Year follows the same mean-sun reckoning counted in the Jolak Sakaraj era
(JS = Gregorian year − 638): the year turns (Leungsak) at (JS·292207 + 373)/800 days
after the era's epoch, 22 March 638 (Julian), and the sun enters Mesa (Moha Sangkran)
1732/800 of a day earlier. The days in between are Vanabat: one, or two when Moha
Sangkran falls late in the evening, which makes the festival four days long.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = [
    "FIRST_SOLAR_DATE",
    "LAST_SOLAR_DATE",
    "MONTHS",
    "KhmerDate",
    "NewYear",
    "aharkun",
    "avoman",
    "bodithey",
    "format_khmer",
    "has_leap_day",
    "has_leap_month",
    "khmer_to_solar",
    "kromathopol",
    "month_length",
    "months_of_year",
    "new_year",
    "parse_khmer",
    "reckoning_month_length",
    "reckoning_to_solar",
    "solar_to_khmer",
    "year_length",
]

# Month names (romanized Khmer as Khmer pagodas in Vietnam and Cambodia write them) and
# the Sanskrit/Pali names; index 0 is month 1.
MONTHS = (
    "Mikasir",
    "Boss",
    "Meak",
    "Phalkun",
    "Chet",
    "Pisakh",
    "Jesth",
    "Asath",
    "Srap",
    "Bhadrapada",
    "Assoch",
    "Kattik",
)
_SANSKRIT = (
    "Mārgaśira",
    "Pauṣa",
    "Māgha",
    "Phālguna",
    "Caitra",
    "Vaiśākha",
    "Jyeṣṭha",
    "Āsāḍha",
    "Śrāvaṇa",
    "Bhādrapada",
    "Āśvina",
    "Kārttika",
)
# Other spellings accepted on input (compared without case, spaces or hyphens).
_ALIASES = {
    1: ("mikasir", "migasir", "mekasay", "margasira", "margasirsa", "makasir"),
    2: ("boss", "bos", "pous", "pausa", "pusya", "bois"),
    3: ("meak", "magha", "meakh"),
    4: ("phalkun", "phalguna", "phalkuna", "phalgun"),
    5: ("chet", "cheth", "chaet", "chaitra", "caitra", "cheat"),
    6: ("pisakh", "pisak", "visakh", "visak", "vaisakha", "visakha", "pisakha"),
    7: ("jesth", "ches", "jais", "jays", "jyestha", "jyeshtha", "chesth"),
    8: ("asath", "asadha", "ashadha", "asadh", "asat"),
    9: ("srap", "srapoan", "sravana", "srapon", "srab"),
    10: ("bhadrapada", "photrobot", "phatrabot", "pheaktrabot", "bhadra", "phutrobot"),
    11: ("assoch", "asoch", "asvina", "ashvina", "assuj", "asuj", "asoj"),
    12: ("kattik", "kadeuk", "kartika", "kattika", "kadek", "kadoek"),
}
_FIRST_ASATH = ("pathamasath", "pathamaasath", "pathamasadha", "asath1", "asadha1")
_SECOND_ASATH = ("tutiyasath", "tutiyaasath", "dutiyasath", "dutiyasadha", "asath2", "asadha2")
_ASATH = 8
_JESTH = 7
_PISAKH = 6

# Chhankitek constants: the mean solar year is 292207/800 days.
_YEAR_UNITS = 292_207
_DAY_UNITS = 800
# Epoch of the day count: 1 January 1900 is 1 kert of Boss, so 1 kert of Mikasir (29 days)
# that opens the reckoning year 1900 is 3 December 1899.
_EPOCH_FIRST_MIKASIR = date(1899, 12, 3)
_FIRST_YEAR = 1900  # reckoning years are named by the Gregorian year of their Āsāḍha
_LAST_YEAR = 2102
FIRST_SOLAR_DATE = date(1900, 1, 1)
LAST_SOLAR_DATE = date(2100, 12, 31)
# Buddhist era = Gregorian year + 544 from 1 roach of Pisakh to the end of the calendar
# year, + 543 before.
_BE_OFFSET = 544
# Jolak Sakaraj era: its epoch, 22 March 638 (Julian), as a proleptic-Gregorian ordinal,
# and the distance from Leungsak back to Moha Sangkran, in 800ths of a day.
_JS_EPOCH_ORDINAL = date(638, 3, 25).toordinal()  # 22 March 638 Julian = 25 March Gregorian
_JS_OFFSET = 638
_SANGKRAN_BEFORE_LEUNGSAK = 1732


@dataclass(frozen=True)
class KhmerDate:
    """A day of the Khmer lunisolar calendar.

    ``year`` is the Buddhist era (ព.ស.) in use that day; ``month`` 1 (Mikasir) to 12
    (Kattik); ``day`` 1-30 counted from the month's 1 kert; ``adhika`` marks the first,
    added Āsāḍha (Pathamasath) of a leap-month year (the second is month 8 as usual).
    """

    year: int
    month: int
    day: int
    adhika: bool = False

    @property
    def waning(self) -> bool:
        """True from 1 roach (the day after the full moon) to the month's end."""
        return self.day > 15

    @property
    def moon_day(self) -> int:
        """The day as it is said: 1-15 kert, then 1-15 roach."""
        return self.day - 15 if self.day > 15 else self.day

    def __str__(self) -> str:
        return format_khmer(self, with_year=True)


@dataclass(frozen=True)
class NewYear:
    """The Khmer New Year of a Gregorian year: Moha Sangkran, Vanabat and Leungsak."""

    sangkran: datetime  # the moment the sun enters Mesa, local time (UTC+7), naive
    vanabat: tuple[date, ...]  # one day, or two
    leungsak: date  # the day the era (Sak) is raised

    @property
    def days(self) -> tuple[date, date]:
        """First and last day of the festival: Moha Sangkran day to Leungsak day."""
        return self.sangkran.date(), self.leungsak


def _checked_be(be: int) -> int:
    if not isinstance(be, int) or be < 1:
        raise ValueError(f"Năm Phật lịch không hợp lệ: {be!r}")
    return be


def aharkun(be: int) -> int:
    """Days elapsed at the start of Buddhist-era year ``be`` (អាហារគុណ)."""
    return (_checked_be(be) * _YEAR_UNITS + 499) // _DAY_UNITS + 4


def kromathopol(be: int) -> int:
    """What remains of the day (in 800ths) at the turn of ``be`` (ក្រមធុពល), 1-800."""
    return _DAY_UNITS - (_checked_be(be) * _YEAR_UNITS + 499) % _DAY_UNITS


def avoman(be: int) -> int:
    """The lunar-day excess of year ``be`` (អាវមាន), 0-691."""
    return (11 * aharkun(be) + 25) % 692


def bodithey(be: int) -> int:
    """The lunar day on which year ``be`` begins (បូតិថី), 0-29."""
    a = aharkun(be)
    return ((11 * a + 25) // 692 + a + 29) % 30


def _solar_leap(be: int) -> bool:
    return kromathopol(be) <= 207


def _wants_leap_month(be: int) -> bool:
    b = bodithey(be)
    if b == 24 and bodithey(be + 1) == 6:
        return True
    if b == 25 and bodithey(be + 1) == 5:
        return False
    return b >= 25 or b <= 5


def _wants_leap_day(be: int) -> bool:
    a = avoman(be)
    if _solar_leap(be):
        return a <= 126
    if a == 137 and avoman(be + 1) == 0:
        return False
    return a <= 137


def has_leap_month(be: int) -> bool:
    """Whether year ``be`` has two Āsāḍha (Adhikameas)."""
    return _wants_leap_month(be)


def has_leap_day(be: int) -> bool:
    """Whether year ``be`` has a 30-day Jyeṣṭha (Adhikavāra), after the carrying rule."""
    if _wants_leap_month(be):
        return False
    if _wants_leap_day(be):
        return True
    # A year that wanted both keeps the leap month and hands its leap day on.
    return _wants_leap_month(be - 1) and _wants_leap_day(be - 1)


@lru_cache(maxsize=512)
def _months(year: int) -> tuple[tuple[int, bool, int], ...]:
    """(month, adhika, days) of reckoning ``year`` (Mikasir .. Kattik)."""
    be = year + _BE_OFFSET
    leap_month, leap_day = has_leap_month(be), has_leap_day(be)
    months: list[tuple[int, bool, int]] = []
    for month in range(1, 13):
        days = 29 if month % 2 else 30
        if month == _JESTH and leap_day:
            days = 30
        if month == _ASATH and leap_month:
            months.append((month, True, 30))
        months.append((month, False, days))
    return tuple(months)


@dataclass(frozen=True)
class _Table:
    """First day (ordinal) of every reckoning year in range, plus one end sentinel."""

    starts: list[int]


@lru_cache(maxsize=1)
def _table() -> _Table:
    starts = [_EPOCH_FIRST_MIKASIR.toordinal()]
    for year in range(_FIRST_YEAR, _LAST_YEAR + 1):
        starts.append(starts[-1] + sum(days for _, _, days in _months(year)))
    return _Table(starts=starts)


def year_length(be: int) -> int:
    """Days in the Khmer year whose Āsāḍha falls in Buddhist-era year ``be``."""
    return sum(days for _, _, days in _months(be - _BE_OFFSET))


def months_of_year(be: int) -> list[tuple[int, bool]]:
    """The months of that year in order, as (month, adhika): 12 or 13 of them."""
    return [(m, a) for m, a, _ in _months(be - _BE_OFFSET)]


def _reckoning_year(be: int, month: int, adhika: bool, day: int) -> int:
    # Mikasir .. 15 kert Pisakh still count in the previous Buddhist era.
    if month < _PISAKH or (month == _PISAKH and day <= 15):
        return be - _BE_OFFSET + 1
    return be - _BE_OFFSET


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"Tháng Khmer phải từ 1 (Mikasir) đến 12 (Kattik), không phải {month}")


def month_length(be: int, month: int, adhika: bool = False) -> int:
    """Days (29 or 30) of a month; ``be`` is the era in use at that month's full moon."""
    _check_month(month)
    year = _reckoning_year(be, month, adhika, 15)
    for m, a, days in _months(year):
        if (m, a) == (month, adhika):
            return days
    raise ValueError(f"Năm Phật lịch {be} không có hai tháng Asath (không phải năm nhuận tháng)")


def solar_to_khmer(d: date) -> KhmerDate:
    """The Khmer date of a solar (Gregorian) date, 1900-2100."""
    if not FIRST_SOLAR_DATE <= d <= LAST_SOLAR_DATE:
        raise ValueError(
            f"Ngày {d:%d/%m/%Y} nằm ngoài khoảng lịch Khmer hỗ trợ "
            f"({FIRST_SOLAR_DATE:%d/%m/%Y}–{LAST_SOLAR_DATE:%d/%m/%Y})"
        )
    starts = _table().starts
    ordinal = d.toordinal()
    i = bisect.bisect_right(starts, ordinal) - 1
    year = _FIRST_YEAR + i
    offset = ordinal - starts[i]
    for month, adhika, days in _months(year):
        if offset < days:
            day = offset + 1
            before_era = month < _PISAKH or (month == _PISAKH and day <= 15)
            be = year + _BE_OFFSET - (1 if before_era else 0)
            return KhmerDate(year=be, month=month, day=day, adhika=adhika)
        offset -= days
    raise AssertionError("day beyond its reckoning year")


def khmer_to_solar(
    be: int, month: int, day: int, waning: bool | None = None, adhika: bool = False
) -> date:
    """The solar date of a Khmer date; ValueError if that day does not exist.

    ``day`` is 1-30 from the month's start, or, with ``waning`` given, 1-15 kert
    (``waning=False``) or 1-15 roach (``waning=True``). ``be`` is the Buddhist era in use
    on that day (it advances on 1 roach Pisakh).
    """
    _check_month(month)
    if waning is not None:
        if not 1 <= day <= 15:
            raise ValueError(
                f"Ngày {'roach' if waning else 'kert'} phải từ 1 đến 15, không phải {day}"
            )
        day = day + 15 if waning else day
    if not 1 <= day <= 30:
        raise ValueError(f"Ngày trong tháng Khmer phải từ 1 đến 30, không phải {day}")
    year = _reckoning_year(_checked_be(be), month, adhika, day)
    return reckoning_to_solar(year, month, day, adhika)


def reckoning_month_length(year: int, month: int, adhika: bool = False) -> int:
    """Days of a month of the reckoning year named by Gregorian ``year``.

    The reckoning year runs from Mikasir (which begins in November or December of the year
    before) to Kattik, so that its Āsāḍha falls in ``year``.
    """
    _check_month(month)
    for m, a, days in _months(year):
        if (m, a) == (month, adhika):
            return days
    raise ValueError(f"Năm {year} không có hai tháng Asath (không phải năm nhuận tháng Adhikameas)")


def reckoning_to_solar(year: int, month: int, day: int, adhika: bool = False) -> date:
    """Day 1-30 of a month of the reckoning year named by Gregorian ``year``."""
    _check_month(month)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ValueError(f"Năm {year} nằm ngoài khoảng lịch Khmer hỗ trợ")
    ordinal = _table().starts[year - _FIRST_YEAR]
    for m, a, days in _months(year):
        if (m, a) == (month, adhika):
            if not 1 <= day <= days:
                raise ValueError(
                    f"Tháng {_month_label(month, adhika, year)} năm Phật lịch "
                    f"{year + _BE_OFFSET} có {days} ngày, không có {_moon_words(day)}"
                )
            result = date.fromordinal(ordinal + day - 1)
            if not FIRST_SOLAR_DATE <= result <= LAST_SOLAR_DATE:
                raise ValueError(f"Ngày {result:%d/%m/%Y} nằm ngoài khoảng lịch Khmer hỗ trợ")
            return result
        ordinal += days
    raise ValueError(
        f"Năm Phật lịch {year + _BE_OFFSET} không có hai tháng Asath "
        "(không phải năm nhuận tháng Adhikameas)"
    )


def new_year(year: int) -> NewYear:
    """The Khmer New Year (Chol Chnam Thmay) of Gregorian ``year``."""
    js = year - _JS_OFFSET
    if js < 1:
        raise ValueError(f"Năm {year} trước kỷ nguyên Jolak Sakaraj")
    units = js * _YEAR_UNITS + 373  # 800ths of a day since the era's epoch (local midnight)
    leungsak_units = units
    sangkran_units = units - _SANGKRAN_BEFORE_LEUNGSAK
    leungsak = date.fromordinal(_JS_EPOCH_ORDINAL + leungsak_units // _DAY_UNITS)
    sangkran_day = date.fromordinal(_JS_EPOCH_ORDINAL + sangkran_units // _DAY_UNITS)
    seconds = (sangkran_units % _DAY_UNITS) * 86_400 // _DAY_UNITS
    sangkran = datetime.combine(sangkran_day, datetime.min.time()) + timedelta(seconds=seconds)
    vanabat = tuple(
        sangkran_day + timedelta(days=n) for n in range(1, (leungsak - sangkran_day).days)
    )
    return NewYear(sangkran=sangkran, vanabat=vanabat, leungsak=leungsak)


def _moon_words(day: int) -> str:
    return f"{day - 15} roach" if day > 15 else f"{day} kert"


def _month_label(month: int, adhika: bool, year: int | None = None) -> str:
    if month == _ASATH and year is not None and has_leap_month(year + _BE_OFFSET):
        return "Pathamasath (Asath thứ nhất)" if adhika else "Tutiyasath (Asath thứ hai)"
    return MONTHS[month - 1]


def format_khmer(kd: KhmerDate, with_year: bool = True) -> str:
    """A Khmer date as people write it: "14 roach tháng Bhadrapada, Phật lịch 2569"."""
    year = _reckoning_year(kd.year, kd.month, kd.adhika, kd.day)
    text = f"{_moon_words(kd.day)} tháng {_month_label(kd.month, kd.adhika, year)}"
    return f"{text}, Phật lịch {kd.year}" if with_year else text


_NOT_LETTER = re.compile(r"[\s\-_.'’]+")
_KHMER_INPUT = re.compile(
    r"^\s*(\d{1,2})\s*(kert|keit|ket|koet|roach|roj|roch|rouch|waxing|waning)\s*(?:tháng\s+|thang\s+|khe\s+)?(.+?)\s*$",
    re.IGNORECASE,
)
_WANING_WORDS = ("roach", "roj", "roch", "rouch", "waning")


def _month_by_name(text: str) -> tuple[int, bool | None]:
    """(month, adhika) for a month name; adhika None when the name does not say."""
    key = _NOT_LETTER.sub("", re.sub(r"\(.*?\)", "", text).lower())
    for n, name in enumerate(_SANSKRIT, start=1):
        if key == _NOT_LETTER.sub("", name.lower()):
            return n, None
    if key in _FIRST_ASATH:
        return _ASATH, True
    if key in _SECOND_ASATH:
        return _ASATH, False
    for month, names in _ALIASES.items():
        if key in names:
            return month, None
    raise ValueError(
        f"Không nhận ra tên tháng Khmer {text!r}; dùng một trong: {', '.join(MONTHS)}, "
        "Pathamasath, Tutiyasath"
    )


def parse_khmer(text: str) -> tuple[int, bool, int, bool | None]:
    """Read "14 roach Bhadrapada" as (day 1-15, waning, month, adhika or None)."""
    match = _KHMER_INPUT.match(text)
    if not match:
        raise ValueError(
            f"Ngày Khmer không hợp lệ: {text!r} (cần dạng '14 roach Bhadrapada' hoặc "
            "'15 kert Kattik')"
        )
    day = int(match[1])
    if not 1 <= day <= 15:
        raise ValueError(f"Ngày kert/roach phải từ 1 đến 15, không phải {day}")
    waning = match[2].lower() in _WANING_WORDS
    month, adhika = _month_by_name(match[3])
    return day, waning, month, adhika
