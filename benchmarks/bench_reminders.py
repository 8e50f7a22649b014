"""Benchmark of the reminder engine: planner time for 10,000 events, dispatcher throughput.

    python benchmarks/bench_reminders.py [--events 10000] [--reminders 2000]

Runs on a temporary SQLite file, and on PostgreSQL too when ``LICHCT_TEST_PG_URL`` is set
(its tables are dropped and re-created). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_support import linked_officers  # noqa: E402

from notifiers.base import Delivery, Message, Recipient  # noqa: E402
from scheduler.clock import LOCAL_TZ  # noqa: E402
from scheduler.reminders import outbox, planner  # noqa: E402
from scheduler.reminders.dispatcher import dispatch_all  # noqa: E402
from scheduler.reminders.policies import load_policies  # noqa: E402
from scheduler.store.db import Database, make_engine, migrate  # noqa: E402
from scheduler.store.models import Assignment, Base, Event  # noqa: E402

NOW = datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ)


class CountingNotifier:
    """A recording notifier that only counts (the cost measured is the outbox's)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.count = 0

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        self.count += 1
        return Delivery(external_id=str(self.count))


def _fresh(url: str) -> Database:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)
    engine.dispose()
    return Database(url)


def _officers(db: Database, count: int = 20) -> list[int]:
    with db.unit_of_work() as session:
        people = linked_officers(session, count, NOW, first_chat=1000, email=True)
        return [p.id for p in people]


# Seconds per 10,000 events that the planner should stay within (it was a test's bound).
_PLANNER_TARGETS = {"first run (creates rows)": 20.0, "second run (nothing to do)": 10.0}


def bench_planner(db: Database, events: int) -> None:
    officers = _officers(db)
    kinds = ("report", "plan", "visit", "meeting", "supervision", "other")
    with db.unit_of_work() as session:
        session.add_all(
            Event(
                uid=f"bench-{i}",
                kind=kinds[i % len(kinds)],
                title=f"Việc thử {i}",
                start_date=date(2024, 5, 1) + timedelta(days=i % 240),
                end_date=date(2024, 5, 1) + timedelta(days=i % 240),
                due_date=date(2024, 5, 1) + timedelta(days=i % 240),
                created_at=NOW,
                updated_at=NOW,
                assignments=[Assignment(officer_id=officers[i % len(officers)], created_at=NOW)],
            )
            for i in range(events)
        )
    for label in ("first run (creates rows)", "second run (nothing to do)"):
        started = time.perf_counter()
        with db.unit_of_work() as session:
            stats = planner.plan_all(session, NOW)
        elapsed = time.perf_counter() - started
        target = _PLANNER_TARGETS[label] * events / 10_000
        verdict = "within" if elapsed <= target else "OVER"
        print(
            f"  planner, {stats.events} events, {label}: {elapsed:.2f} s "
            f"({stats.changed} rows written; target {target:.0f} s: {verdict})"
        )


def bench_dispatch(db: Database, reminders: int) -> None:
    officers = _officers(db, 1)
    with db.unit_of_work() as session:
        rows = [
            outbox.new_row(
                f"bench:{i}",
                channel="telegram",
                kind="visit",
                due_at=NOW - timedelta(minutes=1),
                now=NOW,
                officer_id=officers[0],
                payload={"subject": f"Tin {i}", "text": f"Tin thử {i}"},
            )
            for i in range(reminders)
        ]
        for start in range(0, len(rows), 500):
            outbox.enqueue(session, rows[start : start + 500])
    notifier = CountingNotifier("telegram")
    started = time.perf_counter()
    stats = asyncio.run(
        dispatch_all(
            db, {"telegram": notifier}, NOW, batch_size=100, policies=load_policies(), tz=LOCAL_TZ
        )
    )
    elapsed = time.perf_counter() - started
    print(
        f"  dispatcher, {stats.sent} reminders to a recording notifier: {elapsed:.2f} s "
        f"= {stats.sent / elapsed:.0f} reminders/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--reminders", type=int, default=2_000)
    args = parser.parse_args()
    planner.configure(load_policies(), LOCAL_TZ)
    targets = []
    folder = tempfile.mkdtemp(prefix="lichct-bench-")
    targets.append(("SQLite", lambda name: f"sqlite:///{folder}/{name}.db"))
    pg = os.environ.get("LICHCT_TEST_PG_URL")
    if pg:
        targets.append(("PostgreSQL", lambda _name: pg))
    else:
        print("(LICHCT_TEST_PG_URL not set: PostgreSQL skipped)")
    for label, url_for in targets:
        print(f"{label}:")
        db = _fresh(url_for("planner"))
        bench_planner(db, args.events)
        db.dispose()
        db = _fresh(url_for("dispatch"))
        bench_dispatch(db, args.reminders)
        db.dispose()


if __name__ == "__main__":
    main()
