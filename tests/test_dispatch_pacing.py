"""The dispatcher and the channels' pacing: a busy chat is put back at the precise time its
channel asks, a paced Telegram never holds email's slots, and results recorded in batches
keep the lease check."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from notifiers.base import Deferred, Delivery, Message, Recipient
from notifiers.recording import RecordingNotifier
from scheduler.context import AppContext
from scheduler.reminders import outbox, planner
from scheduler.reminders.dispatcher import DispatchStats, dispatch_all
from scheduler.reminders.policies import load_policies
from scheduler.store.models import Reminder
from tests.support_reminders import TZ, local, officer, rows

POLICIES = load_policies()
NOW = local(2024, 5, 21, 9, 0)


@pytest.fixture(autouse=True)
def _default_policies() -> Iterator[None]:
    planner.configure(POLICIES, TZ)
    yield


def seed(ctx: AppContext, channel: str, count: int, name: str) -> list[int]:
    with ctx.db.unit_of_work() as s:
        who = officer(s, name, NOW, chat=5000 + count, email=f"{count}@example.vn")
        outbox.enqueue(
            s,
            [
                outbox.new_row(
                    f"pacing:{channel}:{i}",
                    channel=channel,
                    kind="visit",
                    due_at=NOW - timedelta(minutes=1),
                    now=NOW,
                    officer_id=who.id,
                    payload={"subject": f"Tin {i}", "text": f"Tin thử số {i}"},
                )
                for i in range(count)
            ],
        )
        return [r.id for r in rows(s, officer_id=who.id)]


def dispatch(ctx: AppContext, notifiers: dict[str, object], now=NOW) -> DispatchStats:  # type: ignore[no-untyped-def]
    return asyncio.run(
        asyncio.wait_for(
            dispatch_all(ctx.db, notifiers, now, policies=POLICIES, tz=TZ),  # type: ignore[arg-type]
            timeout=30,
        )
    )


class BusyChat:
    """A paced channel whose chat is busy for the next 12.5 seconds."""

    channel = "telegram"
    paced = True

    def __init__(self) -> None:
        self.busy = True
        self.sent: list[Message] = []

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        if self.busy:
            raise Deferred("bận", retry_after=12.5)
        self.sent.append(message)
        return Delivery(external_id=str(len(self.sent)))


def test_a_busy_chat_is_put_back_at_the_precise_time_without_losing_an_attempt(
    ctx: AppContext,
) -> None:
    [rid] = seed(ctx, "telegram", 1, "Chờ Lượt")
    notifier = BusyChat()
    stats = dispatch(ctx, {"telegram": notifier})
    assert (stats.sent, stats.paced, stats.retried, stats.failed) == (0, 1, 0, 0)
    assert "giãn nhịp gửi 1" in stats.line()
    with ctx.db.unit_of_work() as s:
        row = s.get(Reminder, rid)
        assert row is not None
        assert row.state == "pending" and row.attempts == 0
        assert row.next_attempt_at == NOW + timedelta(seconds=12.5)
    notifier.busy = False
    assert dispatch(ctx, {"telegram": notifier}, NOW + timedelta(seconds=12)).sent == 0
    assert dispatch(ctx, {"telegram": notifier}, NOW + timedelta(seconds=13)).sent == 1


class CountingEmail(RecordingNotifier):
    """Records email and says when ``expected`` messages have gone."""

    def __init__(self, expected: int) -> None:
        super().__init__("email")
        self.expected = expected
        self.all_sent = asyncio.Event()

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        delivery = await super().send(recipient, message)
        if len(self.sent) >= self.expected:
            self.all_sent.set()
        return delivery


class HeldTelegram:
    """A paced channel whose every send waits until email has delivered everything."""

    channel = "telegram"
    paced = True

    def __init__(self, email: CountingEmail) -> None:
        self.email = email
        self.sent = 0

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        await self.email.all_sent.wait()
        self.sent += 1
        return Delivery(external_id=f"t{self.sent}")


def test_email_has_its_own_slots_while_telegram_waits(ctx: AppContext) -> None:
    seed(ctx, "telegram", 2 * POLICIES.concurrency + 2, "Chờ Telegram")
    seed(ctx, "email", 3, "Nhận Email")
    email = CountingEmail(expected=3)
    telegram = HeldTelegram(email)
    stats = dispatch(ctx, {"telegram": telegram, "email": email})
    assert stats.sent == 2 * POLICIES.concurrency + 5
    assert len(email.sent) == 3 and telegram.sent == 2 * POLICIES.concurrency + 2


class TakenOver:
    """Delivers, but while sending the first row another worker takes that row over."""

    channel = "telegram"

    def __init__(self, ctx: AppContext, rid: int) -> None:
        self.ctx = ctx
        self.rid = rid
        self.sent = 0

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        if message.reminder_id == self.rid:
            with self.ctx.db.unit_of_work() as s:
                s.execute(
                    update(Reminder)
                    .where(Reminder.id == self.rid)
                    .values(lease_until=NOW + timedelta(hours=9))
                )
        self.sent += 1
        return Delivery(external_id=f"x{self.sent}")


def test_results_written_in_batches_keep_the_lease_check(ctx: AppContext) -> None:
    ids = seed(ctx, "telegram", 5, "Mất Lượt")
    stolen = ids[2]
    notifier = TakenOver(ctx, stolen)
    stats = asyncio.run(
        dispatch_all(ctx.db, {"telegram": notifier}, NOW, policies=POLICIES, tz=TZ, max_batches=1)  # type: ignore[dict-item]
    )
    assert (stats.sent, stats.lost) == (4, 1)
    with ctx.db.unit_of_work() as s:
        found = {r.id: r for r in rows(s, officer_id=s.get(Reminder, stolen).officer_id)}  # type: ignore[union-attr]
        assert found[stolen].state == "sending"  # left to the worker that holds the lease
        assert found[stolen].external_id is None
        others = [r for i, r in found.items() if i != stolen]
        assert len(others) == 4
        assert all(r.state == "sent" and (r.external_id or "")[:1] == "x" for r in others)
