"""``lichct reminders``, ``lichct dispatch --once`` and ``lichct remind ID`` as a user runs them."""

from __future__ import annotations

import json

import pytest

from scheduler.reminders import policies
from tests.cli_support import run_cli


@pytest.fixture(autouse=True)
def _fresh_policies() -> None:
    policies._active.policies = None  # each CLI run reads its own settings


@pytest.fixture
def board(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> int:
    """One officer reachable by email and one report due 31/05/2024; returns its id."""
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")
    assert run_cli(capsys, "init").code == 0
    assert (
        run_cli(capsys, "officers", "add", "Nguyễn Thị Lan", "--email", "lan@example.vn").code == 0
    )
    added = run_cli(
        capsys,
        "add",
        "Báo cáo tháng 5/2024",
        "--date",
        "2024-05-31",
        "--kind",
        "report",
        "--assign",
        "Nguyễn Thị Lan",
    )
    assert added.code == 0, added.err
    return int(added.out.split("#")[1].split(":")[0])


def test_reminders_json_lists_when_whom_which_channel_and_state(
    board: int, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "reminders", "--format", "json")
    assert result.code == 0
    records = json.loads(result.out)
    assert {tuple(r) for r in records} == {
        (
            "id",
            "event_id",
            "officer",
            "channel",
            "due_at",
            "state",
        )
    }
    assert [(r["due_at"], r["channel"], r["state"]) for r in records] == [
        ("2024-05-24T08:00:00+07:00", "email", "pending"),
        ("2024-05-28T08:00:00+07:00", "email", "pending"),
        ("2024-05-30T08:00:00+07:00", "email", "pending"),
        ("2024-05-31T07:30:00+07:00", "email", "pending"),
    ]
    assert {r["event_id"] for r in records} == {board}
    assert {r["officer"] for r in records} == {"Nguyễn Thị Lan"}


def test_reminders_table_shows_local_times_and_can_be_narrowed(
    board: int, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "reminders", "--from", "2024-05-28", "--to", "2024-05-30")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "Mã",
        "Giờ",
        "gửi",
        "Người",
        "nhận",
        "Kênh",
        "Loại",
        "Trạng",
        "thái",
        "Việc",
    ]
    assert len(lines) == 4
    assert (
        "28/05/2024 08:00" in lines[2]
        and "chờ gửi" in lines[2]
        and f"#{board} Báo cáo tháng 5/2024" in lines[2]
    )


def test_dispatch_once_sends_what_is_due_and_a_second_run_sends_nothing(
    board: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-24T08:00")
    first = run_cli(capsys, "dispatch", "--once")
    assert first.code == 0, first.err
    assert first.out.splitlines()[0].startswith("Lập lịch nhắc:")
    assert "Nhắc việc: đã gửi 1," in first.out
    second = run_cli(capsys, "dispatch", "--once")
    assert second.out.strip().startswith("Nhắc việc: đã gửi 0,")
    records = json.loads(run_cli(capsys, "reminders", "--format", "json").out)
    states = [r["state"] for r in records if r["event_id"] == board]
    assert states == ["sent", "pending", "pending", "pending"]


def test_dispatch_needs_once(board: int, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "dispatch")
    assert result.code != 0 and "lichct dispatch --once" in result.err


def test_remind_nudges_the_assignees_now(board: int, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "remind", str(board))
    assert result.code == 0, result.err
    assert result.out.strip() == f"Đã nhắc việc #{board} tới: Nguyễn Thị Lan (email)"
    nudges = [
        r
        for r in json.loads(run_cli(capsys, "reminders", "--format", "json").out)
        if r["state"] == "sent"
    ]
    assert len(nudges) == 1


def test_remind_an_unknown_item_is_a_clear_error(
    board: int, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "remind", "9999")
    assert result.code != 0
    assert result.err.strip() == "Lỗi: Không có việc mã #9999"


def test_a_wrong_date_is_a_clear_error(board: int, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "reminders", "--from", "31/05/2024")
    assert result.code != 0 and result.err.startswith("Lỗi: Ngày bắt đầu không hợp lệ")


def test_a_head_added_later_gets_reminders_for_items_nobody_was_given(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")
    assert run_cli(capsys, "init").code == 0
    added = run_cli(capsys, "add", "Việc chung của Ban", "--date", "2024-05-31", "--kind", "report")
    eid = int(added.out.split("#")[1].split(":")[0])
    assert run_cli(capsys, "dispatch", "--once").code == 0
    assert json.loads(run_cli(capsys, "reminders", "--format", "json").out) == []

    head = run_cli(
        capsys, "officers", "add", "Lê Văn Cường", "--role", "head", "--email", "cuong@example.vn"
    )
    assert head.code == 0
    assert run_cli(capsys, "dispatch", "--once").code == 0
    records = json.loads(run_cli(capsys, "reminders", "--format", "json").out)
    mine = [r for r in records if r["event_id"] == eid]
    assert mine and {r["officer"] for r in mine} == {"Lê Văn Cường"}
    assert {r["state"] for r in mine} == {"pending"}


def test_a_malformed_smtp_address_is_one_clear_line(
    board: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICHCT_SMTP_URL", "ftp://mail.example.vn")
    result = run_cli(capsys, "dispatch", "--once")
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Lỗi: Cấu hình kênh gửi không hợp lệ: LICHCT_SMTP_URL phải bắt đầu bằng smtp:// "
        "hoặc smtps:// (nhận 'ftp://mail.example.vn')"
    ]
