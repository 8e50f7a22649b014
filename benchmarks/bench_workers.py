"""Benchmark of dispatcher workers sharing one PostgreSQL outbox.

    LICHCT_TEST_PG_URL=postgresql+psycopg://... python benchmarks/bench_workers.py

Seeds ``--reminders`` (10,000) due reminders, then drains them with 1 and with 3 worker
processes (each the real
dispatcher with a recording notifier, started together once imported) and prints each
drain's throughput, the speed-up of 3 workers over 1, and whether every reminder was
delivered exactly once. The tables of the database named by ``LICHCT_TEST_PG_URL`` are
dropped and re-created. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
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
from scheduler.store.models import Base  # noqa: E402

NOW = datetime(2024, 5, 21, 9, 0, tzinfo=LOCAL_TZ)


class RecordingIds:
    """Keeps the id of every reminder it delivers."""

    channel = "telegram"

    def __init__(self) -> None:
        self.ids: list[int] = []

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        self.ids.append(message.reminder_id or 0)
        return Delivery(external_id=str(len(self.ids)))


def seed(url: str, count: int, officers: int = 50) -> None:
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)
    engine.dispose()
    db = Database(url)
    with db.unit_of_work() as session:
        people = linked_officers(session, officers, NOW, first_chat=800_000)
        outbox.enqueue(
            session,
            [
                outbox.new_row(
                    f"bench:{i}",
                    channel="telegram",
                    kind="visit",
                    due_at=NOW - timedelta(minutes=1),
                    now=NOW,
                    officer_id=people[i % officers].id,
                    payload={"subject": f"Tin {i}", "text": f"Tin thử {i}"},
                )
                for i in range(count)
            ],
        )
    db.dispose()


def worker(url: str) -> None:
    """One worker process: wait for the go line on stdin, drain, print the ids as JSON."""
    planner.configure(load_policies(), LOCAL_TZ)
    db = Database(url)
    with db.engine.connect():
        pass  # connect before the clock starts
    notifier = RecordingIds()
    print("ready", flush=True)
    sys.stdin.readline()
    asyncio.run(
        dispatch_all(db, {"telegram": notifier}, NOW, policies=load_policies(), tz=LOCAL_TZ)
    )
    db.dispose()
    print(json.dumps(notifier.ids), flush=True)


def drain(url: str, workers: int) -> tuple[float, Counter[int]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready": imported and connected
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    counts: Counter[int] = Counter()
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        counts.update(json.loads(out.strip().splitlines()[-1]))
    return time.perf_counter() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    url = os.environ.get("LICHCT_TEST_PG_URL")
    if not url:
        print("LICHCT_TEST_PG_URL is not set: nothing to measure")
        return
    rates = {}
    for workers in (1, 3):
        seed(url, args.reminders)
        elapsed, counts = drain(url, workers)
        once = len(counts) == args.reminders and set(counts.values()) == {1}
        rates[workers] = args.reminders / elapsed
        print(
            f"  {workers} worker(s): {args.reminders} reminders in {elapsed:.2f} s = "
            f"{rates[workers]:.0f}/s; each delivered exactly once: {'yes' if once else 'NO'} "
            f"({sum(counts.values())} deliveries, {len(counts)} distinct)"
        )
    print(f"  3 workers / 1 worker: {rates[3] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
