"""Benchmark of dispatcher workers sharing one PostgreSQL outbox.

    LICHCT_TEST_PG_URL=postgresql+psycopg://... python benchmarks/bench_workers.py

Seeds ``--reminders`` (10,000) due reminders, then drains them with 1 and with 3 worker
processes (each the real
dispatcher with a recording notifier, started together once imported) and prints each
drain's throughput, the speed-up of 3 workers over 1, and whether every reminder was
delivered exactly once. The tables of the database named by ``LICHCT_TEST_PG_URL`` are
dropped and re-created. Asserts nothing.

A drain ends when the last worker has recorded its last result (each worker reports that
instant on the machine's monotonic clock; interpreter shutdown is not counted). Each line
also says how busy the machine was during the drain (``/proc/stat``: cores in use out of
all) and the workers' own CPU time per reminder, so a speed-up below the number of workers
can be told apart: a machine already saturated, or work that grew with more workers.
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
from dataclasses import dataclass
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


def worker(url: str, lanes: int) -> None:
    """One worker process: wait for the go line on stdin, drain, print what it did as JSON."""
    planner.configure(load_policies(), LOCAL_TZ)
    db = Database(url)
    with db.engine.connect():
        pass  # connect before the clock starts
    notifier = RecordingIds()
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    asyncio.run(
        dispatch_all(
            db, {"telegram": notifier}, NOW, policies=load_policies(), tz=LOCAL_TZ, lanes=lanes
        )
    )
    done = {"ids": notifier.ids, "end": time.monotonic(), "cpu": time.process_time() - cpu}
    db.dispose()
    print(json.dumps(done), flush=True)


def busy_cores() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs so far, or None where /proc/stat is missing."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


@dataclass
class Drain:
    elapsed: float
    counts: Counter[int]
    worker_cpu: float
    # Cores in use during the drain (all processes: workers, PostgreSQL, the kernel).
    cores_busy: float | None


def drain(url: str, workers: int, lanes: int) -> Drain:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", url, "--lanes", str(lanes)],
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
    before = busy_cores()
    started = time.monotonic()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    counts: Counter[int] = Counter()
    ends, cpu = [], 0.0
    for proc in procs:
        assert proc.stdout is not None
        done = json.loads(proc.stdout.readline())
        counts.update(done["ids"])
        ends.append(done["end"])
        cpu += done["cpu"]
    after = busy_cores()
    for proc in procs:
        proc.communicate(timeout=600)
    cores = None
    if before and after and after[1] > before[1]:
        cores = (os.cpu_count() or 1) * (after[0] - before[0]) / (after[1] - before[1])
    return Drain(max(ends) - started, counts, cpu, cores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument(
        "--lanes", type=int, default=2, help="batches in flight in each worker (default 2)"
    )
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.lanes)
        return
    url = os.environ.get("LICHCT_TEST_PG_URL")
    if not url:
        print("LICHCT_TEST_PG_URL is not set: nothing to measure")
        return
    rates = {}
    for workers in (1, 3):
        seed(url, args.reminders)
        run = drain(url, workers, args.lanes)
        counts = run.counts
        once = len(counts) == args.reminders and set(counts.values()) == {1}
        rates[workers] = args.reminders / run.elapsed
        busy = "" if run.cores_busy is None else f"{run.cores_busy:.2f} of {os.cpu_count()} "
        print(
            f"  {workers} worker(s): {args.reminders} reminders in {run.elapsed:.2f} s = "
            f"{rates[workers]:.0f}/s; each delivered exactly once: {'yes' if once else 'NO'} "
            f"({sum(counts.values())} deliveries, {len(counts)} distinct); "
            f"{busy}cores busy; workers' CPU {run.worker_cpu / args.reminders * 1e6:.0f} µs "
            "per reminder"
        )
    print(f"  3 workers / 1 worker: {rates[3] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
