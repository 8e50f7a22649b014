"""``/dicoso``: the service path of the handler, and one end-to-end run through a fake Bot API."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import fieldwork as areas
from scheduler.bot.app import BotRunner
from scheduler.bot.visits import choose_reply, visit_reply
from scheduler.clock import LOCAL_TZ
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.store.models import Officer, Visit
from tests.support_areas import give_area, load_2024, officer
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

NOW = datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ)
AN_CHAT = 6001


@pytest.fixture
def an(session: Session) -> Officer:
    load_2024(session)
    person = officer(session, "Nguyễn Văn An", chat_id=AN_CHAT)
    give_area(session, person, "Huyện Tân Biên", "Tân Bình (Tây Ninh)")
    return person


def _visits(session: Session) -> list[tuple[str, date, str | None, str]]:
    rows = session.scalars(select(Visit).order_by(Visit.id))
    return [
        (session.get(areas.Unit, v.unit_id).name, v.visit_date, v.note, v.channel) for v in rows
    ]  # type: ignore[union-attr]


def test_dicoso_without_diacritics_logs_today_with_the_rest_as_note(
    session: Session, an: Officer
) -> None:
    reply = visit_reply(session, an, "tan lap hop dan ap 3", NOW, LOCAL_TZ)
    assert reply.choices == []
    assert reply.text.startswith(
        "✅ Đã ghi ngày đi cơ sở: Xã Tân Lập (Huyện Tân Biên), 21/05/2024."
    )
    assert "Ghi chú: hop dan ap 3" in reply.text
    assert "📍 Đi cơ sở tháng 5/2024: 1 ngày" in reply.text
    assert _visits(session) == [("Xã Tân Lập", date(2024, 5, 21), "hop dan ap 3", "telegram")]


def test_dicoso_twice_the_same_day_says_it_counts_once(session: Session, an: Officer) -> None:
    visit_reply(session, an, "Xã Tân Lập", NOW, LOCAL_TZ)
    again = visit_reply(session, an, "tan lap", NOW, LOCAL_TZ)
    assert again.text.startswith("Đã ghi từ trước: Xã Tân Lập (Huyện Tân Biên), 21/05/2024")
    assert len(_visits(session)) == 1


def test_dicoso_with_a_date_logs_that_day(session: Session, an: Officer) -> None:
    reply = visit_reply(session, an, "20/5 Thạnh Tây", NOW, LOCAL_TZ)
    assert "Xã Thạnh Tây (Huyện Tân Biên), 20/05/2024" in reply.text
    with pytest.raises(InvalidInput, match="chưa tới"):
        visit_reply(session, an, "22/5 Thạnh Tây", NOW, LOCAL_TZ)
    assert len(_visits(session)) == 1


def test_an_ambiguous_name_asks_back_and_the_choice_logs_with_the_note(
    session: Session, an: Officer
) -> None:
    reply = visit_reply(session, an, "tan binh | gặp già làng", NOW, LOCAL_TZ)
    assert reply.text.startswith("Có 2 nơi khớp")
    assert [label for label, _ in reply.choices] == [
        "Xã Tân Bình (Huyện Tân Biên)",
        "Xã Tân Bình (Thành phố Tây Ninh)",
    ]
    assert _visits(session) == []
    chosen = reply.choices[1][1]
    text = choose_reply(session, an, chosen, reply.day, reply.note, NOW, LOCAL_TZ)
    assert text.startswith("✅ Đã ghi ngày đi cơ sở: Xã Tân Bình (Thành phố Tây Ninh)")
    assert _visits(session) == [("Xã Tân Bình", date(2024, 5, 21), "gặp già làng", "telegram")]


def test_an_unknown_name_offers_the_closest_or_says_it_is_unknown(
    session: Session, an: Officer
) -> None:
    close = visit_reply(session, an, "Tonlap", NOW, LOCAL_TZ)
    assert close.text.startswith("Không tìm thấy “Tonlap”. Có phải")
    assert close.choices[0][0] == "Xã Tân Lập (Huyện Tân Biên)"
    unknown = visit_reply(session, an, "Atlantis", NOW, LOCAL_TZ)
    assert unknown.text.startswith("⚠️ Không tìm thấy xã, phường “Atlantis”")
    assert unknown.choices == [] and _visits(session) == []


def test_an_officer_with_no_area_is_told_so(session: Session) -> None:
    load_2024(session)
    binh = officer(session, "Trần Thị Bình", chat_id=6002)
    reply = visit_reply(session, binh, "Tân Lập", NOW, LOCAL_TZ)
    assert "chưa được phân công địa bàn" in reply.text
    assert _visits(session) == []


def test_empty_dicoso_explains_the_command(session: Session, an: Officer) -> None:
    assert visit_reply(session, an, "  ", NOW, LOCAL_TZ).text.startswith("Cách dùng: /dicoso")


def test_dicoso_end_to_end_through_the_bot_with_a_question_and_a_button(ctx: AppContext) -> None:
    with ctx.db.unit_of_work() as session:
        load_2024(session)
        person = officer(session, "Nguyễn Văn An", chat_id=AN_CHAT)
        give_area(session, person, "Huyện Tân Biên")

    async def main() -> None:
        async with running_botapi() as api:
            ctx.settings = dataclasses.replace(
                ctx.settings, telegram_token=TOKEN, telegram_api_url=api.url
            )
            runner = BotRunner(ctx, env={}, poll_timeout=2)
            await runner.start()
            try:
                await scenario(api)
            finally:
                await runner.stop()

    async def scenario(api: FakeBotApi) -> None:
        reply = await api.ask(AN_CHAT, "/dicoso tan lap hop dan")
        assert reply.startswith("✅ Đã ghi ngày đi cơ sở: Xã Tân Lập (Huyện Tân Biên)")
        group = await api.ask(-100555, "/dicoso Tân Lập", chat_type="group", user_id=AN_CHAT)
        assert group.startswith("Để ghi ngày đi cơ sở, hãy nhắn riêng cho bot")
        question = await api.ask(AN_CHAT, "/visit Tân Bình gặp già làng")
        assert question.startswith("Có 2 nơi khớp")
        key = max(k for k in api.messages if k[0] == AN_CHAT)
        sent = api.messages[key]
        buttons = [b[0] for b in sent["reply_markup"]["inline_keyboard"]]
        assert [b["text"] for b in buttons] == [
            "Xã Tân Bình (Huyện Tân Biên)",
            "Xã Tân Bình (Thành phố Tây Ninh)",
            "Hủy",
        ]
        await api.press(AN_CHAT, sent["message_id"], buttons[0]["callback_data"])
        edited = await api.wait_for(
            lambda: api.messages[(AN_CHAT, sent["message_id"])]["text"].startswith("✅"),
            what="the question to become the answer",
        )
        assert edited
        text = api.messages[(AN_CHAT, sent["message_id"])]["text"]
        assert text.startswith("✅ Đã ghi ngày đi cơ sở: Xã Tân Bình (Huyện Tân Biên), 21/05/2024")
        assert "Ghi chú: gặp già làng" in text

    asyncio.run(main())
    with ctx.db.unit_of_work() as session:
        assert [(u, n) for u, _d, n, _c in _visits(session)] == [
            ("Xã Tân Lập", "hop dan"),
            ("Xã Tân Bình", "gặp già làng"),
        ]
