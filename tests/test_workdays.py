"""Working days: weekends, public holidays and the decided Tết days off move deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from calendars.workdays import is_working_day, last_working_day_of_month, previous_working_day


def test_an_ordinary_tuesday_is_a_working_day() -> None:
    assert is_working_day(date(2024, 5, 21))
    assert previous_working_day(date(2024, 5, 21)) == date(2024, 5, 21)


def test_a_weekend_deadline_moves_to_friday() -> None:
    assert previous_working_day(date(2024, 6, 30)) == date(2024, 6, 28)
    assert previous_working_day(date(2024, 6, 29)) == date(2024, 6, 28)


def test_a_deadline_in_the_tet_break_moves_before_it() -> None:
    # Tết Giáp Thìn: days off 08/02-14/02/2024.
    assert not is_working_day(date(2024, 2, 8))
    assert previous_working_day(date(2024, 2, 14)) == date(2024, 2, 7)


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 1, 1),
        date(2024, 4, 18),  # Giỗ Tổ Hùng Vương
        date(2024, 4, 29),  # swapped with Saturday 04/05
        date(2024, 4, 30),
        date(2024, 5, 1),
        date(2024, 9, 2),
        date(2024, 9, 3),
        date(2025, 1, 27),
        date(2025, 5, 2),
    ],
)
def test_public_holidays_and_decided_days_off_are_not_working_days(day: date) -> None:
    assert not is_working_day(day)


def test_last_working_day_of_a_month() -> None:
    assert last_working_day_of_month(2024, 5) == date(2024, 5, 31)  # a Friday
    assert last_working_day_of_month(2024, 8) == date(2024, 8, 30)  # 31 is a Saturday
    assert last_working_day_of_month(2024, 3) == date(2024, 3, 29)  # 30-31 weekend
    assert last_working_day_of_month(2025, 1) == date(2025, 1, 24)  # Tết Ất Tỵ from 25/01
    assert last_working_day_of_month(2024, 2) == date(2024, 2, 29)
