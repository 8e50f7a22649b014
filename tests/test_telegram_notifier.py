"""The Telegram channel over real HTTP against the local Bot API server."""

from __future__ import annotations

import asyncio

import pytest

from notifiers.base import Action, DeliveryError, Message, Recipient
from notifiers.telegram import ChatRateLimiter, TelegramNotifier
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi

REMINDER = Message(
    subject="Còn 3 ngày: Báo cáo công tác dân vận tháng 5/2024",
    text=(
        "⏰ Còn 3 ngày · Báo cáo công tác dân vận tháng 5/2024\n"
        "Hạn: Thứ Sáu, 31/05/2024\nNhiệm vụ chuyên môn · #37"
    ),
    actions=(Action("✅ Hoàn thành", "done:37"), Action("⏰ Nhắc lại sau", "snooze:512")),
    event_id=37,
    reminder_id=512,
)
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

AN = Recipient(name="Nguyễn Văn An", telegram_chat_id=5001, officer_id=1)


class FakeTime:
    """A monotonic clock whose sleeper moves time forward instead of waiting."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _notifier(api: FakeBotApi, limiter: ChatRateLimiter | None = None) -> TelegramNotifier:
    notifier = TelegramNotifier.from_settings(TOKEN, api.url)
    if limiter is not None:
        notifier.limiter = limiter
    return notifier


def test_a_reminder_arrives_with_done_and_snooze_buttons() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            notifier = _notifier(api)
            delivery = await notifier.send(AN, REMINDER)
            await notifier.aclose()
            [call] = api.calls_to("sendMessage")
            assert int(call.params["chat_id"]) == 5001
            assert call.params["text"].startswith("⏰ Còn 3 ngày · Báo cáo công tác dân vận")
            buttons = call.params["reply_markup"]["inline_keyboard"][0]
            assert [(b["text"], b["callback_data"]) for b in buttons] == [
                ("✅ Hoàn thành", "done:37"),
                ("⏰ Nhắc lại sau", "snooze:512"),
            ]
            chat_id, message_id = delivery.external_id.split(":")  # type: ignore[union-attr]
            assert (int(chat_id), int(message_id)) in api.messages

    asyncio.run(scenario())


def test_a_429_is_a_transient_failure_carrying_retry_after_and_the_next_try_succeeds() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            notifier = _notifier(api)
            api.fail_next_with_429("sendMessage", retry_after=7)
            with pytest.raises(DeliveryError) as failure:
                await notifier.send(AN, REMINDER)
            assert failure.value.permanent is False
            assert failure.value.retry_after == 7
            # The outbox re-queues the same message; the next attempt goes through.
            delivery = await notifier.send(AN, REMINDER)
            assert delivery.external_id
            assert len(api.calls_to("sendMessage")) == 2
            await notifier.aclose()

    asyncio.run(scenario())


def test_a_chat_that_blocked_the_bot_is_a_permanent_failure() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            api.blocked.add(5001)
            notifier = _notifier(api)
            with pytest.raises(DeliveryError) as failure:
                await notifier.send(AN, REMINDER)
            assert failure.value.permanent is True
            assert "bị chặn" in str(failure.value)
            await notifier.aclose()

    asyncio.run(scenario())


def test_a_chat_that_does_not_exist_is_a_permanent_failure() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            api.unknown.add(5001)
            notifier = _notifier(api)
            with pytest.raises(DeliveryError) as failure:
                await notifier.send(AN, REMINDER)
            assert failure.value.permanent is True
            assert "chat not found" in str(failure.value).lower()
            await notifier.aclose()

    asyncio.run(scenario())


def test_a_server_error_is_transient_and_a_wrong_token_is_permanent() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            notifier = _notifier(api)
            api.fail_next(
                "sendMessage",
                502,
                {"ok": False, "error_code": 502, "description": "Bad Gateway"},
            )
            with pytest.raises(DeliveryError) as failure:
                await notifier.send(AN, REMINDER)
            assert failure.value.permanent is False
            await notifier.aclose()

            wrong = TelegramNotifier.from_settings("999:wrong", api.url)
            with pytest.raises(DeliveryError) as bad_token:
                await wrong.send(AN, REMINDER)
            assert bad_token.value.permanent is True
            assert "999:wrong" not in str(bad_token.value)

    asyncio.run(scenario())


def test_an_unreachable_api_is_transient() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            url = api.url
        # The server is gone: nothing listens on that port any more.
        notifier = TelegramNotifier.from_settings(TOKEN, url)
        with pytest.raises(DeliveryError) as failure:
            await notifier.send(AN, REMINDER)
        assert failure.value.permanent is False

    asyncio.run(scenario())


def test_a_recipient_without_telegram_is_a_permanent_failure() -> None:
    notifier = TelegramNotifier.from_settings(TOKEN, "http://127.0.0.1:9/bot")
    with pytest.raises(DeliveryError) as failure:
        asyncio.run(notifier.send(Recipient(name="Trần Thị Bình", email="b@example.vn"), REMINDER))
    assert failure.value.permanent is True


def test_a_private_chat_gets_at_most_one_message_a_second() -> None:
    fake = FakeTime()
    limiter = ChatRateLimiter(clock=fake, sleep=fake.sleep)

    async def scenario() -> None:
        for _ in range(3):
            await limiter.acquire(5001)
        await limiter.acquire(5002)  # another chat is not held back

    asyncio.run(scenario())
    assert fake.slept == [1.0, 1.0]


def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    fake = FakeTime()
    limiter = ChatRateLimiter(clock=fake, sleep=fake.sleep, max_wait=120)

    async def scenario() -> None:
        for _ in range(20):
            await limiter.acquire(-1001)
            fake.now += 0.5
        await limiter.acquire(-1001)

    asyncio.run(scenario())
    # Twenty went out in ten seconds; the 21st waits until the first leaves the minute.
    assert fake.slept == [pytest.approx(50.0)]


def test_a_long_wait_for_a_busy_group_is_handed_back_to_the_outbox() -> None:
    fake = FakeTime()
    limiter = ChatRateLimiter(clock=fake, sleep=fake.sleep, max_wait=5)

    async def scenario() -> None:
        for _ in range(20):
            await limiter.acquire(-1001)
        await limiter.acquire(-1001)

    with pytest.raises(DeliveryError) as failure:
        asyncio.run(scenario())
    assert failure.value.permanent is False
    assert failure.value.retry_after == pytest.approx(60.0)
    assert fake.slept == []


def test_the_notifier_spaces_two_reminders_to_one_chat() -> None:
    fake = FakeTime()

    async def scenario() -> None:
        async with running_botapi() as api:
            notifier = _notifier(api, ChatRateLimiter(clock=fake, sleep=fake.sleep))
            await notifier.send(AN, REMINDER)
            await notifier.send(AN, REMINDER)
            await notifier.aclose()
            assert len(api.calls_to("sendMessage")) == 2

    asyncio.run(scenario())
    assert fake.slept == [1.0]
