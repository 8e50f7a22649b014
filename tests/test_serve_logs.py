"""``lichct serve`` as an operator reads its log: no secret in it, little noise, local time,
and no 40 ms stall on kept-alive connections.

The service runs as a subprocess with a bot token, against the Bot API stand-in; the test
fetches feeds, links a chat, guesses a code, then reads the whole log.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from scheduler import services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.feeds.tokens import issue_token
from scheduler.plans.seed import seed_database
from scheduler.services import linking
from scheduler.store.db import migrate
from tests.net_support import free_port
from tests.support_botapi import TOKEN, running_botapi

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

AN_CHAT = 5001
NOW = "2024-05-21T07:59"
SECRET_KEY = "khoa-may-chu-cua-ban-dan-van"


def _prepare(db_url: str) -> tuple[str, str]:
    """A store with An, her feed token and a link code (the secrets the log must not show)."""
    clock = FixedClock(datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ))
    ctx = AppContext.from_settings(Settings(database_url=db_url), clock=clock)
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        seed_database(session, clock.now(), ctx.tz)
        an = services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")
        token = issue_token(session, an, clock.now())
        code = linking.issue_link_code(session, clock.now(), officer=an, secret=SECRET_KEY)
    ctx.db.dispose()
    return token, code


def _start_serve(env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen[str]:
    command = "from scheduler.cli import entry; entry()"
    return subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _timed_gets(client: httpx.Client, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def test_serve_logs_no_secret_little_noise_in_local_time_and_keeps_connections_fast(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'lichct.db'}"
    token, code = _prepare(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    async def main() -> str:
        async with running_botapi() as api:
            env = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
            env.update(
                LICHCT_DATABASE_URL=db_url,
                LICHCT_NOW=NOW,
                LICHCT_TELEGRAM_TOKEN=TOKEN,
                LICHCT_TELEGRAM_API_URL=api.url,
                LICHCT_SECRET_KEY=SECRET_KEY,
                LICHCT_PUBLIC_URL=base,
            )
            process = _start_serve(env, port, tmp_path)
            try:
                await api.wait_for(lambda: api.calls_to("getUpdates"), 30, "the bot polling")
                await asyncio.to_thread(_use_http, base, token)
                assert "Mã liên kết không đúng" in await api.ask(AN_CHAT, "/start ABCDEFGHJK")
                linked = await api.ask(AN_CHAT, f"/start {code}")
                assert "Đã liên kết Telegram với cán bộ Nguyễn Văn An" in linked
                feed = await api.ask(AN_CHAT, "/lich moi")
                assert "/feeds/" in feed  # the bot's answer carries the address, the log not
                process.send_signal(signal.SIGTERM)
                output, _ = await asyncio.to_thread(process.communicate, timeout=30)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.communicate()
            assert process.returncode == 0, output
            bot_feed = re.search(r"/feeds/([A-Za-z0-9_-]+)\.ics", feed)
            assert bot_feed is not None
            return output + "\n" + bot_feed.group(1)

    output, _, bot_token = asyncio.run(main()).rpartition("\n")
    # Nothing secret, anywhere in the log.
    for secret in (token, bot_token, code, TOKEN, TOKEN.split(":")[1], SECRET_KEY):
        assert secret not in output
    # Requests are still logged, with the token masked.
    assert '"GET /feeds/***.ics HTTP/1.1" 200' in output
    assert '"GET /feeds/***.ics HTTP/1.1" 304' in output
    assert "GET /feeds/public/observances.ics" in output
    # APScheduler's per-run lines and httpx's per-call lines are gone.
    assert "Running job" not in output and "executed successfully" not in output
    assert "HTTP Request:" not in output
    # Every line is stamped in the office's time, with its offset.
    lines = [line for line in output.splitlines() if line.strip()]
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00 (INFO|WARNING|ERROR) ")
    assert lines and all(stamp.match(line) for line in lines), lines[:5]
    assert "lichct đã dừng" in output


def _use_http(base: str, token: str) -> None:
    with httpx.Client(timeout=5) as client:
        feed = client.get(f"{base}/feeds/{token}.ics")
        assert feed.status_code == 200
        again = client.get(
            f"{base}/feeds/{token}.ics", headers={"If-None-Match": feed.headers["etag"]}
        )
        assert again.status_code == 304
        assert client.get(f"{base}/feeds/{'x' * 22}.ics").status_code == 404
        # Ten requests on one kept-alive connection: no Nagle/delayed-ACK stall (~40 ms).
        public = f"{base}/feeds/public/observances.ics"
        times = _timed_gets(client, public, 11)[1:]
    assert statistics.median(times) < 0.020, [f"{t * 1000:.1f} ms" for t in times]
    assert sum(t > 0.040 for t in times) <= 2, [f"{t * 1000:.1f} ms" for t in times]
