"""``lichct serve`` as a whole: a due reminder reaches Telegram and email, ``/start CODE``
is answered, and stopping leaves nothing half-sent.

The service runs as a subprocess at a fixed ``LICHCT_NOW``, against the Bot API stand-in
(``support_botapi``) and a real SMTP server (aiosmtpd) on loopback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.net_support import free_port
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi
from tests.support_smtp import Mailbox, smtp_server

pytestmark = pytest.mark.slow

NOW = "2024-05-31T07:31"  # the due day's morning reminder (07:30) has just come due
LAN_CHAT, MINH_CHAT = 5101, 5102


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "from scheduler.cli import entry; entry()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _prepare(env: dict[str, str], folder: Path) -> str:
    """A board with Lan (email, Telegram already linked) owing a report due today, and
    Minh who has a link code to send the bot; returns Minh's code."""
    _cli(env, folder, "init")
    _cli(env, folder, "officers", "add", "Trần Thị Lan", "--email", "lan@example.vn")
    _cli(env, folder, "officers", "add", "Lê Văn Minh")
    with sqlite3.connect(folder / "lichct.db") as db:  # Lan linked her chat last week
        db.execute(
            "UPDATE officers SET telegram_chat_id = ? WHERE name = ?", (LAN_CHAT, "Trần Thị Lan")
        )
    _cli(
        env,
        folder,
        "add",
        "Báo cáo công tác dân vận tháng 5/2024",
        "--date",
        "2024-05-31",
        "--assign",
        "Trần Thị Lan",
    )
    out = _cli(env, folder, "link-code", "Lê Văn Minh")
    code = next(
        w for w in out.replace("/start ", "/start\n").split() if w.isupper() and len(w) >= 6
    )
    return code


async def _until(predicate: Callable[[], Any], within: float, what: str) -> Any:
    """Wait for a condition with a deadline (the SMTP server runs in its own thread)."""
    deadline = time.monotonic() + within
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
    return value


def _states(folder: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(folder / "lichct.db") as db:
        return list(db.execute("SELECT channel, state FROM reminders ORDER BY id"))


def test_serve_delivers_on_both_channels_answers_start_and_stops_cleanly(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
    base.update(
        LICHCT_DATABASE_URL=f"sqlite:///{tmp_path / 'lichct.db'}",
        LICHCT_NOW=NOW,
        LICHCT_MAIL_FROM="lichct@bdv.example.vn",
    )
    code = _prepare(base, tmp_path)

    async def scenario(api: FakeBotApi, mailbox: Mailbox, smtp_port: int) -> str:
        env = dict(
            base,
            LICHCT_TELEGRAM_TOKEN=TOKEN,
            LICHCT_TELEGRAM_API_URL=api.url,
            LICHCT_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from scheduler.cli import entry; entry()",
            "serve",
            "--port",
            str(free_port()),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            # The due reminder reaches Lan on Telegram and by email.
            title = "Báo cáo công tác dân vận tháng 5/2024"
            await api.wait_for(
                lambda: any(title in m["text"] for m in api.sent_to(LAN_CHAT)),
                60,
                "Lan's Telegram reminder",
            )
            await _until(
                lambda: any(title in str(m["Subject"]) for _, m in mailbox.received),
                60,
                "Lan's email reminder",
            )
            assert {tuple(rcpts) for rcpts, _ in mailbox.received} == {("lan@example.vn",)}
            # Minh links his chat with the code, and the bot answers him.
            reply = await api.ask(MINH_CHAT, f"/start {code}", first_name="Minh")
            assert "Lê Văn Minh" in reply
            await _until(
                lambda: (
                    ("telegram", "sent") in _states(tmp_path)
                    and ("email", "sent") in _states(tmp_path)
                ),
                30,
                "both deliveries recorded",
            )
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, output.decode()
        return output.decode()

    async def main() -> tuple[str, int, int]:
        with smtp_server() as (mailbox, smtp_port):
            async with running_botapi() as api:
                output = await scenario(api, mailbox, smtp_port)
                telegrams = len(api.sent_to(LAN_CHAT))
            emails = len(mailbox.received)
        return output, telegrams, emails

    output, telegrams, emails = asyncio.run(main())
    print(output)
    assert "Traceback" not in output
    assert "lichct đã dừng" in output
    states = _states(tmp_path)
    assert all(state != "sending" for _, state in states), states
    # Every delivery is recorded, once: as many sent rows as messages that arrived.
    assert states.count(("telegram", "sent")) == telegrams >= 1
    assert states.count(("email", "sent")) == emails >= 1
