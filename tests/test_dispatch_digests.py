"""Morning digests go through the outbox once per period: today's and overdue items daily,
the week on Monday, the month on the 1st, the next month near the end of one."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest

from notifiers.recording import RecordingNotifier
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.reminders import digests, planner
from scheduler.reminders.dispatcher import DispatchStats, dispatch_all
from scheduler.reminders.policies import load_policies
from tests.support_reminders import TZ, event, local, officer, rows

POLICIES = load_policies()


@pytest.fixture(autouse=True)
def _default_policies() -> None:
    planner.configure(POLICIES, TZ)


def send(ctx: AppContext, notifier: RecordingNotifier, now: datetime) -> DispatchStats:
    return asyncio.run(dispatch_all(ctx.db, {"telegram": notifier}, now, policies=POLICIES, tz=TZ))  # type: ignore[dict-item]


def digest_texts(notifier: RecordingNotifier) -> list[str]:
    return [m.text for _, m in notifier.sent if m.subject[0] in "☀📅🗓🔭"]


def test_the_morning_digest_lists_todays_and_overdue_items(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Nguyễn Thị Lan", clock.now(), chat=101)
        officer(s, "Không Việc", clock.now(), chat=102, unit="hc-dt")
        today = event(s, "Báo cáo tuần", date(2024, 5, 21), clock.now(), assignees=[who])
        late = event(s, "Báo cáo chậm", date(2024, 5, 18), clock.now(), assignees=[who])
        event(s, "Báo cáo tháng sau", date(2024, 6, 21), clock.now(), assignees=[who])
        assert digests.plan_digests(s, local(2024, 5, 21, 6, 0)) == 2
        assert digests.plan_digests(s, local(2024, 5, 21, 6, 5)) == 0
        keys = sorted(r.key for r in rows(s, kind="digest"))
        assert keys[0] == f"digest:daily:{who.id}:telegram:2024-05-21"
        ids = today.id, late.id
    notifier = RecordingNotifier()
    assert send(ctx, notifier, local(2024, 5, 21, 6, 59)).sent == 0
    send(ctx, notifier, local(2024, 5, 21, 7, 0))
    assert digest_texts(notifier) == [
        "☀️ Việc hôm nay, Thứ Ba, 21/05/2024\n"
        "Hôm nay:\n"
        f"• Báo cáo tuần · #{ids[0]}\n"
        "Quá hạn:\n"
        f"• Báo cáo chậm (quá hạn 3 ngày) · #{ids[1]}\n"
        "Tổng cộng 2 việc."
    ]


def test_an_officer_with_nothing_to_do_gets_no_digest(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        officer(s, "Rảnh Rỗi", clock.now(), chat=103)
        digests.plan_digests(s, local(2024, 5, 21, 6, 0))
    notifier = RecordingNotifier()
    stats = send(ctx, notifier, local(2024, 5, 21, 7, 0))
    assert notifier.sent == [] and stats.cancelled == 1


def test_an_item_confirmed_before_seven_is_not_in_the_digest(
    ctx: AppContext, clock: FixedClock
) -> None:
    from scheduler import services

    with ctx.db.unit_of_work() as s:
        who = officer(s, "Làm Sớm", clock.now(), chat=104)
        ev = event(s, "Báo cáo tuần", date(2024, 5, 21), clock.now(), assignees=[who])
        digests.plan_digests(s, local(2024, 5, 21, 6, 0))
        services.mark_done(s, ev.id, local(2024, 5, 21, 6, 55))
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 21, 7, 0))
    assert digest_texts(notifier) == []


def test_monday_brings_the_week_ahead(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Đầu Tuần", clock.now(), chat=105)
        wed = event(
            s, "Họp giao ban", date(2024, 5, 22), clock.now(), kind="meeting", assignees=[who]
        )
        fri = event(s, "Báo cáo tuần", date(2024, 5, 24), clock.now(), assignees=[who])
        event(s, "Tuần sau", date(2024, 5, 27), clock.now(), assignees=[who])
        digests.plan_digests(s, local(2024, 5, 20, 6, 0))
        assert any(
            r.key.startswith("digest:weekly:") and r.key.endswith("2024-W21") for r in rows(s)
        )
        ids = wed.id, fri.id
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 20, 7, 0))
    assert digest_texts(notifier) == [
        "📅 Tuần này: 20/05/2024 – 26/05/2024\n"
        f"• Thứ Tư 22/05: Họp giao ban · #{ids[0]}\n"
        f"• Thứ Sáu 24/05: Báo cáo tuần · #{ids[1]}\n"
        "Tổng cộng 2 việc."
    ]


def test_the_first_of_the_month_brings_its_programme_and_the_end_a_look_ahead(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Theo Tháng", clock.now(), chat=106)
        event(s, "Báo cáo tháng 6", date(2024, 6, 25), clock.now(), assignees=[who])
        event(
            s, "Hội nghị tháng 7", date(2024, 7, 10), clock.now(), kind="meeting", assignees=[who]
        )
        digests.plan_digests(s, local(2024, 5, 28, 6, 0))  # 3 days before the end of May
        digests.plan_digests(s, local(2024, 6, 1, 6, 0))
        digests.plan_digests(s, local(2024, 6, 27, 6, 0))
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 28, 7, 0))
    send(ctx, notifier, local(2024, 6, 1, 7, 0))
    send(ctx, notifier, local(2024, 6, 27, 7, 0))
    heads = [t.splitlines()[0] for t in digest_texts(notifier) if not t.startswith("☀")]
    assert heads == [
        "🔭 Nhìn trước tháng 6/2024",
        "🗓 Chương trình công tác tháng 6/2024",
        "🔭 Nhìn trước tháng 7/2024",
    ]


def test_a_digest_missed_while_down_is_dropped_not_sent_late(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Sau Sự Cố", clock.now(), chat=107)
        event(s, "Báo cáo", date(2024, 5, 21), clock.now(), assignees=[who])
        digests.plan_digests(s, local(2024, 5, 21, 6, 0))
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 22, 9, 0))
    assert digest_texts(notifier) == []
    with ctx.db.unit_of_work() as s:
        assert {r.state for r in rows(s, kind="digest")} == {"cancelled"}
        assert digests.plan_digests(s, local(2024, 5, 22, 13, 0)) == 0  # too late for today's


def test_a_units_linked_group_chat_gets_the_units_digest(
    ctx: AppContext, clock: FixedClock
) -> None:
    from sqlalchemy import select

    from scheduler.store.models import Unit

    with ctx.db.unit_of_work() as s:
        unit = s.scalars(select(Unit).where(Unit.code == "hc-dt")).one()
        unit.telegram_chat_id = -100500
        lan = officer(s, "Nguyễn Thị Lan", clock.now(), chat=101, unit="hc-dt")
        outsider = officer(s, "Người Ngoài", clock.now(), chat=102, unit="dvcq-dttg")
        ours = event(s, "Báo cáo tuần của phòng", date(2024, 5, 21), clock.now(), assignees=[lan])
        event(s, "Việc phòng khác", date(2024, 5, 21), clock.now(), assignees=[outsider])
        assert digests.plan_digests(s, local(2024, 5, 21, 6, 0)) == 3
        assert digests.plan_digests(s, local(2024, 5, 21, 6, 5)) == 0
        ours_id = ours.id
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 21, 7, 0))
    to_group = [m for r, m in notifier.sent if r.telegram_chat_id == -100500]
    assert [m.text for m in to_group] == [
        "☀️ Việc hôm nay, Thứ Ba, 21/05/2024 · Phòng Hành chính – Đoàn thể và các hội\n"
        "Hôm nay:\n"
        f"• Báo cáo tuần của phòng · #{ours_id}\n"
        "Tổng cộng 1 việc."
    ]
