"""Every bad value a user can type gives one ``Lỗi: ...`` line, a non-zero exit and no change.

The cases are the ones that used to end in a traceback: ids past 64 bits, dates far away,
configuration files of the wrong shape, control and bidi characters in typed text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.cli_support import CliResult, run_cli

TOO_BIG = str(2**63)


def _one_error_line(result: CliResult, *fragments: str) -> None:
    assert result.code != 0, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Lỗi: ")
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def _dump(tmp_path: Path) -> list[tuple[object, ...]]:
    """Everything a user could notice in the store: events, completions, officers, visits."""
    engine = create_engine(f"sqlite:///{tmp_path / 'lichct.db'}")
    with engine.connect() as connection:
        rows = []
        for table in ("events", "completions", "officers", "visits", "assignments"):
            rows += [
                (table, *row)
                for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
    engine.dispose()
    return rows


@pytest.fixture
def store(capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "officers", "add", "Nguyễn Văn An").code == 0
    assert run_cli(capsys, "add", "Họp giao ban", "--date", "2024-05-22").code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("done", TOO_BIG), "Mã việc không hợp lệ"),
        (("undo", "99999999999999999999"), "Mã việc không hợp lệ"),
        (("assign", TOO_BIG, "1"), "Mã việc không hợp lệ"),
        (("remind", TOO_BIG), "Mã việc không hợp lệ"),
        (("done", "١٢"), "Mã việc không hợp lệ"),
        (("feed-url", TOO_BIG), "Mã cán bộ không hợp lệ"),
        (("feed-reset", TOO_BIG), "Mã cán bộ không hợp lệ"),
        (("link-code", TOO_BIG), "Mã cán bộ không hợp lệ"),
        (("officers", "set", TOO_BIG, "--role", "head"), "Mã cán bộ không hợp lệ"),
        (("visits", "add", TOO_BIG, "Tân Lập", "--date", "2024-05-01"), "Mã cán bộ không hợp lệ"),
        (("add", "X", "--date", "9999-12-31"), "năm 1900–2100"),
        (("add", "X", "--date", "2024-05-01", "--end", "2999-01-01"), "năm 1900–2100"),
        (("add", "X" * 2001, "--date", "2024-05-01"), "Tiêu đề quá dài (2.001 ký tự)"),
        (("done", "1", "--note", "n" * 1001), "Ghi chú quá dài (1.001 ký tự); tối đa 1.000"),
    ],
)
def test_bad_values_give_one_error_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str],
    store: None,
    tmp_path: Path,
    args: tuple[str, ...],
    fragment: str,
) -> None:
    before = _dump(tmp_path)
    _one_error_line(run_cli(capsys, *args), fragment)
    assert _dump(tmp_path) == before


def test_control_and_bidi_characters_never_reach_the_store_or_the_feed(
    capsys: pytest.CaptureFixture[str], store: None, tmp_path: Path
) -> None:
    added = run_cli(capsys, "add", "Báo\x00 cáo \u202equý\u2066 II", "--date", "2024-06-28")
    assert added.code == 0, added.err
    event_id = re.search(r"#(\d+)", added.out)[1]  # type: ignore[index]
    done = run_cli(capsys, "done", event_id, "--note", "đã\x07 gửi\u202e\r\nbản giấy")
    assert done.code == 0, done.err
    events = json.loads(run_cli(capsys, "events", "--format", "json").out)
    assert [e["title"] for e in events if str(e["id"]) == event_id] == ["Báo cáo quý II"]
    engine = create_engine(f"sqlite:///{tmp_path / 'lichct.db'}")
    with engine.connect() as connection:
        notes = list(connection.execute(text("SELECT note FROM completions")).scalars())
    engine.dispose()
    assert notes == ["đã gửi\nbản giấy"]
    feed = run_cli(capsys, "ics").out
    assert "Báo cáo quý II" in feed
    assert not any(ch in feed for ch in "\x00\x07\u202e\u2066")


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lichct.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ('lichct = "sqlite:///x.db"\n', ("'lichct' phải là một bảng [lichct]", "chuỗi")),
        ("lichct = 5\n", ("'lichct' phải là một bảng", "số 5")),
        ('reminders = "x"\n', ("'reminders' phải là một bảng [reminders]",)),
        ("[lichct]\ndatabase_url = [1]\n", ("'database_url' phải là một chuỗi",)),
        ("colour = 1\n", ("không hiểu khóa 'colour'",)),
        ("[reminders.kinds.report]\ndays_before = [-3, 1]\n", ("days_before] = -3", "0–366")),
        ("[reminders.overdue]\nnudge_days = 100000000000\n", ("overdue.nudge_days",)),
        ('[reminders.delivery]\nmax_attempts = "x"\n', ("delivery.max_attempts", "'x'")),
        ("[reminders.quiet]\nstart = 1\n", ("mục không biết: 'quiet'",)),
    ],
)
def test_a_broken_configuration_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str],
    store: None,
    tmp_path: Path,
    body: str,
    fragments: tuple[str, ...],
) -> None:
    _config(tmp_path, body)
    _one_error_line(run_cli(capsys, "events"), *fragments)
    # serve refuses to start too, instead of running with planning silently failing
    _one_error_line(run_cli(capsys, "serve", "--port", "1"), *fragments)


def test_an_import_table_of_the_wrong_shape_is_named(
    capsys: pytest.CaptureFixture[str], store: None, tmp_path: Path
) -> None:
    from tests.support_malformed import SEED

    _config(tmp_path, "[import.due]\nmonth_day = 25\n")
    _one_error_line(run_cli(capsys, "import", str(SEED), "--dry-run"), "[import.due]")
    _config(tmp_path, "[import]\nplan_before_event_working_days = -1\n")
    _one_error_line(run_cli(capsys, "import", str(SEED), "--dry-run"), "từ 0 đến 60")


def test_an_explicit_config_file_that_does_not_exist_is_an_error(
    capsys: pytest.CaptureFixture[str],
    cli_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LICHCT_DATABASE_URL")
    monkeypatch.setenv("LICHCT_CONFIG", str(tmp_path / "typo.toml"))
    _one_error_line(run_cli(capsys, "events"), "typo.toml", "không tồn tại")
    _one_error_line(run_cli(capsys, "serve", "--port", "1"), "không tồn tại")
    assert not (tmp_path / "lichct.db").exists()


def test_a_mysql_url_is_told_it_is_unsupported(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICHCT_DATABASE_URL", "mysql://u:p@localhost/lichct")
    result = run_cli(capsys, "events")
    _one_error_line(result, "Không hỗ trợ cơ sở dữ liệu mysql")
    assert "postgres]" not in result.err
