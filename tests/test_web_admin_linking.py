"""Telegram linking on ``/can-bo`` when the bot's name is unknown (no token, or a Bot API
that does not answer), and ``outbox.retry``; the app on a real uvicorn in a thread."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from scheduler import services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.http import build_app
from scheduler.reminders import outbox
from scheduler.services import linking, web_access
from scheduler.store.db import migrate
from scheduler.store.models import AuditEntry, Officer, Reminder
from scheduler.web import telegram_link
from tests.net_support import free_port, wait_until
from tests.support_web import csrf_of

NOW = datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ)
PASSWORD = "mat-khau-2024"


@contextlib.contextmanager
def _serve(ctx: AppContext) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    assert wait_until(healthy, timeout=20), "server did not start"
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _context(tmp_path: Path, **settings: str) -> AppContext:
    ctx = AppContext.from_settings(
        Settings(database_url=f"sqlite:///{tmp_path / 'lichct.db'}", **settings),
        clock=FixedClock(NOW),
    )
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        admin = services.add_officer(session, "Lê Văn Quản", NOW, role="admin")
        web_access.set_password(session, admin, PASSWORD, NOW)
        services.add_officer(session, "Trần Thị Bình", NOW)
    return ctx


def _sign_in(client: httpx.Client) -> str:
    form = client.get("/dang-nhap")
    client.post(
        "/dang-nhap",
        data={"csrf": csrf_of(form.text), "name": "Lê Văn Quản", "password": PASSWORD, "next": "/"},
    )
    return csrf_of(client.get("/can-bo").text)


@pytest.mark.parametrize(
    "settings",
    [
        {},  # no bot configured
        # a token, but the Bot API does not answer (nothing listens on that port)
        {"telegram_token": "123456:TEST", "telegram_api_url": "http://127.0.0.1:9/bot"},
    ],
    ids=["no-token", "bot-api-down"],
)
def test_without_the_bots_name_the_page_shows_the_start_command_and_the_code_works(
    tmp_path: Path, settings: dict[str, str]
):
    ctx = _context(tmp_path, **settings)
    telegram_link._known.clear()
    with _serve(ctx) as base, httpx.Client(base_url=base, timeout=15) as client:
        csrf = _sign_in(client)
        page = client.post("/can-bo/2/telegram", data={"csrf": csrf})
    assert page.status_code == 200
    assert "t.me/" not in page.text and "<svg" not in page.text
    shown = re.search(r'id="telegram-start">/start ([A-Z2-9]{10})<', page.text)
    assert shown is not None
    with ctx.db.unit_of_work() as session:
        linked = linking.redeem_link_code(
            session, shown[1], 4242, "private", NOW, secret=ctx.settings.secret_key
        )
        assert isinstance(linked, Officer) and linked.name == "Trần Thị Bình"
        [entry] = session.scalars(select(AuditEntry))
        assert entry.action == "officer.link_code" and entry.officer_id == 1
    ctx.db.dispose()


def test_retry_sets_a_failed_reminder_back_to_pending_now_and_refuses_any_other(
    tmp_path: Path,
):
    ctx = _context(tmp_path)
    with ctx.db.unit_of_work() as session:
        row = outbox.new_row(
            "alert:test",
            channel="telegram",
            kind="alert",
            due_at=NOW - timedelta(days=1),
            now=NOW - timedelta(days=1),
            officer_id=2,
            payload={"text": "x"},
        )
        outbox.enqueue(session, [row])
        reminder = session.scalars(select(Reminder)).one()
        reminder.state, reminder.attempts, reminder.last_error = "failed", 5, "chat not found"
        session.flush()
        later = NOW + timedelta(minutes=5)
        again = outbox.retry(session, reminder.id, later)
        assert (again.state, again.attempts, again.last_error) == ("pending", 0, None)
        assert again.next_attempt_at.astimezone(UTC) == later.astimezone(UTC)
        [(rid, _lease)] = outbox.claim(session, later, 10, timedelta(minutes=1))
        assert rid == reminder.id
        with pytest.raises(InvalidInput, match="không ở trạng thái gửi lỗi"):
            outbox.retry(session, reminder.id, later)
    ctx.db.dispose()
