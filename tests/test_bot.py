"""The bot over real HTTP: python-telegram-bot polls the local Bot API server.

Each test starts ``BotRunner`` (the same object ``lichct serve`` starts) against the fake
server, speaks as a user, and checks the bot's answers and the store.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, time, timedelta

import httpx
import pytest
from sqlalchemy import select

from notifiers.base import Action, Message, Recipient
from notifiers.telegram import TelegramNotifier
from scheduler import services
from scheduler.bot.app import SECRET_HEADER, BotRunner
from scheduler.context import AppContext
from scheduler.services import linking
from scheduler.store.models import Completion, Event, Officer, Reminder, Unit
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi
from tests.support_smtp import free_port

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

AN_CHAT, BINH_CHAT, CUONG_CHAT, STRANGER = 5001, 5002, 5003, 7777
GROUP = -100777


@dataclasses.dataclass
class Plan:
    """Ids of what the tests talk about."""

    an: int
    binh: int
    cuong: int
    report: int  # An's May report, due Friday 31/05
    meeting: int  # An's meeting today
    late: int  # An's overdue item
    binhs: int  # Bình's item (another unit)


def _seed(ctx: AppContext) -> Plan:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        an = services.add_officer(session, "Nguyễn Văn An", now, unit="hc-dt")
        binh = services.add_officer(session, "Trần Thị Bình", now, unit="dvcq-dttg")
        cuong = services.add_officer(session, "Lê Văn Cường", now, unit="hc-dt", role="head")
        report = services.add_event(
            session,
            "Báo cáo công tác dân vận tháng 5/2024",
            date(2024, 5, 31),
            now,
            ctx.tz,
            kind="report",
            assignees=[an],
        )
        meeting = services.add_event(
            session,
            "Họp giao ban Phòng Hành chính – Đoàn thể",
            date(2024, 5, 21),
            now,
            ctx.tz,
            at=time(14, 0),
            kind="meeting",
            assignees=[an],
        )
        late = services.add_event(
            session,
            "Báo cáo sơ kết Quy chế dân vận quý I",
            date(2024, 5, 10),
            now,
            ctx.tz,
            kind="report",
            assignees=[an],
        )
        binhs = services.add_event(
            session,
            "Kế hoạch giám sát công tác tôn giáo",
            date(2024, 5, 24),
            now,
            ctx.tz,
            kind="supervision",
            assignees=[binh],
        )
        return Plan(an.id, binh.id, cuong.id, report.id, meeting.id, late.id, binhs.id)


def _link(ctx: AppContext, officer_id: int, chat_id: int) -> None:
    with ctx.db.unit_of_work() as session:
        officer = session.get(Officer, officer_id)
        code = linking.issue_link_code(session, ctx.clock.now(), officer=officer)
        linking.redeem_link_code(session, code, chat_id, "private", ctx.clock.now())


@asynccontextmanager
async def running_bot(ctx: AppContext, **env: str) -> AsyncIterator[FakeBotApi]:
    async with running_botapi() as api:
        ctx.settings = dataclasses.replace(
            ctx.settings, telegram_token=TOKEN, telegram_api_url=api.url
        )
        runner = BotRunner(ctx, env=env, poll_timeout=2)
        await runner.start()
        assert runner.running
        try:
            yield api
        finally:
            await runner.stop()


def run_with_bot(
    ctx: AppContext, scenario: Callable[[FakeBotApi], Awaitable[None]], **env: str
) -> None:
    async def main() -> None:
        async with running_bot(ctx, **env) as api:
            await scenario(api)

    asyncio.run(main())


@pytest.fixture
def plan(ctx: AppContext) -> Plan:
    return _seed(ctx)


# --------------------------------------------------------------------------- linking


def test_an_officer_links_their_chat_by_sending_start_with_the_code(
    ctx: AppContext, plan: Plan
) -> None:
    with ctx.db.unit_of_work() as session:
        an = session.get(Officer, plan.an)
        code = linking.issue_link_code(session, ctx.clock.now(), officer=an)

    async def scenario(api: FakeBotApi) -> None:
        reply = await api.ask(AN_CHAT, f"/start {code}")
        assert "Đã liên kết Telegram với cán bộ Nguyễn Văn An" in reply
        assert "/homnay" in reply
        again = await api.ask(BINH_CHAT, f"/start {code}")
        assert "đã dùng hoặc đã hết hạn" in again
        hello = await api.ask(AN_CHAT, "/start")
        assert hello.startswith("Chào Nguyễn Văn An")

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        assert session.get(Officer, plan.an).telegram_chat_id == AN_CHAT  # type: ignore[union-attr]


def test_a_group_chat_is_linked_to_its_unit_for_digests(ctx: AppContext, plan: Plan) -> None:
    with ctx.db.unit_of_work() as session:
        unit = services.find_unit(session, "hc-dt")
        head = session.get(Officer, plan.cuong)
        code = linking.issue_link_code(session, ctx.clock.now(), officer=head, unit=unit)

    async def scenario(api: FakeBotApi) -> None:
        reply = await api.ask(GROUP, f"/start {code}", chat_type="group", user_id=CUONG_CHAT)
        assert "Nhóm này đã được liên kết với Phòng Hành chính – Đoàn thể và các hội" in reply
        # Personal lists are not shown to a whole group.
        listing = await api.ask(GROUP, "/homnay", chat_type="group", user_id=CUONG_CHAT)
        assert "nhắn riêng" in listing
        greeting = await api.ask(GROUP, "/start", chat_type="group", user_id=STRANGER)
        assert (
            greeting == "Nhóm này nhận bản tin tổng hợp của Phòng Hành chính – Đoàn thể và các hội."
        )

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "hc-dt"))
        assert unit is not None and unit.telegram_chat_id == GROUP


def test_a_chat_that_is_not_linked_gets_a_polite_answer_and_nothing_of_the_plan(
    ctx: AppContext, plan: Plan
) -> None:
    async def scenario(api: FakeBotApi) -> None:
        for command in ("/homnay", "/week", "/quahan", f"/xong {plan.report}", "/tiendo", "/lich"):
            reply = await api.ask(STRANGER, command)
            assert reply.startswith("Xin chào! Bot này chỉ phục vụ cán bộ đã liên kết")
            assert "Báo cáo" not in reply and "#" not in reply
        assert (await api.ask(STRANGER, "/start")).startswith("Xin chào!")
        wrong = await api.ask(STRANGER, "/start ABCDEFGHJK")
        assert "Mã liên kết không đúng" in wrong

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        assert session.get(Event, plan.report).status == "planned"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- lists


def test_today_week_upcoming_and_overdue_list_the_officers_own_items(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        today = await api.ask(AN_CHAT, "/homnay")
        assert today.startswith("📅 Hôm nay, Thứ Ba 21/05/2024")
        assert f"#{plan.meeting} · Họp giao ban" in today
        assert "Báo cáo công tác dân vận tháng 5/2024" not in today
        assert await api.ask(AN_CHAT, "/today") == today

        week = await api.ask(AN_CHAT, "/tuannay")
        assert "Tuần này (20/05/2024 – 26/05/2024)" in week
        assert f"#{plan.meeting}" in week
        assert "Kế hoạch giám sát công tác tôn giáo" not in week  # Bình's, not An's
        assert await api.ask(AN_CHAT, "/week") == week

        upcoming = await api.ask(AN_CHAT, "/sapden")
        assert (
            f"#{plan.report} · Báo cáo công tác dân vận tháng 5/2024 · "
            "hạn Thứ Sáu 31/05/2024 (còn 10 ngày)" in upcoming
        )
        assert await api.ask(AN_CHAT, "/upcoming") == upcoming

        overdue = await api.ask(AN_CHAT, "/quahan")
        assert overdue.startswith("⚠️ Việc quá hạn (1):")
        assert f"#{plan.late} · Báo cáo sơ kết Quy chế dân vận quý I" in overdue
        assert "(quá 11 ngày)" in overdue
        assert await api.ask(AN_CHAT, "/overdue") == overdue

        help_text = await api.ask(AN_CHAT, "/trogiup")
        assert "/xong (/done)" in help_text and "/tiendo (/progress)" in help_text
        assert "/dicoso (/visit)" in help_text
        assert await api.ask(AN_CHAT, "/help") == help_text
        assert (await api.ask(AN_CHAT, "/khonghieu")).startswith("Bot không hiểu lệnh này")

    run_with_bot(ctx, scenario)


# --------------------------------------------------------------------------- done / undo


def test_xong_records_completion_through_the_same_service_as_lichct_done(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        reply = await api.ask(AN_CHAT, f"/xong {plan.report} đã gửi Thường trực")
        assert reply == (
            f"✅ Đã ghi nhận hoàn thành việc #{plan.report}: Báo cáo công tác dân vận tháng 5/2024"
        )
        again = await api.ask(AN_CHAT, f"/done {plan.report}")
        assert "đã được xác nhận hoàn thành từ trước" in again
        undone = await api.ask(AN_CHAT, f"/hoantac {plan.report}")
        assert undone.startswith(f"↩️ Đã hủy xác nhận hoàn thành việc #{plan.report}")
        assert (await api.ask(AN_CHAT, f"/done {plan.report}")).startswith("✅ Đã ghi nhận")
        assert (await api.ask(AN_CHAT, f"/undo {plan.report}")).startswith("↩️ Đã hủy")

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        event = session.get(Event, plan.report)
        assert event is not None and event.status == "planned"
        first, second = session.scalars(
            select(Completion).where(Completion.event_id == plan.report).order_by(Completion.id)
        )
        assert (first.officer_id, first.channel, first.note) == (
            plan.an,
            "telegram",
            "đã gửi Thường trực",
        )
        assert first.withdrawn_at is not None and second.withdrawn_at is not None
        assert second.channel == "telegram"


def test_bad_arguments_to_xong_get_helpful_answers(ctx: AppContext, plan: Plan) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        usage = await api.ask(AN_CHAT, "/xong")
        assert usage.startswith("Cách dùng: /xong MÃ [ghi chú]")
        not_a_number = await api.ask(AN_CHAT, "/xong abc")
        assert "Mã việc không hợp lệ: 'abc'" in not_a_number
        assert "/homnay" in not_a_number
        missing = await api.ask(AN_CHAT, "/xong 99999")
        assert "Không có việc mã #99999" in missing
        someone_elses = await api.ask(AN_CHAT, f"/xong {plan.binhs}")
        assert f"Bạn không phụ trách việc #{plan.binhs}" in someone_elses
        not_done = await api.ask(AN_CHAT, f"/hoantac {plan.report}")
        assert "chưa được xác nhận hoàn thành" in not_done
        await api.ask(AN_CHAT, f"/xong {plan.report}")
        ctx.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
        too_late = await api.ask(AN_CHAT, f"/hoantac {plan.report}")
        assert "Chỉ hoàn tác được trong vòng 1 ngày" in too_late

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        assert session.get(Event, plan.binhs).status == "planned"  # type: ignore[union-attr]


def test_the_unit_head_may_confirm_an_officers_item(ctx: AppContext, plan: Plan) -> None:
    _link(ctx, plan.cuong, CUONG_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        reply = await api.ask(CUONG_CHAT, f"/xong {plan.report}")
        assert reply.startswith(f"✅ Đã ghi nhận hoàn thành việc #{plan.report}")

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        [completion] = session.scalars(select(Completion).where(Completion.event_id == plan.report))
        assert completion.officer_id == plan.cuong


# --------------------------------------------------------------------------- buttons


async def _send_reminder(api: FakeBotApi, event_id: int, reminder_id: int) -> int:
    """Deliver a reminder with both buttons through the Telegram notifier; its message id."""
    notifier = TelegramNotifier.from_settings(TOKEN, api.url)
    message = Message(
        subject="Còn 10 ngày",
        text=f"⏰ Còn 10 ngày · Báo cáo công tác dân vận tháng 5/2024\n"
        f"Hạn: Thứ Sáu, 31/05/2024\nNhiệm vụ chuyên môn · #{event_id}",
        actions=(
            Action("✅ Hoàn thành", f"done:{event_id}"),
            Action("⏰ Nhắc lại sau", f"snooze:{reminder_id}"),
        ),
    )
    delivery = await notifier.send(Recipient("Nguyễn Văn An", telegram_chat_id=AN_CHAT), message)
    await notifier.aclose()
    assert delivery.external_id is not None
    return int(delivery.external_id.split(":")[1])


def _edits(api: FakeBotApi) -> list[dict[str, object]]:
    return [c.params for c in api.calls_to("editMessageText")]


def test_pressing_done_under_a_reminder_records_it_and_edits_the_message(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        message_id = await _send_reminder(api, plan.report, 1)
        await api.press(AN_CHAT, message_id, f"done:{plan.report}")
        await api.wait_for(lambda: _edits(api), what="the reminder to be edited")
        [answer] = api.calls_to("answerCallbackQuery")
        assert answer.params["text"] == "✅ Đã ghi nhận hoàn thành."
        edited = api.messages[(AN_CHAT, message_id)]
        assert edited["text"].startswith("⏰ Còn 10 ngày · Báo cáo công tác dân vận tháng 5/2024")
        assert edited["text"].endswith("✅ Đã hoàn thành · Nguyễn Văn An · 07:59 21/05/2024")
        assert "reply_markup" not in edited  # the buttons are gone

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        [completion] = session.scalars(select(Completion).where(Completion.event_id == plan.report))
        assert (completion.officer_id, completion.channel) == (plan.an, "telegram")


def test_a_button_pressed_by_someone_not_responsible_changes_nothing(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)
    _link(ctx, plan.binh, BINH_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        message_id = await _send_reminder(api, plan.report, 1)
        # A forged press: Bình's account, An's item.
        await api.press(AN_CHAT, message_id, f"done:{plan.report}", user_id=BINH_CHAT)
        [answer] = await api.wait_for(lambda: api.calls_to("answerCallbackQuery"))
        assert f"Bạn không phụ trách việc #{plan.report}" in answer.params["text"]
        assert answer.params["show_alert"] in (True, "true", "True")
        # A stranger's press is refused the same way.
        await api.press(AN_CHAT, message_id, f"done:{plan.report}", user_id=STRANGER)
        await api.wait_for(lambda: len(api.calls_to("answerCallbackQuery")) == 2)
        assert (
            "chỉ phục vụ cán bộ đã liên kết"
            in api.calls_to("answerCallbackQuery")[1].params["text"]
        )
        assert _edits(api) == []

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        assert session.get(Event, plan.report).status == "planned"  # type: ignore[union-attr]


def test_pressing_snooze_moves_the_reminder_and_keeps_the_done_button(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)
    from scheduler.reminders import outbox

    with ctx.db.unit_of_work() as session:
        rows = outbox.remind_now(session, plan.report, ctx.clock.now())
        reminder_id = next(r.id for r in rows if r.officer_id == plan.an)

    async def scenario(api: FakeBotApi) -> None:
        message_id = await _send_reminder(api, plan.report, reminder_id)
        await api.press(AN_CHAT, message_id, f"snooze:{reminder_id}")
        await api.wait_for(lambda: _edits(api), what="the reminder to be edited")
        [answer] = api.calls_to("answerCallbackQuery")
        assert answer.params["text"].startswith("⏰ Sẽ nhắc lại lúc")
        edited = api.messages[(AN_CHAT, message_id)]
        assert "⏰ Sẽ nhắc lại lúc" in edited["text"]
        buttons = edited["reply_markup"]["inline_keyboard"][0]
        assert [b["callback_data"] for b in buttons] == [f"done:{plan.report}"]

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        row = session.get(Reminder, reminder_id)
        assert row is not None and row.due_at > ctx.clock.now()


# --------------------------------------------------------------------------- feed, progress


def test_lich_gives_the_personal_feed_address_once_and_a_new_one_on_request(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        first = await api.ask(AN_CHAT, "/lich")
        assert "Địa chỉ lịch riêng của bạn" in first
        assert "/feeds/" in first and ".ics" in first and "webcal://" in first
        second = await api.ask(AN_CHAT, "/feed")
        assert "Bạn đã có địa chỉ lịch riêng" in second and "/feeds/" not in second
        renewed = await api.ask(AN_CHAT, "/lich moi")
        assert "/feeds/" in renewed and renewed != first

    run_with_bot(ctx, scenario)


def test_tiendo_shows_the_months_figures_and_leaders_see_units_and_the_board(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)
    _link(ctx, plan.cuong, CUONG_CHAT)
    with ctx.db.unit_of_work() as session:
        services.mark_done(session, plan.meeting, ctx.clock.now(), channel="cli")

    async def scenario(api: FakeBotApi) -> None:
        mine = await api.ask(AN_CHAT, "/tiendo")
        assert mine.startswith("📊 Tiến độ tháng 5/2024")
        # May: the meeting (done), the report (open), the quarter report (overdue).
        assert "• Việc của bạn: 1/3 xong · 1 chưa đến hạn · 1 quá hạn" in mine
        assert "Toàn Ban" not in mine
        assert "📍" in mine  # field-visit coverage from scheduler.areas follows
        head = await api.ask(CUONG_CHAT, "/progress")
        assert "• Phòng Hành chính – Đoàn thể và các hội: 1/3 xong" in head
        assert "• Toàn Ban: 1/4 xong · 2 chưa đến hạn · 1 quá hạn" in head

    run_with_bot(ctx, scenario)


# --------------------------------------------------------------------------- failures


def test_a_429_on_a_reply_is_waited_out_and_the_reply_arrives(ctx: AppContext, plan: Plan) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        api.fail_next_with_429("sendMessage", retry_after=1)
        await api.say(AN_CHAT, "/trogiup")
        # The first attempt got the 429; the same reply went out again and succeeded.
        first, second = await api.wait_for(
            lambda: len(api.sent_to(AN_CHAT)) == 2 and api.sent_to(AN_CHAT), what="a retry"
        )
        assert first["text"] == second["text"]
        assert second["text"].startswith("Các lệnh")
        assert len(api.messages) == 1  # one message arrived

    run_with_bot(ctx, scenario)


def test_a_chat_that_blocked_the_bot_does_not_stop_the_bot(ctx: AppContext, plan: Plan) -> None:
    _link(ctx, plan.an, AN_CHAT)
    _link(ctx, plan.binh, BINH_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        api.blocked.add(BINH_CHAT)
        await api.say(BINH_CHAT, "/homnay")
        await api.wait_for(lambda: api.sent_to(BINH_CHAT), what="the refused reply")
        assert (await api.ask(AN_CHAT, "/homnay")).startswith("📅 Hôm nay")

    run_with_bot(ctx, scenario)


# --------------------------------------------------------------------------- runner


def test_the_runner_registers_the_command_menu_and_polls(ctx: AppContext, plan: Plan) -> None:
    async def scenario(api: FakeBotApi) -> None:
        [menu] = api.calls_to("setMyCommands")
        names = [c["command"] for c in menu.params["commands"]]
        assert names[:4] == ["homnay", "tuannay", "sapden", "quahan"]
        await api.wait_for(lambda: api.calls_to("getUpdates"), what="polling")

    run_with_bot(ctx, scenario)


def test_without_a_token_the_runner_logs_that_the_bot_is_off(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    runner = BotRunner(ctx, env={})

    async def scenario() -> None:
        await runner.start()
        assert not runner.running
        await runner.stop()

    with caplog.at_level(logging.INFO, logger="lichct.bot"):
        asyncio.run(scenario())
    assert "Bot Telegram đang tắt: chưa đặt LICHCT_TELEGRAM_TOKEN" in caplog.text


def test_webhook_mode_takes_updates_over_https_post_with_the_secret(
    ctx: AppContext, plan: Plan
) -> None:
    _link(ctx, plan.an, AN_CHAT)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"

    async def scenario(api: FakeBotApi) -> None:
        [hook] = api.calls_to("setWebhook")
        assert hook.params["url"] == url
        secret = hook.params["secret_token"]
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 1716253140,
                "chat": {"id": AN_CHAT, "type": "private"},
                "from": {"id": AN_CHAT, "is_bot": False, "first_name": "An"},
                "text": "/homnay",
                "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
            },
        }
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, json=update, headers={SECRET_HEADER: "sai"})
            assert refused.status_code == 403
            accepted = await client.post(url, json=update, headers={SECRET_HEADER: secret})
            assert accepted.status_code == 200
        reply = await api.wait_for_reply(AN_CHAT, 0)
        assert reply.startswith("📅 Hôm nay")
        assert len(api.sent_to(AN_CHAT)) == 1  # the refused post did nothing
        assert api.calls_to("getUpdates") == []

    run_with_bot(
        ctx,
        scenario,
        LICHCT_TELEGRAM_WEBHOOK_URL=url,
        LICHCT_TELEGRAM_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
    )


def test_the_field_visit_commands_are_served_by_the_same_bot(ctx: AppContext, plan: Plan) -> None:
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        assert (await api.ask(AN_CHAT, "/dicoso")).startswith("Cách dùng: /dicoso")
        assert (await api.ask(AN_CHAT, "/visit")).startswith("Cách dùng: /dicoso")

    run_with_bot(ctx, scenario)


def test_dangnhap_sends_a_one_time_web_sign_in_link_to_a_linked_officer(
    ctx: AppContext, plan: Plan
) -> None:
    from scheduler.services import web_access

    _link(ctx, plan.an, AN_CHAT)
    answers: list[str] = []

    async def scenario(api: FakeBotApi) -> None:
        answers.append(await api.ask(AN_CHAT, "/dangnhap"))
        answers.append(await api.ask(AN_CHAT, "/login"))

    run_with_bot(ctx, scenario)
    tokens = [a.split("/dang-nhap/")[1].split()[0] for a in answers]
    assert all("15 phút" in a for a in answers) and tokens[0] != tokens[1]
    with ctx.db.unit_of_work() as session:
        officer = web_access.redeem_login_link(session, tokens[0], ctx.clock.now())
        assert officer is not None and officer.id == plan.an
        assert web_access.redeem_login_link(session, tokens[0], ctx.clock.now()) is None
