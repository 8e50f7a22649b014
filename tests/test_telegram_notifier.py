"""The Telegram channel over real HTTP against the local Bot API server."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from notifiers.base import Action, Deferred, DeliveryError, Message, Recipient
from notifiers.pacing import TelegramPacer
from notifiers.telegram import TelegramNotifier
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


class VirtualTime:
    """A monotonic clock for the pacer: ``sleep`` parks the caller until ``run`` moves the
    clock to the earliest wake-up, so no test waits on the wall clock."""

    def __init__(self) -> None:
        self.now = 100.0
        self._wakeups: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._wakeups, (self.now + max(seconds, 0.0), next(self._seq), future))
        await future

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(w) for w in work]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every task that can run reach its next sleep
                await asyncio.sleep(0)
            if self._wakeups:
                at, _, future = heapq.heappop(self._wakeups)
                self.now = max(self.now, at)
                future.set_result(None)
        return [t.result() for t in tasks]


def _pacer(clock: VirtualTime, **kw: Any) -> TelegramPacer:
    return TelegramPacer(clock=clock, sleep=clock.sleep, **kw)


def _sender(
    pacer: TelegramPacer, clock: VirtualTime, log: list[tuple[int, float]], latency: float = 0.2
) -> Callable[[int], Awaitable[None]]:
    """A send that takes ``latency`` seconds; ``log`` gets (chat, instant the server saw it)."""

    async def send(chat: int) -> None:
        async with pacer.turn(chat):
            await clock.sleep(latency / 2)
            log.append((chat, clock.now))
            await clock.sleep(latency / 2)

    return send


def _notifier(api: FakeBotApi, pacer: TelegramPacer | None = None) -> TelegramNotifier:
    return TelegramNotifier(TOKEN, api.url, pacer=pacer)


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


def test_a_private_chat_gets_one_message_a_second_counted_from_the_previous_arrival() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen, latency=0.4)
    asyncio.run(clock.run(*(send(5001) for _ in range(3))))
    times = [t for _, t in seen]
    # The server sees at least a second between two messages, however long a send takes.
    assert [round(b - a, 6) >= 1.0 for a, b in itertools.pairwise(times)] == [True, True]


def test_a_waiting_chat_does_not_hold_back_other_chats() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock, in_flight=1)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen)
    # Only one send at a time, and three messages for chat 5001 queued first.
    asyncio.run(clock.run(send(5001), send(5001), send(5001), send(5002), send(5003)))
    order = [chat for chat, _ in seen]
    assert order[:3] == [5001, 5002, 5003], order
    assert seen[-1][1] - seen[0][1] < 2.5  # the other chats did not wait for 5001's queue


def test_a_group_gets_a_message_every_three_seconds() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock, max_wait=120)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen, latency=0.0)
    asyncio.run(clock.run(*(send(-1001) for _ in range(21))))
    times = [t for _, t in seen]
    assert min(b - a for a, b in itertools.pairwise(times)) == pytest.approx(3.0)
    # Twenty a minute at most, in any minute.
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) == 20


def test_the_global_rate_is_smooth_with_no_burst_after_a_quiet_spell() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen, latency=0.05)
    asyncio.run(clock.run(*(send(6000 + i) for i in range(90))))
    clock.now += 3600  # an idle hour earns no credit
    asyncio.run(clock.run(*(send(7000 + i) for i in range(60))))
    times = sorted(t for _, t in seen)
    busiest = max(sum(1 for t in times if s <= t < s + 1.0) for s in times)
    assert busiest <= 30
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1 / 30
    # ...and close to the ceiling: 90 messages in a bit over three seconds.
    assert times[89] - times[0] < 90 / 28


def test_a_429_slows_every_chat_by_its_retry_after() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen, latency=0.0)
    asyncio.run(clock.run(send(5001)))
    pacer.slow_down(7.0)
    started = clock.now
    asyncio.run(clock.run(send(5002), send(5003)))
    assert min(t for chat, t in seen if chat != 5001) >= started + 7.0


def test_a_long_queue_for_a_busy_group_is_handed_back_to_the_outbox() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock, max_wait=10)
    seen: list[tuple[int, float]] = []
    send = _sender(pacer, clock, seen, latency=0.0)

    async def five_then_one_more() -> float:
        tasks = [asyncio.ensure_future(send(-1001)) for _ in range(4)]
        await asyncio.sleep(0)
        with pytest.raises(Deferred) as refused:
            async with pacer.turn(-1001):
                raise AssertionError("a fifth message must not wait 12 s in the queue")
        await asyncio.gather(*tasks)
        return float(refused.value.retry_after or 0)

    [retry_after] = asyncio.run(clock.run(five_then_one_more()))
    assert retry_after == pytest.approx(12.0)
    assert len(seen) == 4


def test_the_notifier_spaces_two_reminders_to_one_chat_over_http() -> None:
    async def scenario() -> None:
        async with running_botapi() as api:
            notifier = _notifier(api)
            await asyncio.gather(notifier.send(AN, REMINDER), notifier.send(AN, REMINDER))
            await notifier.aclose()
            calls = api.calls_to("sendMessage")
            assert len(calls) == 2
            first, second = api.times_of("sendMessage")
            assert second - first >= 1.0

    asyncio.run(scenario())


def test_a_429_from_the_server_pauses_the_notifier_or_hands_long_waits_back() -> None:
    bình = Recipient(name="Trần Thị Bình", telegram_chat_id=5002)

    async def scenario() -> None:
        async with running_botapi() as api:
            clock = VirtualTime()
            notifier = _notifier(api, _pacer(clock, max_wait=10))
            api.fail_next_with_429("sendMessage", retry_after=5)
            with pytest.raises(DeliveryError):
                await notifier.send(AN, REMINDER)
            before = clock.now
            await clock.run(notifier.send(bình, REMINDER))
            assert clock.now >= before + 5  # another chat waited out the pause
            api.fail_next_with_429("sendMessage", retry_after=30)
            with pytest.raises(DeliveryError):
                await clock.run(notifier.send(AN, REMINDER))
            with pytest.raises(Deferred) as handed_back:
                await notifier.send(bình, REMINDER)
            assert handed_back.value.retry_after == pytest.approx(30, abs=1)
            assert len(api.calls_to("sendMessage")) == 3
            await notifier.aclose()

    asyncio.run(scenario())
