"""The Vietnamese lunar calendar: known dates, identities over the whole range, edge errors."""

from __future__ import annotations

from datetime import date, timedelta

import lunar_vn
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lunardate import LunarDate as ChineseLunarDate

from calendars.lunar import (
    FIRST_SOLAR_DATE,
    LAST_SOLAR_DATE,
    LunarDate,
    can_chi_year,
    format_lunar,
    leap_month,
    lunar_to_solar,
    month_length,
    months_of_year,
    solar_to_lunar,
)


def _all_days() -> list[date]:
    days, d = [], FIRST_SOLAR_DATE
    while d <= LAST_SOLAR_DATE:
        days.append(d)
        d += timedelta(days=1)
    return days


def test_tet_2030_is_2_february_in_vietnam_not_3_as_in_china() -> None:
    assert lunar_to_solar(2030, 1, 1) == date(2030, 2, 2)
    assert solar_to_lunar(date(2030, 2, 2)) == LunarDate(2030, 1, 1, False)
    assert ChineseLunarDate(2030, 1, 1).to_solar_date() == date(2030, 2, 3)


def test_vu_lan_2025_falls_in_the_regular_seventh_month_after_the_leap_sixth() -> None:
    assert leap_month(2025) == 6
    assert lunar_to_solar(2025, 7, 15) == date(2025, 9, 6)
    assert lunar_to_solar(2025, 6, 15, leap=True) == date(2025, 8, 8)
    assert lunar_to_solar(2025, 6, 15) == date(2025, 7, 9)


@pytest.mark.parametrize(
    ("lunar", "solar"),
    [
        ((2024, 1, 1), date(2024, 2, 10)),
        ((2024, 1, 8), date(2024, 2, 17)),
        ((2024, 4, 15), date(2024, 5, 22)),
        ((2024, 7, 15), date(2024, 8, 18)),
        ((2024, 8, 15), date(2024, 9, 17)),
        ((2024, 8, 29), date(2024, 10, 1)),
        ((2024, 9, 1), date(2024, 10, 3)),
        ((2024, 10, 15), date(2024, 11, 15)),
        ((2023, 1, 1), date(2023, 1, 22)),
        ((2025, 1, 1), date(2025, 1, 29)),
        ((2026, 1, 1), date(2026, 2, 17)),
        ((1985, 1, 1), date(1985, 1, 21)),  # a month before China's Tết that year
    ],
)
def test_known_dates_of_the_2024_plan_and_recent_tet(
    lunar: tuple[int, int, int], solar: date
) -> None:
    assert lunar_to_solar(*lunar) == solar
    assert solar_to_lunar(solar) == LunarDate(*lunar, leap=False)


def test_leap_months_of_recent_years() -> None:
    assert leap_month(2020) == 4
    assert leap_month(2023) == 2
    assert leap_month(2024) is None
    assert leap_month(2028) == 5
    assert len(months_of_year(2025)) == 13
    assert (6, True) in months_of_year(2025)


def test_solar_to_lunar_to_solar_is_the_identity_for_every_day_1900_2100() -> None:
    for d in _all_days():
        ld = solar_to_lunar(d)
        assert lunar_to_solar(ld.year, ld.month, ld.day, ld.leap) == d


@pytest.mark.slow
def test_every_day_1900_2100_matches_the_lunar_vn_package() -> None:
    for d in _all_days():
        ours = solar_to_lunar(d)
        theirs = lunar_vn.solar_to_lunar(d)
        assert (ours.year, ours.month, ours.day, ours.leap) == (
            theirs.year,
            theirs.month,
            theirs.day,
            theirs.leap,
        ), d


# Years in which the Chinese (UTC+8) and Vietnamese (UTC+7) calendars agree on every day.
_AGREEING_YEARS = [*range(1990, 1995), *range(2010, 2018), *range(2022, 2030), 2042, 2043]


