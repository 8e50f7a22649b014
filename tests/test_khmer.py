"""The Khmer lunisolar calendar (Chhankitek) against published dates and its own rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calendars import khmer, lunar
from calendars.khmer import KhmerDate

# Pchum Ben (14 roach Bhadrapada .. 1 kert Assoch) as Cambodia's public-holiday lists and
# the Vietnamese press (Sen Đôn-ta, issue #12) give it.
PCHUM_BEN = {
    2011: date(2011, 9, 26),
    2017: date(2017, 9, 19),
    2018: date(2018, 10, 8),
    2022: date(2022, 9, 24),
    2023: date(2023, 10, 13),
    2024: date(2024, 10, 1),
    2025: date(2025, 9, 21),
}


@pytest.mark.parametrize(("year", "first"), PCHUM_BEN.items())
def test_14_roach_bhadrapada_is_the_published_first_day_of_pchum_ben(
    year: int, first: date
) -> None:
    be = year + 544
    assert khmer.khmer_to_solar(be, 10, 14, waning=True) == first
    assert khmer.khmer_to_solar(be, 11, 1, waning=False) == first + timedelta(days=2)
    assert khmer.solar_to_khmer(first) == KhmerDate(be, 10, 29)


def test_a_published_date_reads_10_kert_boss_be_2568() -> None:
    # 8 January 2025 as printed in Khmer calendars: ១០ កើត ខែបុស្ស ព.ស. ២៥៦៨.
    kd = khmer.solar_to_khmer(date(2025, 1, 8))
    assert kd == KhmerDate(2568, 2, 10)
    assert (kd.moon_day, kd.waning) == (10, False)
    assert str(kd) == "10 kert tháng Boss, Phật lịch 2568"


def test_the_epoch_1_january_1900_is_1_kert_boss() -> None:
    assert khmer.solar_to_khmer(date(1900, 1, 1)) == KhmerDate(2443, 2, 1)


def test_the_buddhist_era_advances_the_day_after_visakha_bochea() -> None:
    vesak = khmer.khmer_to_solar(2568, 6, 15)  # 15 kert Pisakh, still BE 2568
    assert khmer.solar_to_khmer(vesak).year == 2568
    assert khmer.solar_to_khmer(vesak + timedelta(days=1)) == KhmerDate(2569, 6, 16)


def test_a_leap_month_year_has_two_asath_and_the_first_is_the_added_one() -> None:
    # BE 2567 (2023) is a leap-month year: Pchum Ben fell in October, not September.
    assert khmer.has_leap_month(2567) and not khmer.has_leap_day(2567)
    months = khmer.months_of_year(2567)
    assert len(months) == 13 and months[7:9] == [(8, True), (8, False)]
    first = khmer.khmer_to_solar(2567, 8, 1, adhika=True)
    second = khmer.khmer_to_solar(2567, 8, 1)
    assert (second - first).days == 30
    assert "Pathamasath" in khmer.format_khmer(khmer.solar_to_khmer(first))
    assert "Tutiyasath" in khmer.format_khmer(khmer.solar_to_khmer(second))
    with pytest.raises(ValueError, match="không có hai tháng Asath"):
        khmer.khmer_to_solar(2568, 8, 1, adhika=True)


def test_a_leap_day_year_has_a_30_day_jesth() -> None:
    # BE 2569 (2025): a leap-day year, so Pchum Ben came early, in September.
    assert khmer.has_leap_day(2569) and not khmer.has_leap_month(2569)
    assert khmer.month_length(2569, 7) == 30
    assert khmer.month_length(2568, 7) == 29
    assert khmer.year_length(2569) == 355


def test_a_year_that_wants_both_leaps_keeps_the_month_and_hands_the_day_on() -> None:
    carried = [
        be
        for be in range(2444, 2645)
        if khmer.has_leap_month(be - 1) and khmer.has_leap_day(be) and not khmer._wants_leap_day(be)
    ]
    assert carried, "the carrying rule never applied in 1900-2100"
    for be in carried:
        assert khmer.year_length(be - 1) == 384 and khmer.year_length(be) == 355


def test_two_leap_months_never_follow_each_other() -> None:
    for be in range(2444, 2645):
        assert not (khmer.has_leap_month(be) and khmer.has_leap_month(be + 1)), be


def test_every_year_has_354_355_384_or_385_days_and_they_chain() -> None:
    # The year of BE ``be``'s Āsāḍha opens with the Mikasir that falls in BE ``be - 1``.
    for be in range(2445, 2645):
        assert khmer.year_length(be) in (354, 355, 384, 385), be
        first = khmer.khmer_to_solar(be - 1, 1, 1)
        following = khmer.khmer_to_solar(be, 1, 1)
        assert (following - first).days == khmer.year_length(be), be


def test_the_calendar_keeps_pace_with_the_sun_over_two_centuries() -> None:
    # 201 years of 354/355/384-day years must add up to 201 solar years within a month.
    days = sum(khmer.year_length(be) for be in range(2444, 2645))
    assert abs(days - 201 * 365.2425) < 30


def test_solar_to_khmer_to_solar_is_the_identity_for_every_day_1900_2100() -> None:
    day = khmer.FIRST_SOLAR_DATE
    previous: KhmerDate | None = None
    while day <= khmer.LAST_SOLAR_DATE:
        kd = khmer.solar_to_khmer(day)
        assert khmer.khmer_to_solar(kd.year, kd.month, kd.day, adhika=kd.adhika) == day
        if previous is not None and kd.day != 1:
            assert (kd.month, kd.adhika, kd.day) == (
                previous.month,
                previous.adhika,
                previous.day + 1,
            )
        previous = kd
        day += timedelta(days=1)


@given(st.dates(min_value=khmer.FIRST_SOLAR_DATE, max_value=khmer.LAST_SOLAR_DATE))
def test_kert_and_roach_name_the_same_day_as_the_day_of_the_month(day: date) -> None:
    kd = khmer.solar_to_khmer(day)
    again = khmer.khmer_to_solar(kd.year, kd.month, kd.moon_day, kd.waning, kd.adhika)
    assert again == day
    assert 1 <= kd.moon_day <= 15
    parsed = khmer.parse_khmer(khmer.format_khmer(kd, with_year=False))
    assert parsed[:3] == (kd.moon_day, kd.waning, kd.month)


def _new_moon_instants(first: date, last: date) -> list[datetime]:
    astronomy = pytest.importorskip("astronomy", reason="pip install astronomy-engine")
    moons: list[datetime] = []
    time = astronomy.Time.Make(first.year, first.month, first.day, 0, 0, 0)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC)
    while True:
        found = astronomy.SearchMoonPhase(0, time, 40)
        instant = found.Utc().replace(tzinfo=UTC)
        if instant > end:
            return moons
        moons.append(instant)
        time = found.AddDays(25)


def test_the_khmer_month_turns_within_two_days_of_the_astronomical_new_moon() -> None:
    # An arithmetic calendar of mean months: the true new moon swings about ±14 hours
    # around the mean one, so the turn (midnight before 1 kert, UTC+7) stays within
    # two days of it, is within one day of it nine times in ten, and does not drift.
    tz = timedelta(hours=7)
    moons = _new_moon_instants(date(1900, 1, 10), date(2100, 12, 20))
    gaps: list[float] = []
    for instant in moons:
        local = (instant + tz).date()
        candidates = [local + timedelta(days=n) for n in range(-2, 3)]
        turns = [d for d in candidates if khmer.solar_to_khmer(d).day == 1]
        assert len(turns) == 1, instant
        turn = datetime.combine(turns[0], datetime.min.time(), tzinfo=UTC) - tz
        gaps.append((turn - instant).total_seconds() / 86_400)
    assert len(gaps) > 2400
    assert max(abs(g) for g in gaps) < 2
    assert sum(abs(g) <= 1 for g in gaps) / len(gaps) > 0.9
    first_half, second_half = gaps[: len(gaps) // 2], gaps[len(gaps) // 2 :]
    assert abs(sum(first_half) / len(first_half) - sum(second_half) / len(second_half)) < 0.25


def test_1_kert_is_the_vietnamese_first_of_the_month_or_a_day_either_side() -> None:
    # Mostly: the Vietnamese month starts on the day of the new moon, the Khmer one the
    # day after it; across 1900-2100 the two never part by more than two days.
    for be in range(2444, 2644):
        for month, adhika in khmer.months_of_year(be + 1):
            try:
                first = khmer.khmer_to_solar(be + 1, month, 1, adhika=adhika)
            except ValueError:
                continue
            vn = lunar.solar_to_lunar(first)
            length = lunar.month_length(vn.year, vn.month, vn.leap)
            offset = vn.day - 1 if vn.day < 15 else vn.day - 1 - length
            assert -1 <= offset <= 2, (be, month, first, vn)


# Khmer New Year in Cambodia's public-holiday lists.
NEW_YEAR = {
    2011: (date(2011, 4, 14), date(2011, 4, 16)),
    2013: (date(2013, 4, 14), date(2013, 4, 16)),
    2017: (date(2017, 4, 14), date(2017, 4, 16)),
    2019: (date(2019, 4, 14), date(2019, 4, 16)),
    2020: (date(2020, 4, 13), date(2020, 4, 16)),
    2024: (date(2024, 4, 13), date(2024, 4, 16)),
}


@pytest.mark.parametrize(("year", "days"), NEW_YEAR.items())
def test_new_year_runs_from_moha_sangkran_day_to_leungsak(
    year: int, days: tuple[date, date]
) -> None:
    ny = khmer.new_year(year)
    assert ny.days == days
    assert len(ny.vanabat) == (days[1] - days[0]).days - 1


def test_moha_sangkran_2024_is_at_22_17_on_13_april() -> None:
    # As announced for the year of the Dragon: 13 April 2024, 10:17 p.m.
    ny = khmer.new_year(2024)
    assert ny.sangkran.replace(second=0) == datetime(2024, 4, 13, 22, 17)
    assert ny.vanabat == (date(2024, 4, 14), date(2024, 4, 15))
    assert ny.leungsak == date(2024, 4, 16)


def test_new_year_lasts_three_or_four_days_and_stays_in_mid_april() -> None:
    for year in range(1900, 2101):
        first, last = khmer.new_year(year).days
        assert (last - first).days in (2, 3), year
        assert date(year, 4, 12) <= first <= date(year, 4, 15), year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 roach Bhadrapada", (14, True, 10, None)),
        ("1 kert Assoch", (1, False, 11, None)),
        ("15 Kert tháng Kattik", (15, False, 12, None)),
        ("3 roach Pathamasath", (3, True, 8, True)),
        ("8 kert Tutiyasath", (8, False, 8, False)),
        ("14 roach Phatrabot", (14, True, 10, None)),
    ],
)
def test_khmer_dates_are_read_as_pagodas_write_them(
    text: str, expected: tuple[int, bool, int, bool | None]
) -> None:
    assert khmer.parse_khmer(text) == expected


@pytest.mark.parametrize("text", ["14 Bhadrapada", "16 roach Bhadrapada", "1 kert Tháng 13"])
def test_a_bad_khmer_date_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"Khmer|kert|roach"):
        khmer.parse_khmer(text)


def test_a_day_a_29_day_month_lacks_is_an_error() -> None:
    with pytest.raises(ValueError, match="có 29 ngày"):
        khmer.khmer_to_solar(2568, 11, 15, waning=True)  # Assoch has 29 days


@pytest.mark.parametrize(
    ("year", "span", "due"),
    [
        (2024, (date(2024, 10, 1), date(2024, 10, 3)), date(2024, 9, 24)),
        (2025, (date(2025, 9, 21), date(2025, 9, 23)), date(2025, 9, 15)),
    ],
)
def test_a_plan_for_sen_don_ta_written_in_lunar_dates_follows_the_khmer_calendar(
    year: int, span: tuple[date, date], due: date
) -> None:
    from calendars import plan_parser

    text = (
        "Kế hoạch thăm, chúc mừng già làng, người uy tín, tiêu biểu dân tộc Khmer, Tà Mun, "
        "nhân dịp lễ Sen Đôn-ta (29/8-01/9 âm lịch)."
    )
    raw = plan_parser.RawItem(month=9, section="tham-muu", text=text)
    item = plan_parser.understand_item(raw, year, "100-KH/BDVTU", plan_parser.DuePolicy())
    assert item.observance == "sen-don-ta"
    assert (item.start, item.end) == span
    # Due five working days before the festival, so the plan is approved in time.
    assert item.due == due
