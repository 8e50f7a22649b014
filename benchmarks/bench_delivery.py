"""Benchmark of Telegram delivery at the Bot API's ceiling.

    python benchmarks/bench_delivery.py [--reminders 600] [--chats 200]

600 due reminders to 200 linked private chats go through the real dispatcher, the real
python-telegram-bot stack and the Bot API stand-in (tests/support_botapi.py) on loopback, in
two orders: each chat's three reminders next to each other in the outbox (one officer's
digest and reminders), and spread out. Prints the elapsed time, its ratio to the floor that
Telegram's limits allow (600 / 30 per second = 20 s), and how many of the requests a strict
server would have refused with 429 (more than 30 in any one-second window overall, or two to
one chat less than a second apart), counted from the stand-in's own arrival times.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_support import linked_officers  # noqa: E402

from notifiers.telegram import TelegramNotifier  # noqa: E402
from scheduler.clock import LOCAL_TZ  # noqa: E402
from scheduler.reminders import outbox, planner  # noqa: E402
from scheduler.reminders.dispatcher import dispatch_all  # noqa: E402
from scheduler.reminders.policies import load_policies  # noqa: E402
from scheduler.store.db import Database, make_engine, migrate  # noqa: E402
from tests.support_botapi import TOKEN  # noqa: E402

NOW = datetime(2024, 5, 21, 9, 0, tzinfo=LOCAL_TZ)
GLOBAL_LIMIT = 30  # messages in any one-second window
CHAT_GAP = 1.0  # seconds between two messages to one private chat


def strict_refusals(arrivals: list[tuple[float, int]]) -> tuple[int, int]:
    """(global, per-chat) 429s a strict server would have answered, in arrival order."""
    accepted: list[float] = []
    last: dict[int, float] = {}
    over_global = over_chat = 0
    for at, chat in sorted(arrivals):
        recent = sum(1 for t in accepted[-GLOBAL_LIMIT:] if t > at - 1.0)
        if recent >= GLOBAL_LIMIT:
            over_global += 1
            continue
        if chat in last and at - last[chat] < CHAT_GAP:
            over_chat += 1
            continue
        accepted.append(at)
        last[chat] = at
    return over_global, over_chat


def seed(url: str, reminders: int, chats: int, adjacent: bool) -> Database:
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    db = Database(url)
    per_chat = reminders // chats
    with db.unit_of_work() as session:
        people = linked_officers(session, chats, NOW, first_chat=700_000)
        order = (
            [(c, k) for c in range(chats) for k in range(per_chat)]
            if adjacent
            else [(c, k) for k in range(per_chat) for c in range(chats)]
        )
        outbox.enqueue(
            session,
            [
                outbox.new_row(
                    f"bench:{c}:{k}",
                    channel="telegram",
                    kind="visit",
                    due_at=NOW - timedelta(minutes=1),
                    now=NOW,
                    officer_id=people[c].id,
                    payload={"subject": f"Tin {k}", "text": f"Tin thử {k} cho cán bộ {c}"},
                )
                for c, k in order
            ],
        )
    return db


async def run_case(db: Database, lanes: int) -> tuple[float, list[tuple[float, int]], int]:
    # The stand-in runs in its own process, so its arrival times are not skewed by sharing
    # this event loop (time.monotonic is one clock for every process of the machine).
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, before anything is timed
        [sys.executable, str(ROOT / "tests" / "support_botapi.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])},
    )
    assert server.stdin is not None and server.stdout is not None
    url = server.stdout.readline().strip()
    notifier = TelegramNotifier(TOKEN, url)
    started = time.monotonic()
    stats = await dispatch_all(
        db, {"telegram": notifier}, NOW, policies=load_policies(), tz=LOCAL_TZ
    )
    elapsed = time.monotonic() - started
    await notifier.aclose()
    out, _ = server.communicate("", timeout=60)
    arrivals = [(float(at), int(chat)) for at, chat in json.loads(out.strip().splitlines()[-1])]
    return elapsed, arrivals, stats.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reminders", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--lanes", type=int, default=2, help="batches in flight at once")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    planner.configure(load_policies(), LOCAL_TZ)
    floor = args.reminders / GLOBAL_LIMIT
    folder = tempfile.mkdtemp(prefix="lichct-bench-delivery-")
    print(f"{args.reminders} reminders to {args.chats} chats; floor {floor:.1f} s (30 msg/s)")
    for label, adjacent in (("each chat's reminders adjacent", True), ("spread out", False)):
        db = seed(f"sqlite:///{folder}/{int(adjacent)}.db", args.reminders, args.chats, adjacent)
        elapsed, arrivals, sent = asyncio.run(run_case(db, args.lanes))
        db.dispose()
        over_global, over_chat = strict_refusals(arrivals)
        times = sorted(t for t, _ in arrivals)
        busiest = max(
            (sum(1 for u in times[i : i + 60] if u < t + 1.0) for i, t in enumerate(times)),
            default=0,
        )
        print(
            f"  {label}: {sent} sent in {elapsed:.1f} s = {elapsed / floor:.2f}x the floor; "
            f"busiest second {busiest} messages; would-be 429s of a strict server: "
            f"{over_global + over_chat} ({over_global} global, {over_chat} per chat)"
        )


if __name__ == "__main__":
    main()
