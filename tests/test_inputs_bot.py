"""The bot's ``/xong`` with values that used to end in a traceback: one clear answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.context import AppContext
from scheduler.store.models import Completion, Event
from tests.support_botapi import FakeBotApi
from tests.test_bot import AN_CHAT, Plan, _link, _seed, run_with_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def test_xong_with_a_huge_id_or_a_long_note_answers_one_line_and_stores_nothing(
    ctx: AppContext,
) -> None:
    plan: Plan = _seed(ctx)
    _link(ctx, plan.an, AN_CHAT)

    async def scenario(api: FakeBotApi) -> None:
        huge = await api.ask(AN_CHAT, f"/xong {2**63}")
        assert f"Mã việc không hợp lệ: '{2**63}'" in huge
        long_note = await api.ask(AN_CHAT, f"/xong {plan.report} " + "chữ " * 300)
        assert "Ghi chú quá dài (1.199 ký tự); tối đa 1.000 ký tự" in long_note
        dirty = await api.ask(AN_CHAT, f"/xong {plan.report} đã\x00 gửi \u202ebáo cáo")
        assert dirty.startswith("✅ Đã ghi nhận hoàn thành")

    run_with_bot(ctx, scenario)
    with ctx.db.unit_of_work() as session:
        notes = list(
            session.scalars(select(Completion.note).where(Completion.event_id == plan.report))
        )
        assert notes == ["đã gửi báo cáo"]
        assert session.get(Event, plan.report).status == "done"  # type: ignore[union-attr]
