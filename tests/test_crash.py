"""A dispatcher process killed with SIGKILL between claim and send, or between send and
mark: on restart every reminder is delivered, and duplicates are counted and bounded by the
batch that was in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from scheduler.reminders.dispatcher import TEST_HOOK_ENV
from scheduler.reminders.policies import load_policies
from scheduler.store.db import Database
from scheduler.store.models import Reminder
from tests.support_reminders import (
    deliveries,
    fresh_database,
    local,
    seed_due_reminders,
)

pytestmark = pytest.mark.slow

WORKER = Path(__file__).resolve().parent / "support_reminders.py"
NOW = local(2024, 5, 21, 9, 0)
LEASE = load_policies().lease
COUNT = 12
BATCH = 5


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        url = str(request.getfixturevalue("pg_url"))
    else:
        url = f"sqlite:///{tmp_path / 'crash.db'}"
    fresh_database(url)
    db = Database(url)
    with db.unit_of_work() as session:
        seed_due_reminders(session, COUNT, NOW)
    db.dispose()
    return url


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.02)


def worker(
    url: str, record: Path, now_iso: str, hook: str | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop(TEST_HOOK_ENV, None)
    if hook:
        env[TEST_HOOK_ENV] = hook
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, str(record), now_iso, "--batch", str(BATCH)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run_to_end(url: str, record: Path, now_iso: str) -> None:
    proc = worker(url, record, now_iso)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


def states(url: str) -> dict[str, int]:
    db = Database(url)
    with db.unit_of_work() as session:
        found = dict(
            session.execute(select(Reminder.state, func.count()).group_by(Reminder.state)).all()
        )
    db.dispose()
    return {str(k): int(v) for k, v in found.items()}


def kill_at(url: str, record: Path, point: str, tmp_path: Path) -> None:
    signal_file = tmp_path / f"{point}.signal"
    proc = worker(url, record, NOW.isoformat(), hook=f"{point}:{signal_file}")
    try:
        wait_for(lambda: signal_file.exists() or proc.poll() is not None)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_killed_between_claim_and_send_every_reminder_is_still_delivered_once(
    db_url: str, tmp_path: Path
) -> None:
    record = tmp_path / "delivered.jsonl"
    kill_at(db_url, record, "after_claim", tmp_path)
    assert deliveries(record) == {}
    assert states(db_url) == {"sending": BATCH, "pending": COUNT - BATCH}
    run_to_end(db_url, record, NOW.isoformat())  # the dead worker's lease still holds
    assert states(db_url) == {"sending": BATCH, "sent": COUNT - BATCH}
    run_to_end(db_url, record, (NOW + LEASE + timedelta(seconds=1)).isoformat())
    counts = deliveries(record)
    assert len(counts) == COUNT and set(counts.values()) == {1}
    assert states(db_url) == {"sent": COUNT}


def test_killed_between_send_and_mark_duplicates_are_bounded_by_the_batch(
    db_url: str, tmp_path: Path
) -> None:
    record = tmp_path / "delivered.jsonl"
    kill_at(db_url, record, "after_send", tmp_path)
    assert sum(deliveries(record).values()) == 1
    run_to_end(db_url, record, (NOW + LEASE + timedelta(seconds=1)).isoformat())
    counts = deliveries(record)
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == COUNT, "every reminder is delivered"
    assert 1 <= duplicates <= BATCH, f"{duplicates} duplicates"
    assert states(db_url) == {"sent": COUNT}
