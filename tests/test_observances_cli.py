"""`lichct observances` and `lichct lunar` as a user runs them."""

from __future__ import annotations

import json

import pytest

from calendars.observances import load_catalog
from tests.cli_support import run_cli


@pytest.fixture(autouse=True)
def _env(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59:00+07:00")


def test_observances_json_has_the_contract_fields_and_the_plan_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "observances", "--year", "2024", "--format", "json")
    assert result.code == 0, result.err
    records = json.loads(result.out)
    assert all(set(r) == {"key", "name", "start", "end", "lunar", "calendar"} for r in records)
    by_key = {r["key"]: r for r in records}
    assert by_key["sen-don-ta"] == {
        "key": "sen-don-ta",
        "name": "Lễ Sen Đôn-ta",
        "start": "2024-10-01",
        "end": "2024-10-03",
        "lunar": {"day": 29, "month": 8, "leap": False},
        "calendar": "khmer",
    }
    # A Khmer-calendar observance also carries its Vietnamese lunar date.
    assert by_key["chol-chnam-thmay"]["lunar"] == {"day": 6, "month": 3, "leap": False}
    assert by_key["chol-chnam-thmay"]["calendar"] == "khmer"
    assert (by_key["chol-chnam-thmay"]["start"], by_key["chol-chnam-thmay"]["end"]) == (
        "2024-04-14",
        "2024-04-16",
    )
    assert [r["start"] for r in records] == sorted(r["start"] for r in records)


def test_observances_table_shows_weekday_and_lunar_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "observances", "--year", "2024")
    assert result.code == 0, result.err
    vu_lan = next(line for line in result.out.splitlines() if "Vu Lan" in line)
    assert "18/08/2024" in vu_lan
    assert "Chủ nhật" in vu_lan
    assert "rằm tháng Bảy năm Giáp Thìn" in vu_lan


def test_observances_without_a_year_lists_this_year(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "observances", "--format", "json")
    assert result.code == 0, result.err
    assert all(r["start"].startswith("2024-") for r in json.loads(result.out))


@pytest.mark.parametrize("year", ["3000", "abc", "1899", ""])
def test_a_bad_year_is_one_clear_error_line(capsys: pytest.CaptureFixture[str], year: str) -> None:
    result = run_cli(capsys, "observances", "--year", year)
    assert result.code != 0
    assert result.err.startswith("Lỗi: Năm không hợp lệ")
    assert len(result.err.strip().splitlines()) == 1


def test_lunar_converts_a_solar_date_with_can_chi(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "lunar", "2030-02-02")
    assert result.code == 0, result.err
    assert "mùng 1 tháng Giêng năm Canh Tuất" in result.out
    assert "Thứ Bảy 02/02/2030" in result.out


def test_lunar_without_a_date_is_today(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "lunar", "--format", "json")
    record = json.loads(result.out)
    assert record["solar"] == "2024-05-21"
    assert record["lunar"] == {"year": 2024, "month": 4, "day": 14, "leap": False}
    assert record["can_chi"] == "Giáp Thìn"


def test_lunar_to_solar_prints_the_iso_date_first(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "lunar", "--lunar", "15/7", "--year", "2024")
    assert result.code == 0, result.err
    assert result.out.startswith("2024-08-18 ")
    assert run_cli(capsys, "lunar", "--to-solar", "15/7/2025").out.startswith("2025-09-06 ")
    leap = run_cli(capsys, "lunar", "--to-solar", "15/6/2025", "--leap")
    assert leap.out.startswith("2025-08-08 ")
    assert "tháng Sáu nhuận" in leap.out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--lunar", "31/2", "--year", "2024"), "không có ngày 31"),
        (("--lunar", "30/1", "--year", "2024"), "có 29 ngày"),
        (("--lunar", "15/7", "--year", "2024", "--leap"), "không có tháng 7 nhuận"),
        (("--lunar", "15/13/2024"), "Tháng âm lịch phải từ 1 đến 12"),
        (("--lunar", "rằm tháng 7"), "Ngày âm lịch không hợp lệ"),
        (("--lunar", "15/7", "--year", "2500"), "Năm không hợp lệ"),
        (("2024-02-30",), "Ngày không hợp lệ"),
        (("1850-01-01",), "ngoài khoảng"),
    ],
)
def test_lunar_refuses_impossible_input_with_one_line(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    result = run_cli(capsys, "lunar", *args)
    assert result.code != 0
    assert result.err.startswith("Lỗi: ")
    assert words in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_init_loads_the_observances_of_this_year_and_the_next_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = run_cli(capsys, "init")
    assert first.code == 0, first.err
    assert f"{2 * len(load_catalog())} ngày lễ" in first.out  # 2024 and 2025
    again = run_cli(capsys, "init")
    assert again.code == 0 and "ngày lễ" not in again.out
    listed = run_cli(capsys, "events", "--from", "2025-09-06", "--to", "2025-09-06")
    assert "Lễ Vu Lan" in listed.out


def test_observances_2025_show_sen_don_ta_on_21_to_23_september_in_both_calendars(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "observances", "--year", "2025")
    assert result.code == 0, result.err
    line = next(line for line in result.out.splitlines() if "Sen Đôn-ta" in line)
    assert "21/09/2025–23/09/2025" in line
    assert "ngày 30 tháng Bảy năm Ất Tỵ; Khmer: 14 roach Bhadrapada" in line
    records = json.loads(run_cli(capsys, "observances", "--year", "2025", "--format", "json").out)
    sen_don_ta = next(r for r in records if r["key"] == "sen-don-ta")
    assert (sen_don_ta["start"], sen_don_ta["end"], sen_don_ta["calendar"]) == (
        "2025-09-21",
        "2025-09-23",
        "khmer",
    )


def test_lunar_khmer_shows_a_solar_date_in_the_khmer_calendar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "lunar", "2025-09-21", "--khmer")
    assert result.code == 0, result.err
    assert result.out.strip() == (
        "Chủ nhật 21/09/2025: 14 roach tháng Bhadrapada, Phật lịch 2569 (lịch Khmer); "
        "ngày 30 tháng Bảy năm Ất Tỵ (âm lịch)"
    )


def test_lunar_khmer_finds_a_pagodas_date_in_a_year(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(
        capsys, "lunar", "--khmer", "15 kert Kattik", "--year", "2025", "--format", "json"
    )
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record["solar"] == "2025-11-05"
    assert record["khmer"] == {
        "year": 2569,
        "month": 12,
        "month_name": "Kattik",
        "adhika": False,
        "day": 15,
        "waning": False,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--khmer", "1 kert Pathamasath", "--year", "2025"], "không có hai tháng Asath"),
        (["--khmer", "15 roach Assoch", "--year", "2025"], "có 29 ngày"),
        (["--khmer", "14 roach Tháng Mười", "--year", "2025"], "Không nhận ra tên tháng Khmer"),
        (["--khmer", "2025-09-21", "--year", "2025"], "--year chỉ dùng"),
    ],
)
def test_lunar_khmer_mistakes_are_one_clear_error_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    result = run_cli(capsys, "lunar", *args)
    assert result.code != 0
    assert result.err.startswith("Lỗi: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1
