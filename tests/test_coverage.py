"""Coverage figures: visits this month, communes reached of the total, percentage (issue 8)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from scheduler import fieldwork as areas
from scheduler.clock import LOCAL_TZ
from scheduler.store.models import Officer
from tests.cli_support import run_cli
from tests.support_areas import give_area, load_2024, officer, unit

TODAY = date(2024, 5, 21)
NOW = datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ)


def _log(session: Session, person: Officer, name: str, day: date) -> None:
    areas.log_visit(session, person, unit(session, name), day, NOW)


@pytest.fixture
def an(session: Session) -> Officer:
    load_2024(session)
    person = officer(session, "Nguyễn Văn An")
    give_area(session, person, "Huyện Tân Biên", "Phước Thạnh")
    _log(session, person, "Tân Lập", date(2024, 3, 4))
    _log(session, person, "Tân Lập", date(2024, 5, 3))
    _log(session, person, "Thạnh Tây", date(2024, 5, 3))
    _log(session, person, "Tân Bình (Tân Biên)", date(2024, 5, 10))
    _log(session, person, "Thạnh Tây", date(2024, 5, 10))
    return person


def test_coverage_per_area_counts_this_months_visits_and_the_communes_reached(
    session: Session, an: Officer
) -> None:
    rows = {r.area: r for r in areas.coverage(session, 2024, TODAY)}
    assert set(rows) == {"Huyện Tân Biên", "Huyện Gò Dầu"}
    tan_bien = rows["Huyện Tân Biên"]
    assert (tan_bien.visits_this_month, tan_bien.days_this_month) == (4, 2)
    assert (tan_bien.reached, tan_bien.total, tan_bien.percent) == (3, 10, 30.0)
    assert "Xã Tân Lập" not in tan_bien.missing and "Xã Mỏ Công" in tan_bien.missing
    assert len(tan_bien.missing) == 7
    go_dau = rows["Huyện Gò Dầu"]
    assert (go_dau.reached, go_dau.total, go_dau.percent, go_dau.missing) == (
        0,
        1,
        0.0,
        ["Xã Phước Thạnh"],
    )


def test_a_past_year_reports_december_as_this_month(session: Session, an: Officer) -> None:
    rows = areas.coverage(session, 2024, date(2025, 3, 1))
    assert {r.month for r in rows} == {"2024-12"}
    assert all(r.visits_this_month == 0 for r in rows)
    assert {r.area: r.reached for r in rows} == {"Huyện Tân Biên": 3, "Huyện Gò Dầu": 0}


def test_coverage_lines_for_tiendo(session: Session, an: Officer) -> None:
    assert areas.coverage_lines(session, an, 2024, TODAY) == [
        "📍 Đi cơ sở tháng 5/2024: 2 ngày",
        "• Huyện Gò Dầu: đã đến 0/1 xã, phường (0%); còn Xã Phước Thạnh",
        "• Huyện Tân Biên: đã đến 3/10 xã, phường (30%); còn Xã Hòa Hiệp, Xã Mỏ Công, "
        "Thị trấn Tân Biên, Xã Tân Phong, Xã Thạnh Bắc và 2 nơi khác",
    ]


def test_a_month_without_visits_is_flagged_in_the_lines(session: Session, an: Officer) -> None:
    lines = areas.coverage_lines(session, an, 2024, date(2024, 6, 2))
    assert lines[0] == "📍 Đi cơ sở tháng 6/2024: 0 ngày (cần ít nhất 1 ngày mỗi tháng)"


def test_communes_of_the_whole_province_are_one_area_after_2025(session: Session) -> None:
    areas.load_units_for_year(session, "Tây Ninh", 2026)
    person = officer(session, "Lê Văn Cường")
    areas.assign_area(
        session, person, [unit(session, "Ninh Điền", 2026), unit(session, "Long Chữ", 2026)], NOW
    )
    when = datetime(2026, 3, 2, 9, tzinfo=LOCAL_TZ)
    areas.log_visit(session, person, unit(session, "Long Chu", 2026), date(2026, 3, 2), when)
    [row] = areas.coverage(session, 2026, date(2026, 3, 2))
    assert (row.area, row.reached, row.total, row.percent) == ("toàn tỉnh", 1, 2, 50.0)
    assert row.missing == ["Xã Ninh Điền"]


def test_an_officer_without_area_has_no_row_and_is_named_as_such(
    session: Session, an: Officer
) -> None:
    binh = officer(session, "Trần Thị Bình")
    assert areas.officer_coverage(session, binh, 2024, TODAY) == []
    assert [o.name for o in areas.officers_without_area(session, 2024)] == ["Trần Thị Bình"]
    assert {r.officer for r in areas.coverage(session, 2024, TODAY)} == {"Nguyễn Văn An"}


@pytest.fixture
def cli_visits(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")
    run_cli(capsys, "init")
    run_cli(capsys, "officers", "add", "Nguyễn Văn An")
    run_cli(capsys, "officers", "add", "Trần Thị Bình")
    assert run_cli(capsys, "areas", "assign", "1", "Huyện Tân Biên").code == 0
    for name, day in [
        ("Tân Lập", "2024-05-03"),
        ("Tân Lập", "2024-05-03"),
        ("Mỏ Công", "2024-04-09"),
    ]:
        assert run_cli(capsys, "visits", "add", "1", name, "--date", day).code == 0


def test_cli_coverage_json_is_one_array_with_the_documented_fields(
    cli_visits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "coverage", "--year", "2024", "--format", "json")
    assert result.code == 0, result.err
    [row] = json.loads(result.out)
    assert {
        "officer",
        "officer_id",
        "area",
        "visits_this_month",
        "days_this_month",
        "reached",
        "total",
        "percent",
        "missing",
    } <= set(row)
    assert row["officer"] == "Nguyễn Văn An" and row["officer_id"] == 1
    assert row["area"] == "Huyện Tân Biên"
    assert (row["visits_this_month"], row["days_this_month"]) == (1, 1)
    assert (row["reached"], row["total"], row["percent"]) == (2, 10, 20.0)
    assert len(row["missing"]) == 8


def test_cli_coverage_table_names_officers_without_area(
    cli_visits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "coverage")
    assert result.code == 0
    assert "Huyện Tân Biên" in result.out and "2/10" in result.out and "20%" in result.out
    assert "Chưa phân công địa bàn: Trần Thị Bình" in result.out


def test_cli_coverage_of_an_officer_without_area_is_a_clear_error(
    cli_visits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "coverage", "--officer", "Tran Thi Binh")
    assert result.code != 0
    assert "Trần Thị Bình chưa được phân công địa bàn" in result.err
