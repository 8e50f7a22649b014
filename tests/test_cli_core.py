"""The core CLI as a user meets it: output, JSON shapes and every error path."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.cli_support import CliResult, run_cli


def _tasks(capsys, *args: str) -> list[dict]:
    """Stored events other than the observances that ``init`` loads."""
    listed = json.loads(run_cli(capsys, "events", "--format", "json", *args).out)
    return [e for e in listed if e["observance"] is None]


def _new_id(result: CliResult) -> str:
    match = re.search(r"#(\d+)", result.out)
    assert match, result.out
    return match[1]


@pytest.fixture
def initialised(cli_env, capsys):
    result = run_cli(capsys, "init")
    assert result.code == 0, result.err
    return cli_env


def test_init_creates_the_database_and_a_second_run_changes_nothing(cli_env, capsys, tmp_path):
    first = run_cli(capsys, "init")
    assert first.code == 0
    assert "đã tạo/cập nhật" in first.out
    assert (tmp_path / "lichct.db").exists()
    second = run_cli(capsys, "init")
    assert second.code == 0
    assert "đã ở phiên bản mới nhất" in second.out


def test_the_database_defaults_to_a_file_in_the_working_folder(
    cli_env, capsys, tmp_path, monkeypatch
):
    monkeypatch.delenv("LICHCT_DATABASE_URL")
    assert run_cli(capsys, "init").code == 0
    assert (tmp_path / "lichct.db").exists()


def test_an_officer_added_and_an_event_confirmed_show_in_the_listings(initialised, capsys):
    assert (
        run_cli(
            capsys,
            "officers",
            "add",
            "Nguyễn Văn An",
            "--email",
            "an@example.vn",
            "--unit",
            "hc-dt",
        ).code
        == 0
    )
    added = run_cli(
        capsys,
        "add",
        "Báo cáo tháng 5",
        "--date",
        "2024-05-31",
        "--kind",
        "report",
        "--assign",
        "nguyen van an",
    )
    assert added.code == 0 and "Nguyễn Văn An" in added.out
    eid = _new_id(added)
    done = run_cli(capsys, "done", eid, "--by", "Nguyễn Văn An", "--note", "đã nộp")
    assert done.code == 0 and "✅" in done.out
    listed = _tasks(capsys)
    assert listed == [
        {
            "id": int(eid),
            "uid": listed[0]["uid"],
            "title": "Báo cáo tháng 5",
            "kind": "report",
            "start": "2024-05-31",
            "end": "2024-05-31",
            "due": "2024-05-31",
            "status": "done",
            "overdue": False,
            "assignees": ["Nguyễn Văn An"],
            "observance": None,
        }
    ]
    officers = json.loads(run_cli(capsys, "officers", "list", "--format", "json").out)
    assert officers[0]["name"] == "Nguyễn Văn An"
    assert officers[0]["unit"] == "Phòng Hành chính – Đoàn thể và các hội"
    table = run_cli(capsys, "events").out
    assert "Báo cáo tháng 5" in table and "31/05/2024" in table


def test_undo_brings_an_item_back_to_planned(initialised, capsys):
    eid = _new_id(run_cli(capsys, "add", "Việc", "--date", "2024-05-31"))
    run_cli(capsys, "done", eid)
    assert run_cli(capsys, "undo", eid).code == 0
    assert _tasks(capsys)[0]["status"] == "planned"
    again = run_cli(capsys, "undo", eid)
    assert again.code != 0 and "chưa được xác nhận" in again.err


def test_events_are_filtered_by_dates(initialised, capsys):
    run_cli(capsys, "add", "Tháng năm", "--date", "2024-05-10")
    run_cli(capsys, "add", "Tháng sáu", "--date", "2024-06-10")
    out = _tasks(capsys, "--from", "2024-06-01")
    assert [e["title"] for e in out] == ["Tháng sáu"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "X", "--date", "2024-02-30"), "Ngày không hợp lệ: '2024-02-30'"),
        (("add", "X", "--date", "2024-05-01", "--time", "25:00"), "Giờ không hợp lệ"),
        (("add", "X", "--date", "2024-05-01", "--kind", "party"), "Loại việc không hợp lệ"),
        (("add", "X", "--date", "2024-05-01", "--assign", "Không Ai"), "Không tìm thấy cán bộ"),
        (("events", "--from", "31/05/2024"), "không hợp lệ"),
        (("done", "99999"), "Không có việc mã #99999"),
        (("done", "abc"), "Mã việc không hợp lệ"),
        (("undo", "77777"), "Không có việc mã #77777"),
        (("officers", "add", "X", "--role", "boss"), "Vai trò không hợp lệ"),
    ],
)
def test_user_mistakes_give_one_clear_line_and_store_nothing(initialised, capsys, args, message):
    result = run_cli(capsys, *args)
    assert result.code != 0
    assert message in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert _tasks(capsys) == []


def test_an_unknown_option_is_a_usage_error_not_a_traceback(initialised, capsys):
    result = run_cli(capsys, "events", "--frm", "2024-01-01")
    assert result.code == 2
    assert "Traceback" not in result.err


def test_a_database_not_yet_initialised_says_to_run_init(cli_env, capsys):
    result = run_cli(capsys, "events")
    assert result.code == 3
    assert "lichct init" in result.err


def test_a_read_only_database_refuses_writes_and_keeps_what_it_has(
    initialised, capsys, monkeypatch, tmp_path
):
    run_cli(capsys, "add", "Đã có", "--date", "2024-05-01")
    monkeypatch.setenv(
        "LICHCT_DATABASE_URL", f"sqlite:///file:{tmp_path / 'lichct.db'}?mode=ro&uri=true"
    )
    result = run_cli(capsys, "add", "Mới", "--date", "2024-05-02")
    assert result.code == 3
    assert "chỉ đọc" in result.err
    listed = _tasks(capsys)
    assert [e["title"] for e in listed] == ["Đã có"]


def test_a_locked_database_is_reported_and_nothing_is_lost(
    initialised, capsys, monkeypatch, tmp_path
):
    path = tmp_path / "lichct.db"
    run_cli(capsys, "add", "Đã có", "--date", "2024-05-01")
    monkeypatch.setenv("LICHCT_DATABASE_URL", f"sqlite:///{path}?timeout=0.2")
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run_cli(capsys, "add", "Mới", "--date", "2024-05-02")
    finally:
        holder.rollback()
        holder.close()
    assert result.code == 3
    assert "khóa" in result.err
    listed = _tasks(capsys)
    assert [e["title"] for e in listed] == ["Đã có"]


def test_an_unreachable_postgresql_server_is_one_clear_line(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("LICHCT_DATABASE_URL", "postgresql://lichct:secret@127.0.0.1:1/lichct")
    for args in (("init",), ("events",)):
        result = run_cli(capsys, *args)
        assert result.code == 3
        assert "Không kết nối được cơ sở dữ liệu" in result.err
        assert "secret" not in result.err
        assert "Traceback" not in result.err


def test_a_broken_config_file_is_reported(cli_env, capsys, tmp_path: Path):
    (tmp_path / "lichct.toml").write_text("database_url = [", encoding="utf-8")
    result = run_cli(capsys, "events")
    assert result.code != 0
    assert "lichct.toml" in result.err


def test_the_environment_wins_over_the_config_file(cli_env, capsys, tmp_path: Path):
    other = tmp_path / "other.db"
    (tmp_path / "lichct.toml").write_text(f'database_url = "sqlite:///{other}"\n', encoding="utf-8")
    assert run_cli(capsys, "init").code == 0
    assert not other.exists()


def test_the_event_table_shows_times_and_tells_observances_from_tasks(cli_env, capsys, monkeypatch):
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")
    assert run_cli(capsys, "init").code == 0  # stores the 2024 observances
    run_cli(capsys, "add", "Họp giao ban", "--date", "2024-05-21", "--time", "08:00")
    table = run_cli(capsys, "events", "--from", "2024-05-21", "--to", "2024-05-22").out
    meeting = next(line for line in table.splitlines() if "Họp giao ban" in line)
    assert "21/05/2024 08:00" in meeting and "chưa xong" in meeting
    phat_dan = next(line for line in table.splitlines() if "Phật đản" in line)
    assert "ngày lễ" in phat_dan


def test_an_officer_can_be_changed_later_and_bad_channels_are_refused(initialised, capsys):
    assert run_cli(capsys, "officers", "add", "Trần Thị Bình").code == 0
    changed = run_cli(
        capsys,
        "officers",
        "set",
        "tran thi binh",
        "--email",
        "binh@example.vn",
        "--channels",
        "telegram,email",
        "--role",
        "head",
        "--unit",
        "dvcq-dttg",
    )
    assert changed.code == 0, changed.err
    [binh] = json.loads(run_cli(capsys, "officers", "list", "--format", "json").out)
    assert (binh["email"], binh["role"], binh["channels"]) == (
        "binh@example.vn",
        "head",
        ["telegram", "email"],
    )
    assert binh["unit"] == "Phòng Dân vận các cơ quan nhà nước – Dân tộc và Tôn giáo"
    bad = run_cli(capsys, "officers", "set", "Trần Thị Bình", "--channels", "zalo")
    assert bad.code == 1 and "Kênh không hợp lệ" in bad.err
    bad_add = run_cli(capsys, "officers", "add", "X", "--channels", "fax")
    assert bad_add.code == 1 and "Kênh không hợp lệ" in bad_add.err
    [still] = json.loads(run_cli(capsys, "officers", "list", "--format", "json").out)
    assert still["channels"] == ["telegram", "email"]
