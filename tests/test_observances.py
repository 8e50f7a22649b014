"""The observance catalog: 2024 dates as printed in the plan, rules, and wording matches."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from calendars.khmer import KhmerDate
from calendars.lunar import LunarDate
from calendars.observances import describe, load_catalog, match_observance

PLAN_2024 = {
    "tet-nguyen-dan": (date(2024, 2, 10), date(2024, 2, 12)),
    "duc-chi-ton": (date(2024, 2, 17), date(2024, 2, 17)),
    "chol-chnam-thmay": (date(2024, 4, 14), date(2024, 4, 16)),
    "phat-dan": (date(2024, 5, 22), date(2024, 5, 22)),
    "vu-lan": (date(2024, 8, 18), date(2024, 8, 18)),
    "hoi-yen-dieu-tri-cung": (date(2024, 9, 17), date(2024, 9, 17)),
    "sen-don-ta": (date(2024, 10, 1), date(2024, 10, 3)),
    "truyen-thong-dan-van": (date(2024, 10, 15), date(2024, 10, 15)),
    "khai-dao": (date(2024, 11, 15), date(2024, 11, 15)),
    "giang-sinh": (date(2024, 12, 24), date(2024, 12, 25)),
}


@pytest.mark.parametrize(("key", "span"), PLAN_2024.items())
def test_2024_dates_equal_the_plan(key: str, span: tuple[date, date]) -> None:
    occurrence = load_catalog().occurrence(key, 2024)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == span


def test_sen_don_ta_2024_is_14_roach_bhadrapada_which_is_29_of_lunar_month_8() -> None:
    occurrence = load_catalog().occurrence("sen-don-ta", 2024)
    assert occurrence is not None
    assert occurrence.lunar == LunarDate(2024, 8, 29, False)
    assert occurrence.calendar == "khmer"
    assert occurrence.khmer_date == KhmerDate(2568, 10, 29)


# Sen Đôn-ta as the provincial press and the Fatherland Front reported it (issue #12),
# and Pchum Ben (14 roach Bhadrapada to 1 kert Assoch), a public holiday in Cambodia:
# 26-28/9/2011 and 8-10/10/2018 from Cambodia's published public-holiday lists.
SEN_DON_TA = {
    2011: (date(2011, 9, 26), date(2011, 9, 28)),
    2017: (date(2017, 9, 19), date(2017, 9, 21)),
    2018: (date(2018, 10, 8), date(2018, 10, 10)),
    2022: (date(2022, 9, 24), date(2022, 9, 26)),
    2023: (date(2023, 10, 13), date(2023, 10, 15)),
    2024: (date(2024, 10, 1), date(2024, 10, 3)),
    2025: (date(2025, 9, 21), date(2025, 9, 23)),
}


@pytest.mark.parametrize(("year", "span"), SEN_DON_TA.items())
def test_sen_don_ta_falls_on_the_published_three_days(year: int, span: tuple[date, date]) -> None:
    occurrence = load_catalog().occurrence("sen-don-ta", year)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == span


def test_sen_don_ta_2025_is_in_the_seventh_lunar_month_after_the_leap_sixth() -> None:
    occurrence = load_catalog().occurrence("sen-don-ta", 2025)
    assert occurrence is not None
    assert occurrence.lunar == LunarDate(2025, 7, 30, False)
    text = describe(occurrence)
    assert "21/09/2025" in text and "23/09/2025" in text
    assert "14 roach tháng Bhadrapada" in text and "(lịch Khmer)" in text
    assert "ngày 30 tháng Bảy năm Ất Tỵ (âm lịch)" in text


def test_sen_don_ta_always_lasts_three_days() -> None:
    catalog = load_catalog()
    for year in range(1901, 2100):
        occurrence = catalog.occurrence("sen-don-ta", year)
        assert occurrence is not None, year
        assert (occurrence.end - occurrence.start).days == 2, year


# Ok Om Bok is the middle day of Cambodia's three-day Water Festival (public-holiday lists:
# 9-11/11/2011, 21-23/11/2018, 14-16/11/2024, 4-6/11/2025).
@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2011, date(2011, 11, 10)),
        (2018, date(2018, 11, 22)),
        (2024, date(2024, 11, 15)),
        (2025, date(2025, 11, 5)),
    ],
)
def test_ok_om_bok_is_the_full_moon_of_kattik(year: int, day: date) -> None:
    occurrence = load_catalog().occurrence("ok-om-bok", year)
    assert occurrence is not None
    assert occurrence.start == occurrence.end == day
    assert occurrence.khmer_date is not None
    assert (occurrence.khmer_date.month, occurrence.khmer_date.day) == (12, 15)


# Cambodia's public-holiday lists: 14-16/4 in 2011, 2013, 2017, 2019; 13-16/4 in 2020
# (Moha Sangkran late on the 13th: two Vanabat days).
@pytest.mark.parametrize(
    ("year", "span"),
    [
        (2011, (date(2011, 4, 14), date(2011, 4, 16))),
        (2013, (date(2013, 4, 14), date(2013, 4, 16))),
        (2017, (date(2017, 4, 14), date(2017, 4, 16))),
        (2019, (date(2019, 4, 14), date(2019, 4, 16))),
        (2020, (date(2020, 4, 13), date(2020, 4, 16))),
    ],
)
def test_chol_chnam_thmay_runs_from_moha_sangkran_to_leungsak(
    year: int, span: tuple[date, date]
) -> None:
    occurrence = load_catalog().occurrence("chol-chnam-thmay", year)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == span
    assert occurrence.calendar == "khmer"


def test_chol_chnam_thmay_2024_keeps_the_plans_override_not_the_four_computed_days() -> None:
    occurrence = load_catalog().occurrence("chol-chnam-thmay", 2024)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == (date(2024, 4, 14), date(2024, 4, 16))


def test_vu_lan_2025_is_6_september_after_the_leap_sixth_month() -> None:
    occurrence = load_catalog().occurrence("vu-lan", 2025)
    assert occurrence is not None
    assert occurrence.start == date(2025, 9, 6)
    assert occurrence.lunar == LunarDate(2025, 7, 15, False)


def test_tet_2030_is_2_february_and_its_eve_the_day_before() -> None:
    catalog = load_catalog()
    tet, eve = catalog.occurrence("tet-nguyen-dan", 2030), catalog.occurrence("giao-thua", 2030)
    assert tet is not None and eve is not None
    assert tet.start == date(2030, 2, 2)
    assert eve.start == eve.end == date(2030, 2, 1)
    assert eve.calendar == "lunar"


def test_easter_and_ramadan_follow_their_own_calendars() -> None:
    catalog = load_catalog()
    easter = catalog.occurrence("phuc-sinh", 2024)
    ramadan = catalog.occurrence("ramadan", 2024)
    assert easter is not None and ramadan is not None
    assert (easter.start, easter.calendar) == (date(2024, 3, 31), "easter")
    assert (ramadan.start, ramadan.end, ramadan.calendar) == (
        date(2024, 3, 11),
        date(2024, 4, 9),
        "hijri",
    )
    assert ramadan.religion == "Hồi giáo (người Chăm)"
    assert ramadan.lunar is None


def test_chol_chnam_thmay_defaults_to_14_to_16_april() -> None:
    occurrence = load_catalog().occurrence("chol-chnam-thmay", 2031)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == (date(2031, 4, 14), date(2031, 4, 16))


def test_occurrences_are_sorted_and_carry_the_responsible_unit() -> None:
    occurrences = load_catalog().occurrences(2024)
    assert [o.start for o in occurrences] == sorted(o.start for o in occurrences)
    keys = {o.key for o in occurrences}
    assert set(PLAN_2024) <= keys
    assert {"ok-om-bok", "dai-doan-ket", "phuc-sinh", "ramadan", "ram-thang-gieng"} <= keys
    by_key = {o.key: o for o in occurrences}
    assert by_key["vu-lan"].unit == "dvcq-dttg"
    assert by_key["duc-chi-ton"].religion == "Cao Đài"


def test_every_observance_has_one_occurrence_in_each_year_2024_2077() -> None:
    catalog = load_catalog()
    for year in range(2024, 2078):
        occurrences = catalog.occurrences(year)
        assert len(occurrences) == len(catalog), year
        for o in occurrences:
            assert o.start.year == year and o.start <= o.end


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh", "vu-lan"),
        (
            "Thăm già làng nhân dịp Tết cổ truyền Chol Chnam Thmay (ngày 14 – 16/4/2024)",
            "chol-chnam-thmay",
        ),
        ("Kế hoạch thăm, chúc mừng nhân dịp Đại lễ Phật đản PL 2568 – DL 2024", "phat-dan"),
        ("chúc mừng già làng nhân dịp lễ Sen Đôn-ta (29/8-01/9 âm lịch)", "sen-don-ta"),
        ("tổ chức đoàn dự Đại lễ Đức Chí Tôn của đạo Cao Đài Tây Ninh", "duc-chi-ton"),
        ("Phối hợp tổ chức đoàn dự Đại lễ Hội Yến Diêu Trì Cung", "hoi-yen-dieu-tri-cung"),
        ("Đại lễ kỷ niệm 100 năm Ngày Hoàng khai Đại đạo Tam kỳ Phổ độ", "khai-dao"),
        ("phân công dự lễ Giáng sinh tại một số nhà thờ", "giang-sinh"),
        ("Mời Thường trực Tỉnh uỷ thăm, chúc Tết Nguyên đán Giáp Thìn năm 2024", "tet-nguyen-dan"),
        ("Kỷ niệm Ngày truyền thống công tác dân vận của Đảng", "truyen-thong-dan-van"),
        ("Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư", "dai-doan-ket"),
        ("LE VU LAN", "vu-lan"),
        ("Thăm đồng bào Chăm nhân tháng chay Ramadan", "ramadan"),
        ("Thăm chức sắc nhân lễ Oóc Om Bóc", "ok-om-bok"),
    ],
)
def test_plan_wording_is_matched_to_its_observance(text: str, key: str) -> None:
    assert match_observance(text) == key


@pytest.mark.parametrize(
    "text",
    [
        "Báo cáo công tác dân vận tháng 5/2024",
        "tăng cường xây dựng khối đại đoàn kết toàn dân tộc",
        "kế hoạch dự lễ ra quân và thăm tặng quà ra quân làm công tác dân vận đợt 2/2024",
        "Hội nghị Ban Chỉ đạo 37 quý II",
        "",
    ],
)
def test_wording_about_no_observance_matches_nothing(text: str) -> None:
    assert match_observance(text) is None


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_day_a_short_lunar_month_lacks_is_its_last_day(tmp_path: Path) -> None:
    # Tháng Giêng of Giáp Thìn (2024) has 29 days: "30/1" is its 29th, 2024-03-09.
    catalog = load_catalog(
        _write(
            tmp_path,
            '[[observances]]\nkey = "x"\nname = "X"\nrule = { type = "lunar", start = "30/1" }\n',
        )
    )
    occurrence = catalog.occurrence("x", 2024)
    assert occurrence is not None
    assert occurrence.start == date(2024, 3, 9)
    assert occurrence.lunar == LunarDate(2024, 1, 29, False)


def test_a_lunar_range_may_cross_into_the_next_lunar_year(tmp_path: Path) -> None:
    catalog = load_catalog(
        _write(
            tmp_path,
            '[[observances]]\nkey = "x"\nname = "X"\n'
            'rule = { type = "lunar", start = "23/12", end = "7/1" }\n',
        )
    )
    occurrence = catalog.occurrence("x", 2025)
    assert occurrence is not None
    assert (occurrence.start, occurrence.end) == (date(2025, 1, 22), date(2025, 2, 4))


def test_an_override_replaces_the_rule_for_its_year_only(tmp_path: Path) -> None:
    catalog = load_catalog(
        _write(
            tmp_path,
            '[[observances]]\nkey = "x"\nname = "X"\nrule = { type = "solar", start = "14/4" }\n'
            "overrides = { 2026 = { start = 2026-04-13, end = 2026-04-15 } }\n"
            '[[observances]]\nkey = "eve"\nname = "Eve"\n'
            'rule = { type = "offset", from = "x", days = -1 }\n',
        )
    )
    moved, usual = catalog.occurrence("x", 2026), catalog.occurrence("x", 2027)
    eve = catalog.occurrence("eve", 2026)
    assert moved is not None and usual is not None and eve is not None
    assert (moved.start, moved.end) == (date(2026, 4, 13), date(2026, 4, 15))
    assert usual.start == date(2027, 4, 14)
    assert eve.start == date(2026, 4, 12)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[observances]]\nkey = "x"\nname = "X"\nrule = { type = "moon", start = "1/1" }\n',
            "moon",
        ),
        (
            '[[observances]]\nkey = "x"\nname = "X"\nrule = { type = "lunar", start = "1-1" }\n',
            "1-1",
        ),
        (
            '[[observances]]\nkey = "x"\nname = "X"\nrule = { type = "offset", from = "y" }\n',
            "'y'",
        ),
        ('[[observances]]\nkey = "x"\nrule = { type = "lunar", start = "1/1" }\n', "name"),
    ],
)
def test_a_faulty_catalog_names_the_entry_and_the_fault(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        load_catalog(_write(tmp_path, body))
