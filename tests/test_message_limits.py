"""Messages fit their channel: Telegram's 4,096 UTF-16 units and a few buttons per row, each
button for an item shown; runaway titles shortened before the deadline and the item number;
short email subjects. Sent through the real notifiers (Bot API stand-in, aiosmtpd)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from notifiers.email import EmailNotifier
from notifiers.limits import shorten, shorten_utf16, utf16_len
from notifiers.telegram import TelegramNotifier
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.reminders import planner
from scheduler.reminders.dispatcher import dispatch_all
from scheduler.reminders.policies import load_policies
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi
from tests.support_reminders import TZ, event, local, officer, rows
from tests.support_smtp import smtp_server

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

POLICIES = load_policies()
CHAT = 118
LONG_TITLE = "Báo cáo kết quả thực hiện công tác dân vận " + "rất dài " * 240  # ~2,000 chars
EMOJI_TITLE = "🙏" * 5000  # 10,000 UTF-16 units


@pytest.fixture(autouse=True)
def _default_policies() -> Iterator[None]:
    planner.configure(POLICIES, TZ)
    yield


def _keyboard(params: dict[str, Any]) -> list[list[dict[str, str]]]:
    markup = params.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return list(markup.get("inline_keyboard", []))


async def _dispatch_until_sent(ctx: AppContext, notifiers: dict[str, Any], at: datetime) -> None:
    """Dispatch passes, a minute apart, until the outbox has nothing left to send now."""
    for _ in range(10):
        await dispatch_all(ctx.db, notifiers, at, policies=POLICIES, tz=TZ)
        with ctx.db.unit_of_work() as s:
            if not [r for r in rows(s, state="pending") if r.next_attempt_at <= at]:
                return
        at += timedelta(minutes=1)


def test_a_burst_of_reminders_with_runaway_titles_splits_into_messages_that_fit(
    ctx: AppContext, clock: FixedClock
) -> None:
    titles = [LONG_TITLE, EMOJI_TITLE, *(f"Báo cáo chuyên đề số {i}" for i in range(12))]
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Sáng Thứ Hai", clock.now(), chat=CHAT)
        made = [
            event(s, f"Việc {i}", date(2024, 5, 23), clock.now(), assignees=[who])
            for i in range(len(titles))
        ]
        # Inputs are bounded now (2,000 characters); a store written before that, or by hand,
        # may still hold longer titles, and a message must fit all the same.
        for item, title in zip(made, titles, strict=True):
            item.title = title
        s.flush()
        ids = [item.id for item in made]
        for r in rows(s, officer_id=who.id, lead="P1D"):
            r.due_at = r.next_attempt_at = local(2024, 5, 21, 23, 0)  # a burst after quiet hours
    slot = local(2024, 5, 22, 7, 0)

    async def scenario() -> list[dict[str, Any]]:
        async with running_botapi() as api:
            notifier = TelegramNotifier.from_settings(TOKEN, api.url)
            try:
                await _dispatch_until_sent(ctx, {"telegram": notifier}, slot)
            finally:
                await notifier.aclose()
            return _sent(api)

    sent = asyncio.run(scenario())
    assert len(sent) >= 2  # 14 items: more than one message holds
    shown: list[int] = []
    for params in sent:
        text = str(params["text"])
        assert utf16_len(text) <= 4096
        numbers = [int(n) for n in re.findall(r" · #(\d+)$", text, flags=re.MULTILINE)]
        # Every line listed ends with its number; one button per item shown, no more.
        assert len(numbers) == len(text.splitlines()) - 1
        keyboard = _keyboard(params)
        assert all(len(row) <= 3 for row in keyboard)
        assert [b["callback_data"] for row in keyboard for b in row] == [
            f"done:{n}" for n in numbers
        ]
        shown += numbers
    assert sorted(shown) == sorted(ids)
    # The runaway titles are shortened with "…" and keep their item number.
    lines = [line for p in sent for line in str(p["text"]).splitlines()]
    assert any("rất dài" in line and line.endswith(f"… · #{ids[0]}") for line in lines)
    assert any(line.endswith(f"🙏… · #{ids[1]}") for line in lines)


def _sent(api: FakeBotApi) -> list[dict[str, Any]]:
    return [c.params for c in api.calls_to("sendMessage")]


def test_a_5000_emoji_title_keeps_the_deadline_line_and_number_within_4096_units(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Trần Văn Bảy", clock.now(), chat=CHAT)
        item = event(s, "Việc", date(2024, 5, 24), clock.now(), assignees=[who])
        item.title = EMOJI_TITLE  # longer than inputs allow now: an older store's title
        eid = item.id
    slot = local(2024, 5, 21, 8, 0)

    async def scenario() -> list[dict[str, Any]]:
        async with running_botapi() as api:
            notifier = TelegramNotifier.from_settings(TOKEN, api.url)
            try:
                await _dispatch_until_sent(ctx, {"telegram": notifier}, slot)
            finally:
                await notifier.aclose()
            return _sent(api)

    [params] = asyncio.run(scenario())
    text = str(params["text"])
    assert utf16_len(text) <= 4096
    header, when, footer = text.splitlines()
    assert header.startswith("⏰ Còn 3 ngày · 🙏") and header.endswith("🙏…")
    assert when == "Hạn: Thứ Sáu, 24/05/2024"
    assert footer.endswith(f"#{eid}")
    assert _keyboard(params)[0][0]["callback_data"] == f"done:{eid}"


def test_an_email_subject_stays_short_and_the_body_keeps_the_deadline(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Lê Thị Tám", clock.now(), email="tam@bdv.tayninh.vn")
        eid = event(s, LONG_TITLE, date(2024, 5, 24), clock.now(), assignees=[who]).id
    slot = local(2024, 5, 21, 8, 0)
    with smtp_server() as (mailbox, port):
        notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}?starttls=false", "a@b.vn")
        asyncio.run(_dispatch_until_sent(ctx, {"email": notifier}, slot))
    [(_, mail)] = mailbox.received
    subject = str(mail["Subject"])
    assert len(subject) <= 150
    assert subject.startswith("⏰ Còn 3 ngày · Báo cáo kết quả") and subject.endswith("…")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Hạn: Thứ Sáu, 24/05/2024" in body and f"#{eid}" in body


def test_shortening_counts_telegram_units_and_never_splits_a_letter_from_its_mark() -> None:
    cut = shorten_utf16("🙏" * 10, 7)
    assert cut == "🙏🙏🙏…" and utf16_len(cut) == 7
    # "Việt" decomposed: the dot and the hat stay with their "e", or the "e" goes too.
    decomposed = "Vie\u0323\u0302t Nam"
    assert shorten(decomposed, 4) == "Vi…"
    assert shorten("Tây Ninh", 20) == "Tây Ninh"
