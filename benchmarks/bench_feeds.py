"""ICS feed speed: rendering 1,000 and 10,000 events, next to plain icalendar, and a 304.

Run: python benchmarks/bench_feeds.py [--sizes 1000 10000] [--requests 2000]

* "plain icalendar" builds the same events (same properties, VALARM and VTIMEZONE
  included) with icalendar's Calendar/Event/Alarm and calls ``to_ical()`` once; it is the
  yardstick (goal: lichct within 1.5x of it).
* "lichct cold" is ``calendars.ics.render_calendar`` with its VEVENT cache emptied;
  "lichct, one edited" is the next render after one event changed (what a feed costs
  after a typical edit); "store -> bytes" adds the selection and mapping from a SQLite
  store of that size (``scheduler.feeds.render_feed``).
* The 304 is measured in-process (the ASGI app called directly, so only server time is
  counted) and over loopback through a real uvicorn server (client time included).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import icalendar
import uvicorn
from sqlalchemy import insert

from calendars.ics import IcsEvent, clear_cache, describe, render_calendar
from scheduler import feeds, services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.http import build_app
from scheduler.plans.seed import seed_database
from scheduler.store.db import migrate
from scheduler.store.models import Assignment, Event

NOW = datetime(2024, 5, 21, 0, 59, tzinfo=UTC)
WORDING = (
    "Báo cáo kết quả thực hiện công tác dân vận tháng {n}, gửi Thường trực Tỉnh ủy; "
    "lồng ghép kết quả thực hiện Chỉ thị 05-CT/TU và Kết luận 114-KL/TW."
)


def sample_events(count: int) -> list[IcsEvent]:
    """Realistic values: a fifth timed, a tenth done, observances with a lunar date."""
    events = []
    for n in range(count):
        day = date(2024, 1, 1) + timedelta(days=n % 366)
        timed = n % 5 == 0
        start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL_TZ)
        events.append(
            IcsEvent(
                uid=f"plan-2024-{n}@lichct",
                number=n,
                title=f"Báo cáo công tác dân vận số {n}",
                text=WORDING.format(n=n),
                start_date=day,
                end_date=day + timedelta(days=2 if n % 7 == 0 else 0),
                all_day=not timed,
                start_at=start if timed else None,
                end_at=start + timedelta(hours=2) if timed else None,
                due=day,
                modified=NOW - timedelta(minutes=n),
                created=NOW - timedelta(days=30),
                sequence=n % 4,
                task=n % 11 != 0,
                lunar="rằm tháng Bảy năm Giáp Thìn" if n % 11 == 0 else None,
                references=("05-CT/TU", "114-KL/TW"),
                assignees=("Trần Thị Lan", "Phòng Hành chính – Đoàn thể và các hội"),
                status="done" if n % 10 == 3 else "planned",
                confirmed_by="Trần Thị Lan" if n % 10 == 3 else None,
                confirmed_at=NOW if n % 10 == 3 else None,
                categories=("Báo cáo",),
                alarm_before=timedelta(days=1) if timed else timedelta(hours=15),
            )
        )
    return events


def plain_icalendar(events: list[IcsEvent]) -> bytes:
    """The yardstick: the same properties through icalendar, the obvious way."""
    calendar = icalendar.Calendar()
    for name, value in (
        ("prodid", "-//bench//VI"),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
        ("name", "Lịch công tác"),
        ("x-wr-calname", "Lịch công tác"),
    ):
        calendar.add(name, value)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add_component(
        icalendar.Timezone.from_tzid(
            "Asia/Ho_Chi_Minh", first_date=date(1976, 1, 1), last_date=date(2100, 1, 1)
        )
    )
    for e in events:
        v = icalendar.Event()
        v.add("uid", e.uid)
        v.add("dtstamp", e.modified)
        v.add("created", e.created)
        v.add("last-modified", e.modified)
        v.add("sequence", e.sequence)
        if e.all_day:
            v.add("dtstart", e.start_date)
            v.add("dtend", e.end_date + timedelta(days=1))
        else:
            v.add("dtstart", e.start_at)
            v.add("dtend", e.end_at)
        v.add("summary", e.title)
        v.add("description", describe(e, LOCAL_TZ))
        v.add("categories", list(e.categories))
        v.add("status", "CONFIRMED")
        v.add("transp", "TRANSPARENT" if e.all_day else "OPAQUE")
        if e.status == "planned":
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", e.title)
            alarm.add("trigger", -(e.alarm_before or timedelta()))
            v.add_component(alarm)
        calendar.add_component(v)
    return calendar.to_ical()


def timed(action: Callable[[], Any], repeat: int = 1) -> float:
    """Best of ``repeat`` runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def bench_render(count: int) -> None:
    events = sample_events(count)
    rounds = 5 if count <= 1000 else 2

    def cold() -> None:
        clear_cache()
        render_calendar("Lịch công tác", events, LOCAL_TZ)

    # Interleaved rounds (plain, lichct, plain, ...): a machine whose speed drifts weighs on
    # both alike; the ratio printed is the median of the rounds' ratios.
    pairs = [(timed(lambda: plain_icalendar(events)), timed(cold)) for _ in range(rounds)]
    plain = statistics.median(p for p, _ in pairs)
    lichct_cold = statistics.median(c for _, c in pairs)
    ratio = statistics.median(c / p for p, c in pairs)
    render_calendar("Lịch công tác", events, LOCAL_TZ)
    edited = list(events)
    edited[count // 2] = replace(edited[count // 2], sequence=99, modified=NOW)
    one_edited = timed(lambda: render_calendar("Lịch công tác", edited, LOCAL_TZ))
    size = len(render_calendar("Lịch công tác", events, LOCAL_TZ))
    print(
        f"{count:>6} events ({size / 1e6:.1f} MB): plain icalendar {plain * 1000:8.0f} ms | "
        f"lichct cold {lichct_cold * 1000:8.0f} ms ({ratio:.2f}x, median of {rounds} rounds) | "
        f"lichct, one edited {one_edited * 1000:6.0f} ms ({one_edited / plain:.2f}x)"
    )


def build_store(folder: Path, count: int) -> tuple[AppContext, str, int]:
    """A SQLite store with ``count`` plan events, every one given to officer 1."""
    ctx = AppContext.from_settings(
        Settings(database_url=f"sqlite:///{folder / 'bench.db'}"), clock=FixedClock(NOW)
    )
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        seed_database(session, NOW, ctx.tz)
        officer = services.add_officer(session, "Trần Thị Lan", NOW, unit="hc-dt")
        rows = [
            {
                "uid": f"bench-{n}@lichct",
                "source": "plan",
                "kind": "report",
                "title": f"Báo cáo công tác dân vận số {n}",
                "text": WORDING.format(n=n),
                "start_date": date(2024, 1, 1) + timedelta(days=n % 366),
                "end_date": date(2024, 1, 1) + timedelta(days=n % 366),
                "due_date": date(2024, 1, 1) + timedelta(days=n % 366),
                "all_day": True,
                "conditional": False,
                "references": ["05-CT/TU"],
                "status": "planned",
                "revision": 1,
                "created_at": NOW,
                "updated_at": NOW - timedelta(minutes=n),
            }
            for n in range(count)
        ]
        session.execute(insert(Event), rows)
        ids = [i for (i,) in session.execute(Event.__table__.select().with_only_columns(Event.id))]
        session.execute(
            insert(Assignment),
            [{"event_id": i, "officer_id": officer.id, "created_at": NOW} for i in ids],
        )
        token = feeds.issue_token(session, officer, NOW)
        officer_id = officer.id
    return ctx, token, officer_id


def bench_store(count: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ctx, token, officer_id = build_store(Path(folder), count)
        scope = feeds.FeedScope("officer", officer_id)
        clear_cache()
        with ctx.db.unit_of_work() as session:
            started = time.perf_counter()
            body = feeds.render_feed(session, scope, NOW, ctx.tz)
            cold = time.perf_counter() - started
        with ctx.db.unit_of_work() as session:
            started = time.perf_counter()
            feeds.render_feed(session, scope, NOW, ctx.tz)
            warm = time.perf_counter() - started
        print(
            f"{count:>6} events in the store: store -> bytes cold {cold * 1000:8.0f} ms, "
            f"warm cache {warm * 1000:6.0f} ms ({len(body) / 1e6:.1f} MB)"
        )
        app = build_app(ctx)
        path = f"/feeds/{token}.ics"
        status, headers = asyncio.run(_asgi_get(app, path, {}))
        assert status == 200, status
        etag = headers["etag"]
        timings = asyncio.run(_asgi_repeat(app, path, {"if-none-match": etag}, requests))
        print(
            f"{count:>6} events, 304 in-process (server time): median "
            f"{statistics.median(timings) * 1e6:.0f} µs, p95 "
            f"{sorted(timings)[int(len(timings) * 0.95)] * 1e6:.0f} µs over {requests} requests"
        )
        loopback, closing = _loopback(app, path, etag, max(requests // 4, 50))
        print(
            f"{count:>6} events, 304 over loopback on serve's socket (client time, uvicorn + "
            f"httpx): keep-alive repeated requests median {statistics.median(loopback) * 1e3:.2f}"
            f" ms, max {max(loopback) * 1e3:.2f} ms; Connection: close median "
            f"{statistics.median(closing) * 1e3:.2f} ms"
        )
        ctx.db.dispose()


async def _asgi_get(app: Any, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Call the ASGI app directly: no client, no socket, only the server's own work."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}

    await app(scope, receive, send)
    return answer["status"], answer["headers"]


async def _asgi_repeat(app: Any, path: str, headers: dict[str, str], n: int) -> list[float]:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        status, _ = await _asgi_get(app, path, headers)
        timings.append(time.perf_counter() - started)
        assert status == 304, status
    return timings


def _loopback(app: Any, path: str, etag: str, n: int) -> tuple[list[float], list[float]]:
    """Requests over loopback to a server on the socket ``lichct serve`` binds: the first
    list reuses one keep-alive connection (the first request, which connects, left out),
    the second opens a connection per request."""
    from scheduler.runtime import bind

    listener = bind("127.0.0.1", 0)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    headers = {"If-None-Match": etag, "Accept-Encoding": "identity"}
    timings: list[float] = []
    closing: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(n + 1):
                started = time.perf_counter()
                answer = client.get(path, headers=headers)
                timings.append(time.perf_counter() - started)
                assert answer.status_code == 304
        for _ in range(max(n // 4, 10)):
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                started = time.perf_counter()
                answer = client.get(path, headers={**headers, "Connection": "close"})
                closing.append(time.perf_counter() - started)
                assert answer.status_code == 304
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
    return timings[1:], closing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(f"icalendar {icalendar.__version__}")
    for count in args.sizes:
        bench_render(count)
    for count in args.sizes:
        bench_store(count, args.requests)


if __name__ == "__main__":
    main()