@pytest.mark.parametrize("year", _AGREEING_YEARS)
def test_agrees_with_the_chinese_calendar_where_both_coincide(year: int) -> None:
    d = date(year, 1, 1)
    while d.year == year:
        chinese = ChineseLunarDate.from_solar_date(d.year, d.month, d.day)
        assert solar_to_lunar(d) == LunarDate(
            chinese.year, chinese.month, chinese.day, chinese.is_leap_month
        ), d
        d += timedelta(days=1)


@given(st.integers(min_value=1900, max_value=2100))
def test_each_lunar_year_has_12_or_13_months_of_29_or_30_days(year: int) -> None:
    months = months_of_year(year)
    assert len(months) == (13 if leap_month(year) else 12)
    assert [m for m, leap in months if not leap] == list(range(1, 13))
    for number, leap in months:
        assert month_length(year, number, leap) in (29, 30)
    total = sum(month_length(year, m, leap) for m, leap in months)
    assert total in ((383, 384, 385) if leap_month(year) else (353, 354, 355))


@given(
    st.integers(min_value=1900, max_value=2100),
    st.integers(min_value=1, max_value=13),
    st.integers(min_value=1, max_value=30),
)
def test_lunar_to_solar_to_lunar_is_the_identity_for_every_existing_day(
    year: int, position: int, day: int
) -> None:
    months = months_of_year(year)
    month, leap = months[(position - 1) % len(months)]
    if day > month_length(year, month, leap):
        with pytest.raises(ValueError):
            lunar_to_solar(year, month, day, leap)
        return
    try:
        solar = lunar_to_solar(year, month, day, leap)
    except ValueError:  # the last lunar months of 2100 fall in 2101, outside the range
        assert year == 2100 and month >= 11
        return
    assert solar_to_lunar(solar) == LunarDate(year, month, day, leap)


@given(st.dates(min_value=FIRST_SOLAR_DATE, max_value=LAST_SOLAR_DATE))
def test_consecutive_days_advance_the_lunar_day_or_start_a_month(d: date) -> None:
    if d == LAST_SOLAR_DATE:
        return
    today, tomorrow = solar_to_lunar(d), solar_to_lunar(d + timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day == month_length(today.year, today.month, today.leap)
    else:
        assert (tomorrow.year, tomorrow.month, tomorrow.leap, tomorrow.day) == (
            today.year,
            today.month,
            today.leap,
            today.day + 1,
        )


@pytest.mark.parametrize(
    "args",
    [
        (2024, 1, 30),  # tháng Giêng of Giáp Thìn has 29 days
        (2024, 13, 1),
        (2024, 0, 1),
        (2024, 6, 1, True),  # 2024 has no leap month
        (2025, 7, 1, True),  # 2025's leap month is the sixth
        (2024, 1, 0),
        (1800, 1, 1),
        (2300, 1, 1),
    ],
)
def test_impossible_lunar_dates_are_refused(args: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(*args)  # type: ignore[arg-type]


def test_solar_dates_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match="ngoài khoảng"):
        solar_to_lunar(date(1899, 12, 31))
    with pytest.raises(ValueError, match="ngoài khoảng"):
        solar_to_lunar(date(2101, 1, 1))


def test_can_chi_names_of_years() -> None:
    assert can_chi_year(2024) == "Giáp Thìn"
    assert can_chi_year(2030) == "Canh Tuất"
    assert can_chi_year(2023) == "Quý Mão"
    assert can_chi_year(2025) == "Ất Tỵ"
    assert can_chi_year(1945) == "Ất Dậu"


def test_lunar_dates_read_the_way_people_say_them() -> None:
    assert format_lunar(solar_to_lunar(date(2024, 8, 18))) == "rằm tháng Bảy năm Giáp Thìn"
    assert format_lunar(solar_to_lunar(date(2024, 2, 17))) == "mùng 8 tháng Giêng năm Giáp Thìn"
    assert format_lunar(LunarDate(2024, 8, 29)) == "ngày 29 tháng Tám năm Giáp Thìn"
    assert format_lunar(LunarDate(2025, 6, 15, True)) == "rằm tháng Sáu nhuận năm Ất Tỵ"
    assert format_lunar(LunarDate(2024, 12, 30)) == "ngày 30 tháng Chạp năm Giáp Thìn"
