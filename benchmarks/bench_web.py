"""Web page speed: server time of ``/``, ``/lich`` and ``/viec`` on the 2024 plan and on
10,000 events.

Run: python benchmarks/bench_web.py [--requests 200]

The ASGI app of ``lichct serve`` is called in-process and each request is timed from the
first byte in to the last byte out (server time only, no network or client). Two viewers:
the board's admin (sees everything) and an officer of one department (visibility filtered).
Goal: p95 under 100 ms at 10,000 events. The store stands at 2024-05-21 07:59.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import insert, select

from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.http import build_app
from scheduler.services import resolve_officer, web_access
from scheduler.store.models import Assignment, Event, Unit

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "plans" / "2024_100-KH-BDVTU.txt"
NOW = datetime(2024, 5, 21, 0, 59, tzinfo=UTC)
# The list's first page, a later page, and a diacritic-blind search (the first request
# of a search folds every item's wording; the timed ones find it remembered).
PAGES = ("/", "/lich?thang=2024-05", "/viec", "/viec?trang=40", "/viec?q=dan+van+so+12")


def _cli(database_url: str, *args: str) -> None:
    from scheduler.cli import main

    env = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
    env.update(LICHCT_DATABASE_URL=database_url, LICHCT_NOW="2024-05-21T07:59")
    with (
        mock.patch.dict(os.environ, env, clear=True),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        assert main(list(args)) == 0, args


def build_store(folder: Path, extra: int) -> tuple[AppContext, dict[str, str]]:
    """The 2024 plan, two officers, and ``extra`` more items spread over the year."""
    url = f"sqlite:///{folder / 'bench.db'}"
    _cli(url, "init")
    _cli(url, "import", str(PLAN))
    _cli(url, "officers", "add", "Lê Văn Quản", "--unit", "bdvtu", "--role", "admin")
    _cli(url, "officers", "add", "Trần Thị Lan", "--unit", "hc-dt")
    ctx = AppContext.from_settings(Settings(database_url=url), clock=FixedClock(NOW))
    cookies = {}
    with ctx.db.unit_of_work() as session:
        unit_ids = list(session.scalars(select(Unit.id).where(Unit.kind == "department")))
        lan = resolve_officer(session, "Trần Thị Lan")
        if extra:
            rows = [
                {
                    "uid": f"bench-{n}@lichct",
                    "source": "adhoc",
                    "kind": ("report", "meeting", "visit", "plan")[n % 4],
                    "title": f"Báo cáo công tác dân vận số {n}",
                    "text": f"Báo cáo công tác dân vận số {n}, gửi Thường trực Tỉnh ủy.",
                    "start_date": date(2024, 1, 1) + timedelta(days=n % 366),
                    "end_date": date(2024, 1, 1) + timedelta(days=n % 366),
                    "due_date": date(2024, 1, 1) + timedelta(days=n % 366),
                    "all_day": True,
                    "conditional": False,
                    "references": [],
                    "status": "done" if n % 3 == 0 else "planned",
                    "revision": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(extra)
            ]
            session.execute(insert(Event), rows)
            ids = list(session.scalars(select(Event.id).where(Event.uid.like("bench-%"))))
            session.execute(
                insert(Assignment),
                [
                    {"event_id": i, "unit_id": unit_ids[i % len(unit_ids)], "created_at": NOW}
                    if i % 2
                    else {"event_id": i, "officer_id": lan.id, "created_at": NOW}
                    for i in ids
                ],
            )
        for name in ("Lê Văn Quản", "Trần Thị Lan"):
            officer = resolve_officer(session, name)
            cookies[name] = web_access.start_session(session, officer, NOW).cookie
    return ctx, cookies


async def _timed_get(app: Any, path: str, cookie: str) -> tuple[int, float]:
    """One GET through the ASGI app; the time from the call to the last body byte."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"cookie", f"lichct_session={cookie}".encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    started = time.perf_counter()
    await app(scope, receive, send)
    return status, time.perf_counter() - started


async def _measure(app: Any, path: str, cookie: str, requests: int) -> list[float]:
    status, _ = await _timed_get(app, path, cookie)  # warm-up (templates, caches)
    assert status == 200, (path, status)
    times = []
    for _ in range(requests):
        status, spent = await _timed_get(app, path, cookie)
        assert status == 200, (path, status)
        times.append(spent)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    for label, extra in (("2024 plan", 0), ("2024 plan + 10,000 events", 10_000)):
        with tempfile.TemporaryDirectory() as folder:
            ctx, cookies = build_store(Path(folder), extra)
            with ctx.db.unit_of_work() as session:
                total = len(list(session.scalars(select(Event.id))))
            app = build_app(ctx)
            print(f"{label} ({total} events in the store):")
            for viewer, cookie in cookies.items():
                for path in PAGES:
                    times = sorted(asyncio.run(_measure(app, path, cookie, args.requests)))
                    p95 = times[int(len(times) * 0.95) - 1]
                    print(
                        f"  {path:<24} as {viewer:<13} p50 {statistics.median(times) * 1000:6.1f}"
                        f" ms  p95 {p95 * 1000:6.1f} ms  ({args.requests} requests)"
                    )
            ctx.db.dispose()


if __name__ == "__main__":
    main()
