"""The monthly send: on 25/05/2024 at 08:00 every unit head gets May's report draft by email
(a real SMTP server on loopback) and a Telegram note (the Bot API stand-in), once."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime, time
from email.message import EmailMessage
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from notifiers.email import EmailNotifier
from notifiers.telegram import TelegramNotifier
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import load_settings
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.reminders import jobs
from scheduler.reminders.dispatcher import dispatch_all
from scheduler.reminders.report_send import DOCX, load_report_send_policy, plan_report_sends
from scheduler.store.models import Officer, Reminder
from tests.cli_support import run_cli
from tests.conftest import SEED_PLAN
from tests.support_botapi import TOKEN, running_botapi
from tests.support_smtp import smtp_server

PUBLIC = "https://lich.bdv.example.vn"
# name, unit, role, email, Telegram chat
PEOPLE = (
    ("Nguyễn Văn An", "hc-dt", "head", "an@bdv.example.vn", 5001),
    ("Phạm Văn Cường", "dvcq-dttg", "head", "cuong@bdv.example.vn", 5002),
    ("Trần Thị Bình", "hc-dt", "officer", "binh@bdv.example.vn", 5003),
)
UNIT_NAMES = {
    "an@bdv.example.vn": "Phòng Hành chính – Đoàn thể và các hội",
    "cuong@bdv.example.vn": "Phòng Dân vận các cơ quan nhà nước – Dân tộc và Tôn giáo",
}


def local(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def store(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> AppContext:
    """The 2024 plan, two heads and an officer, each with email and Telegram."""
    monkeypatch.setenv("LICHCT_NOW", "2024-05-01T09:00")
    monkeypatch.setenv("LICHCT_PUBLIC_URL", PUBLIC)
    for args in (("init",), ("import", str(SEED_PLAN))):
        assert run_cli(capsys, *args).code == 0
    for name, unit, role, email, _chat in PEOPLE:
        added = run_cli(
            capsys, "officers", "add", name, "--unit", unit, "--role", role, "--email", email
        )
        assert added.code == 0, added.err
    ctx = AppContext.from_settings(load_settings(), clock=FixedClock(local(1, 9)))
    with ctx.db.unit_of_work() as session:
        for name, *_rest, chat in PEOPLE:
            officer = session.scalar(select(Officer).where(Officer.name == name))
            assert officer is not None
            officer.telegram_chat_id = chat
    return ctx


def _drafts(
    mailbox_received: list[tuple[list[str], EmailMessage]],
) -> dict[str, list[EmailMessage]]:
    got: dict[str, list[EmailMessage]] = {}
    for to, message in mailbox_received:
        if str(message["Subject"]).startswith("Dự thảo báo cáo"):
            got.setdefault(to[0], []).append(message)
    return got


def test_on_the_25th_each_head_gets_the_draft_once_by_email_and_a_note_on_telegram(
    store: AppContext,
) -> None:
    ctx = store

    async def scenario() -> tuple[dict[str, list[EmailMessage]], dict[int, list[dict]], list]:
        with smtp_server() as (mailbox, port):
            async with running_botapi() as api:
                notifiers = {
                    "email": EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lich@bdv.vn"),
                    "telegram": TelegramNotifier.from_settings(TOKEN, api.url),
                }

                async def tick(now: datetime) -> None:
                    jobs.run_daily_planning(ctx, now)
                    await dispatch_all(
                        ctx.db,
                        notifiers,
                        now,
                        tz=LOCAL_TZ,
                        public_url=PUBLIC,
                        extra=ctx.settings.extra,
                    )

                await tick(local(24, 8))
                await tick(local(25, 7, 59))
                before = _drafts(mailbox.received)
                await tick(local(25, 8))
                await tick(local(25, 8, 1))  # the planning again: nothing new
                await tick(local(26, 8))
                notes = {
                    chat: [m for m in api.sent_to(chat) if "Dự thảo báo cáo" in str(m.get("text"))]
                    for *_rest, chat in PEOPLE
                }
                return before, notes, list(mailbox.received)

    before, notes, received = asyncio.run(scenario())
    assert before == {}
    drafts = _drafts(received)
    assert sorted(drafts) == ["an@bdv.example.vn", "cuong@bdv.example.vn"]
    for address, messages in drafts.items():
        assert len(messages) == 1, address
        message = messages[0]
        assert str(message["Subject"]) == (
            f"Dự thảo báo cáo công tác dân vận tháng 5/2024 – {UNIT_NAMES[address]}"
        )
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == DOCX
        assert attachment.get_filename() == "bao-cao-thang-2024-05.docx"
        document = Document(io.BytesIO(attachment.get_content()))
        lines = [p.text for p in document.paragraphs if p.text.strip()]
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert "BÁO CÁO" in lines
        assert any("Tây Ninh, ngày 25 tháng 5 năm 2024" in c for c in cells)
        subject = " ".join(lines[lines.index("BÁO CÁO") + 1 : lines.index("BÁO CÁO") + 3])
        assert f"tháng 5 năm 2024 của {UNIT_NAMES[address]}" in subject
        body = message.get_body(("plain",))
        assert body is not None and f"{PUBLIC}/bao-cao?thang=2024-05" in body.get_content()
    # One note each to the heads; none to the officer.
    assert [len(notes[chat]) for *_rest, chat in PEOPLE] == [1, 1, 0]
    note = notes[5001][0]
    assert "tháng 5/2024 của Phòng Hành chính" in note["text"]
    markup = note["reply_markup"]
    buttons = (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]
    assert [b["url"] for row in buttons for b in row] == [f"{PUBLIC}/bao-cao?thang=2024-05"]
    with ctx.db.unit_of_work() as session:
        rows = list(session.scalars(select(Reminder).where(Reminder.kind == "report")))
    assert (
        sorted((r.channel, r.state) for r in rows)
        == [("email", "sent")] * 2 + [("telegram", "sent")] * 2
    )


def test_the_send_day_and_time_come_from_the_configuration(
    store: AppContext, tmp_path: Path
) -> None:
    policy = load_report_send_policy({"report": {"send": {"day": 31, "time": "07:30"}}})
    assert (policy.day, policy.at) == (31, time(7, 30))
    # June has 30 days: its send falls on the last one.
    assert policy.send_at(2024, 6, LOCAL_TZ) == datetime(2024, 6, 30, 7, 30, tzinfo=LOCAL_TZ)
    with store.db.unit_of_work() as session:
        assert plan_report_sends(session, local(2, 0, 5), LOCAL_TZ, policy) == 4
        assert plan_report_sends(session, local(3, 0, 5), LOCAL_TZ, policy) == 0
        due = {
            r.due_at.astimezone(LOCAL_TZ)
            for r in session.scalars(select(Reminder))
            if r.kind == "report"
        }
    assert due == {local(31, 7, 30)}
    off = load_report_send_policy({"report": {"send": {"enabled": False}}})
    with store.db.unit_of_work() as session:
        assert plan_report_sends(session, local(2), LOCAL_TZ, off) == 0
    for wrong in ({"day": 0}, {"day": "25"}, {"time": "8h"}, {"enabled": "yes"}, {"hour": 8}):
        with pytest.raises(InvalidInput, match=r"\[report.send\]"):
            load_report_send_policy({"report": {"send": wrong}})
