"""An office's own days-off file moves deadlines, like the bundled Tết days off do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from calendars import workdays
from tests.conftest import SEED_PLAN

LICHCT = [sys.executable, "-c", "from scheduler.cli import entry; entry()"]
# Friday 31/05/2024 is an ordinary working day; the file makes it a day off.
DAYS_OFF = """
[[days_off]]
year = 2024
name = "Nghỉ bù của tỉnh (thử)"
from = 2024-05-31
source = "quyết định của tỉnh"
"""


@pytest.fixture
def days_off_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ngay-nghi.toml"
    path.write_text(DAYS_OFF, encoding="utf-8")
    yield path
    workdays.use_days_off_file(None)


def test_a_listed_weekday_is_no_longer_a_working_day(days_off_file: Path) -> None:
    assert workdays.last_working_day_of_month(2024, 5) == date(2024, 5, 31)
    workdays.use_days_off_file(days_off_file)
    assert not workdays.is_working_day(date(2024, 5, 31))
    assert workdays.last_working_day_of_month(2024, 5) == date(2024, 5, 30)


def test_the_import_moves_mays_deadlines_to_thursday(days_off_file: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
    env["LICHCT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'lichct.db'}"

    def may_report_due(extra: dict[str, str]) -> str:
        result = subprocess.run(
            [*LICHCT, "import", str(SEED_PLAN), "--dry-run", "--format", "json"],
            env={**env, **extra},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        items = json.loads(result.stdout)
        report = next(i for i in items if i["title"] == "Báo cáo công tác dân vận tháng 5/2024")
        return str(report["due"])

    assert may_report_due({}) == "2024-05-31"
    assert may_report_due({"LICHCT_DAYS_OFF_FILE": str(days_off_file)}) == "2024-05-30"
