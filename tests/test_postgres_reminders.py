"""PostgreSQL: several dispatcher processes share one outbox with SKIP LOCKED and deliver
every reminder exactly once; the planner's idempotent inserts hold there too."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from notifiers.recording import RecordingNotifier
from scheduler.reminders import planner
from scheduler.reminders.dispatcher import dispatch_all
from scheduler.reminders.policies import load_policies
from scheduler.store.db import Database
from scheduler.store.models import Reminder
from tests.support_reminders import (
    TZ,
    deliveries,
    event,
    fresh_database,
    local,
    officer,
    rows,
    seed_due_reminders,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKER = Path(__file__).resolve().parent / "support_reminders.py"
NOW = local(2024, 5, 21, 9, 0)


@pytest.fixture
def pg(pg_url: str) -> Database:
    fresh_database(pg_url)
    db = Database(pg_url)
    planner.configure(load_policies(), TZ)
    yield db  # type: ignore[misc]
    db.dispose()


def test_three_workers_deliver_two_thousand_reminders_exactly_once(
    pg: Database, tmp_path: Path
) -> None:
    with pg.unit_of_work() as session:
        seed_due_reminders(session, 2000, NOW)
    record = tmp_path / "delivered.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "LICHCT_DISPATCH_TEST_HOOK"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                pg.url,
                str(record),
                NOW.isoformat(),
                "--batch",
                "50",
                "--worker",
                f"w{i}",
                "--barrier",
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    # A barrier: nobody starts before every worker has connected and said so; otherwise
    # the first to start could take everything and the sharing would go untested.
    for proc in procs:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "READY", (line, proc.stderr.read() if proc.stderr else "")
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    counts = deliveries(record)
    assert len(counts) == 2000
    assert set(counts.values()) == {1}, "no reminder delivered twice"
    assert sum(r["sent"] for r in reports) == 2000
    assert sum(1 for r in reports if r["sent"] > 0) >= 2, f"work was shared: {reports}"
    with pg.unit_of_work() as session:
        by_state = dict(
            session.execute(select(Reminder.state, func.count()).group_by(Reminder.state)).all()
        )
    assert by_state == {"sent": 2000}


def test_planning_and_dispatching_on_postgresql(pg: Database) -> None:
    with pg.unit_of_work() as session:
        who = officer(session, "Nguyễn Thị Lan", NOW, chat=101)
        ev = event(
            session,
            "Báo cáo tháng 5/2024",
            date(2024, 5, 31),
            local(2024, 5, 21, 7, 59),
            assignees=[who],
        )
        planner.plan_all(session, NOW)
        planner.sync_event(session, ev, NOW)
        assert [r.lead for r in rows(session, event_id=ev.id)] == ["P7D", "P3D", "P1D", "P0D"]
    notifier = RecordingNotifier()
    stats = asyncio.run(
        dispatch_all(
            pg, {"telegram": notifier}, local(2024, 5, 24, 8, 0), policies=load_policies(), tz=TZ
        )  # type: ignore[dict-item]
    )
    assert stats.sent == 1
    assert notifier.sent[0][1].subject == "⏰ Còn 7 ngày · Báo cáo tháng 5/2024"
