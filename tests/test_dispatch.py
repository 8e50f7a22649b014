"""The dispatcher sends each due reminder once, in Vietnamese, retries what may succeed,
gives up on what cannot and tells admins, respects quiet hours, and after downtime sends
what is still useful and folds the rest into one note."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from notifiers.base import Delivery, DeliveryError, Recipient
from notifiers.recording import RecordingNotifier
from scheduler import services
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, PermissionDenied, StoreUnavailable
from scheduler.reminders import outbox, planner
from scheduler.reminders.dispatcher import DispatchStats, dispatch_all, dispatch_due
from scheduler.reminders.policies import load_policies
from scheduler.store.models import Event, Reminder
from tests.support_reminders import TZ, FlakyNotifier, event, local, officer, rows

POLICIES = load_policies()


@pytest.fixture(autouse=True)
def _default_policies() -> Iterator[None]:
    planner.configure(POLICIES, TZ)
    yield


def send(ctx: AppContext, notifier: object, now: datetime, **kw: object) -> DispatchStats:
    notifiers = {"telegram": notifier, "email": notifier}
    return asyncio.run(
        dispatch_all(
            ctx.db,
            notifiers,
            now,
            policies=POLICIES,
            tz=TZ,
            **kw,
        )  # type: ignore[arg-type]
    )


def all_rows(ctx: AppContext, **where: object) -> list[Reminder]:
    with ctx.db.unit_of_work() as s:
        found = rows(s, **where)
        for r in found:
            _ = r.event, r.officer
        s.expunge_all()
    return found


def test_a_due_reminder_is_sent_once_and_marked_sent(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        lan = officer(s, "Nguyễn Thị Lan", clock.now(), chat=101)
        ev = event(
            s,
            "Báo cáo công tác dân vận tháng 5/2024",
            date(2024, 5, 31),
            clock.now(),
            assignees=[lan],
        )
        ev.section = "chuyen-mon"
        eid = ev.id
    notifier = RecordingNotifier()
    assert send(ctx, notifier, local(2024, 5, 24, 8, 0)).sent == 1
    assert send(ctx, notifier, local(2024, 5, 24, 9, 0)).sent == 0
    recipient, message = notifier.sent[0]
    assert recipient.telegram_chat_id == 101
    assert message.text.splitlines()[:3] == [
        "⏰ Còn 7 ngày · Báo cáo công tác dân vận tháng 5/2024",
        "Hạn: Thứ Sáu, 31/05/2024",
        f"Nhiệm vụ chuyên môn · #{eid}",
    ]
    assert "/events/" not in message.text  # no link to a page that does not exist
    [sent] = [r for r in all_rows(ctx, event_id=eid) if r.state == "sent"]
    assert [(a.label, a.callback_data) for a in message.actions] == [
        ("✅ Hoàn thành", f"done:{eid}"),
        ("⏰ Nhắc lại sau", f"snooze:{sent.id}"),
    ]
    assert (
        sent.external_id == "1" and sent.attempts == 1 and sent.sent_at == local(2024, 5, 24, 8, 0)
    )


def test_three_days_before_the_text_says_so(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        lan = officer(s, "Nguyễn Thị Lan", clock.now(), chat=101)
        event(s, "Báo cáo tháng 5/2024", date(2024, 5, 31), clock.now(), assignees=[lan])
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 5, 28, 8, 0))
    assert notifier.sent[-1][1].subject == "⏰ Còn 3 ngày · Báo cáo tháng 5/2024"


def test_an_observance_reminder_shows_the_lunar_date(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        head = officer(s, "Trưởng Ban", clock.now(), chat=300, role="head")
        vu_lan = event(s, "Lễ Vu Lan", date(2024, 8, 18), clock.now(), kind="observance")
        vu_lan.source, vu_lan.observance_key = "observance", "vu-lan"
        visit = event(
            s,
            "Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh",
            date(2024, 8, 18),
            clock.now(),
            kind="ceremony",
            assignees=[head],
        )
        visit.observance_key = "vu-lan"
        vid = visit.id
    notifier = RecordingNotifier()
    send(ctx, notifier, local(2024, 8, 4, 8, 0))
    texts = [m.text for _, m in notifier.sent]
    assert (
        "🙏 Lễ Vu Lan: Chủ nhật 18/08/2024 (rằm tháng Bảy năm Giáp Thìn), còn 14 ngày\n"
        f"Việc: Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh · #{vid}"
    ) in ["\n".join(t.splitlines()[:2]) for t in texts]


def test_email_reminders_carry_the_event_as_an_ics_file(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Phạm Thị Dung", clock.now(), email="dung@example.vn")
        event(s, "Báo cáo quý II", date(2024, 5, 31), clock.now(), assignees=[who])
    notifier = RecordingNotifier("email")
    send(ctx, notifier, local(2024, 5, 24, 8, 0))
    [(recipient, message)] = notifier.sent
    assert recipient.email == "dung@example.vn"
    [attachment] = message.attachments
    assert attachment.filename == "su-kien.ics" and attachment.content_type == "text/calendar"
    assert b"BEGIN:VCALENDAR" in attachment.data


def test_a_transient_failure_is_retried_with_backoff_and_honours_retry_after(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Lê Văn Cường", clock.now(), chat=103)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        eid = ev.id
    notifier = FlakyNotifier(
        errors=[
            DeliveryError("timeout", permanent=False),
            DeliveryError("429", permanent=False, retry_after=900),
        ]
    )
    t0 = local(2024, 5, 24, 8, 0)
    stats = send(ctx, notifier, t0)
    assert (stats.sent, stats.retried) == (0, 1)
    [row] = [r for r in all_rows(ctx, event_id=eid) if r.lead == "P7D"]
    assert row.state == "pending" and row.last_error and "timeout" in row.last_error
    assert t0 + timedelta(seconds=15) <= row.next_attempt_at <= t0 + timedelta(seconds=30)
    t1 = row.next_attempt_at
    send(ctx, notifier, t1)
    [row] = [r for r in all_rows(ctx, event_id=eid) if r.lead == "P7D"]
    assert row.next_attempt_at >= t1 + timedelta(seconds=900)
    send(ctx, notifier, row.next_attempt_at)
    [row] = [r for r in all_rows(ctx, event_id=eid) if r.lead == "P7D"]
    assert row.state == "sent" and row.attempts == 3 and len(notifier.sent) == 1


def test_a_permanent_failure_is_marked_failed_and_reported_to_admins(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        admin = officer(s, "Quản Trị", clock.now(), chat=999, role="admin")
        who = officer(s, "Người Chặn Bot", clock.now(), chat=104)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        eid, admin_id = ev.id, admin.id
    notifier = FlakyNotifier(
        errors=[DeliveryError("Forbidden: bot was blocked by the user", permanent=True)]
    )
    stats = send(ctx, notifier, local(2024, 5, 24, 8, 0))
    assert stats.failed == 1
    [row] = [r for r in all_rows(ctx, event_id=eid) if r.lead == "P7D"]
    assert row.state == "failed" and "blocked" in (row.last_error or "")
    [alert] = all_rows(ctx, kind="alert")
    assert alert.officer_id == admin_id and alert.state == "sent"
    (recipient, message) = notifier.sent[0]
    assert recipient.telegram_chat_id == 999
    assert message.subject == "❗ Không gửi được nhắc việc tới Người Chặn Bot (telegram)"


def test_attempts_are_bounded_then_the_row_fails(
    ctx: AppContext, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Mạng Chập Chờn", clock.now(), chat=105)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        eid = ev.id
    notifier = FlakyNotifier(errors=[DeliveryError("5xx", permanent=False) for _ in range(10)])
    at = local(2024, 5, 24, 8, 0)
    with caplog.at_level(logging.ERROR, logger="lichct.dispatch"):
        for _ in range(POLICIES.max_attempts):
            send(ctx, notifier, at)
            [row] = [r for r in all_rows(ctx, event_id=eid) if r.lead == "P7D"]
            at = max(at, row.next_attempt_at)
    assert row.state == "failed" and row.attempts == POLICIES.max_attempts
    assert "không có quản trị viên" in caplog.text


def test_nothing_is_sent_in_quiet_hours_it_waits_for_the_morning(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Ngủ Sớm", clock.now(), chat=106)
        outbox.enqueue(
            s,
            [
                outbox.new_row(
                    "test:late",
                    channel="telegram",
                    kind="visit",
                    due_at=local(2024, 5, 21, 22, 0),
                    now=clock.now(),
                    officer_id=who.id,
                    payload={"subject": "Nhắc", "text": "Nhắc đi cơ sở"},
                )
            ],
        )
    notifier = RecordingNotifier()
    stats = send(ctx, notifier, local(2024, 5, 21, 22, 5))
    assert (stats.sent, stats.deferred) == (0, 1)
    [row] = all_rows(ctx, key="test:late")
    assert local(2024, 5, 22, 6, 30) <= row.next_attempt_at < local(2024, 5, 22, 7, 30)
    assert row.attempts == 0
    assert send(ctx, notifier, row.next_attempt_at).sent == 1


def test_a_confirmed_item_is_not_sent_even_if_already_claimable(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Xong Rồi", clock.now(), chat=107)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        s.flush()
        s.execute(
            Event.__table__.update().where(Event.__table__.c.id == ev.id).values(status="done")
        )
    notifier = RecordingNotifier()
    stats = send(ctx, notifier, local(2024, 5, 31, 9, 0))
    assert notifier.sent == [] and stats.cancelled >= 1


def test_after_downtime_useful_reminders_go_once_and_pointless_ones_fold_into_one_note(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Sau Kỳ Nghỉ", clock.now(), chat=108)
        past = event(s, "Báo cáo tháng 5/2024", date(2024, 5, 31), clock.now(), assignees=[who])
        ahead = event(
            s, "Kế hoạch tháng 6/2024", date(2024, 6, 5), clock.now(), kind="plan", assignees=[who]
        )
        past_id, ahead_id = past.id, ahead.id
    notifier = RecordingNotifier()
    back = local(2024, 6, 2, 9, 0)  # down from 21/05 to 02/06
    send(ctx, notifier, back)
    subjects = [m.subject for _, m in notifier.sent]
    assert subjects.count("⏰ Còn 3 ngày · Kế hoạch tháng 6/2024") == 1
    [note] = [m for _, m in notifier.sent if m.subject.startswith("🔕")]
    assert "Báo cáo tháng 5/2024 (31/05/2024)" in note.text
    assert len(notifier.sent) == 2
    assert {r.state for r in all_rows(ctx, event_id=past_id)} == {"cancelled"}
    ahead_rows = {r.lead: r.state for r in all_rows(ctx, event_id=ahead_id)}
    assert ahead_rows == {"P7D": "cancelled", "P3D": "sent", "P1D": "pending", "P0D": "pending"}
    assert send(ctx, notifier, back + timedelta(minutes=1)).sent == 0


def test_a_row_left_sending_by_a_dead_worker_is_taken_again_after_its_lease(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Chờ Lease", clock.now(), chat=109)
        event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
    t0 = local(2024, 5, 24, 8, 0)
    with ctx.db.unit_of_work() as s:
        [(rid, _lease)] = outbox.claim(s, t0, 10, POLICIES.lease)
    notifier = RecordingNotifier()
    assert send(ctx, notifier, t0 + POLICIES.lease - timedelta(seconds=1)).sent == 0
    assert send(ctx, notifier, t0 + POLICIES.lease + timedelta(seconds=1)).sent == 1
    [row] = all_rows(ctx, id=rid)
    assert row.state == "sent" and row.attempts == 2


def test_snooze_moves_the_reminder_not_the_due_date(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Bận Họp", clock.now(), chat=110)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        eid = ev.id
    notifier = RecordingNotifier()
    t0 = local(2024, 5, 24, 8, 0)
    send(ctx, notifier, t0)
    rid = notifier.sent[0][1].reminder_id
    assert rid is not None
    with ctx.db.unit_of_work() as s:
        me = s.get(services.Officer, who.id)
        assert me is not None
        follow = outbox.snooze(s, rid, t0 + timedelta(minutes=5), me)
        again = outbox.snooze(s, rid, t0 + timedelta(minutes=10), me)
        assert follow.id == again.id
        assert again.due_at == t0 + timedelta(minutes=10, hours=2)
        assert s.get(Event, eid).due_date == date(2024, 5, 31)  # type: ignore[union-attr]
    assert send(ctx, notifier, t0 + timedelta(hours=2, minutes=9)).sent == 0
    assert send(ctx, notifier, t0 + timedelta(hours=2, minutes=10)).sent == 1
    assert notifier.sent[-1][1].subject.startswith("🔁 Nhắc lại: Còn 7 ngày")


def test_snooze_is_only_for_the_reminders_own_officer(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Chủ Nhắc", clock.now(), chat=111)
        other = officer(s, "Người Khác", clock.now(), chat=112)
        event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        rid = rows(s, officer_id=who.id)[0].id
        with pytest.raises(PermissionDenied):
            outbox.snooze(s, rid, clock.now(), other)


def test_a_snooze_into_quiet_hours_waits_until_morning(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Tối Muộn", clock.now(), chat=113)
        event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        row = rows(s, officer_id=who.id)[0]
        moved = outbox.snooze(s, row.id, local(2024, 5, 24, 20, 0), who)
        assert local(2024, 5, 25, 6, 30) <= moved.due_at < local(2024, 5, 25, 7, 30)


def test_a_heads_nudge_goes_now_even_at_night_and_once_per_minute(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Được Nhắc", clock.now(), chat=114, email="nhac@example.vn")
        ev = event(s, "Báo cáo gấp", date(2024, 5, 31), clock.now(), assignees=[who])
        eid = ev.id
    night = local(2024, 5, 21, 22, 15)
    with ctx.db.unit_of_work() as s:
        first = outbox.remind_now(s, eid, night)
        second = outbox.remind_now(s, eid, night + timedelta(seconds=20))
        assert sorted(r.channel for r in first) == ["email", "telegram"]
        assert [r.id for r in first] == [r.id for r in second]
    notifier = RecordingNotifier()
    assert send(ctx, notifier, night + timedelta(seconds=30)).sent == 2
    assert notifier.sent[0][1].subject == "📣 Lãnh đạo nhắc: Còn 10 ngày · Báo cáo gấp"


def test_a_nudge_for_a_finished_item_is_refused(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Đã Xong", clock.now(), chat=115)
        ev = event(s, "Báo cáo", date(2024, 5, 31), clock.now(), assignees=[who])
        services.mark_done(s, ev.id, clock.now())
        with pytest.raises(InvalidInput):
            outbox.remind_now(s, ev.id, clock.now())


def test_overdue_nudge_and_escalation_texts(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        officer(s, "Trưởng Phòng", clock.now(), chat=200, unit="hc-dt", role="head")
        who = officer(s, "Chuyên Viên", clock.now(), chat=201, unit="hc-dt")
        event(s, "Báo cáo chậm", date(2024, 5, 24), clock.now(), assignees=[who])
    notifier = RecordingNotifier()
    for day in (25, 26, 27):
        with ctx.db.unit_of_work() as s:
            planner.plan_all(s, local(2024, 5, day, 0, 5))
        send(ctx, notifier, local(2024, 5, day, 8, 30))
    subjects = [m.subject for _, m in notifier.sent]
    assert "⚠️ Quá hạn 1 ngày · Báo cáo chậm" in subjects
    assert "⚠️ Quá hạn 3 ngày · Báo cáo chậm" in subjects
    [escalation] = [m for _, m in notifier.sent if m.subject.startswith("🚨")]
    assert escalation.subject == "🚨 Quá hạn 3 ngày, chưa hoàn thành · Báo cáo chậm"
    assert "Người phụ trách: Chuyên Viên" in escalation.text


def test_a_row_with_its_own_text_is_sent_as_written(ctx: AppContext, clock: FixedClock) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Đi Cơ Sở", clock.now(), chat=116)
        outbox.enqueue(
            s,
            [
                outbox.new_row(
                    "visit:test",
                    channel="telegram",
                    kind="visit",
                    due_at=clock.now(),
                    now=clock.now(),
                    officer_id=who.id,
                    payload={
                        "subject": "Nhắc đi cơ sở",
                        "text": "Đã 30 ngày bạn chưa về xã Tân Lập",
                    },
                )
            ],
        )
    notifier = RecordingNotifier()
    send(ctx, notifier, clock.now())
    assert notifier.sent[0][1].text == "Đã 30 ngày bạn chưa về xã Tân Lập"


def test_several_dispatch_passes_at_the_same_instant_never_double_send(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        for i in range(30):
            who = officer(s, f"Cán Bộ {i}", clock.now(), chat=1000 + i)
            event(s, f"Báo cáo {i}", date(2024, 5, 22), clock.now(), assignees=[who])
    notifier = RecordingNotifier()
    now = local(2024, 5, 22, 7, 30)

    async def together() -> None:
        notifiers = {"telegram": notifier}
        await asyncio.gather(
            *(
                dispatch_due(ctx.db, notifiers, now, 7, f"w{i}", policies=POLICIES, tz=TZ)
                for i in range(3)
            )  # type: ignore[arg-type]
        )

    asyncio.run(together())
    send(ctx, notifier, now)
    ids = [m.reminder_id for _, m in notifier.sent]
    assert len(ids) == len(set(ids)) == 30
    with ctx.db.unit_of_work() as s:
        due_today = s.scalars(select(Reminder).where(Reminder.lead == "P0D")).all()
        assert {r.state for r in due_today} == {"sent"} and len(due_today) == 30


def test_an_officers_reminders_due_together_go_out_as_one_message(
    ctx: AppContext, clock: FixedClock
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Sáng Thứ Hai", clock.now(), chat=118)
        ids = [
            event(s, f"Báo cáo {i}", date(2024, 5, 23), clock.now(), assignees=[who]).id
            for i in range(4)
        ]
        for r in rows(s, officer_id=who.id, lead="P1D"):
            r.due_at = r.next_attempt_at = local(2024, 5, 21, 23, 0)  # say, a snooze at night
    notifier = RecordingNotifier()
    assert send(ctx, notifier, local(2024, 5, 21, 23, 5)).deferred == 4
    [slot] = {r.next_attempt_at for r in all_rows(ctx, lead="P1D")}
    send(ctx, notifier, slot)
    [(_, message)] = notifier.sent
    assert message.text.splitlines() == [
        "⏰ 4 việc cần chú ý",
        *(f"• Còn 1 ngày · Báo cáo {i} · #{eid}" for i, eid in enumerate(ids)),
    ]
    assert [a.callback_data for a in message.actions] == [f"done:{eid}" for eid in ids]
    sent = all_rows(ctx, lead="P1D")
    assert {(r.state, r.external_id) for r in sent} == {("sent", "1")}


@contextmanager
def refusing_result_writes(ctx: AppContext, times: int) -> Iterator[list[int]]:
    """The database refuses the next ``times`` writes of delivery results (locked)."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.exc import OperationalError

    left = [times]

    def refuse(conn: object, cursor: object, statement: str, *args: object) -> None:
        is_result = statement.lstrip().upper().startswith("UPDATE REMINDERS")
        if left[0] and is_result and "sent_at" in statement:
            left[0] -= 1
            raise OperationalError(statement, {}, Exception("database is locked"))

    sa_event.listen(ctx.db.engine, "before_cursor_execute", refuse)
    try:
        yield left
    finally:
        sa_event.remove(ctx.db.engine, "before_cursor_execute", refuse)


def test_results_the_database_refuses_for_a_moment_are_written_again_not_resent(
    ctx: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.reminders import dispatcher

    monkeypatch.setattr(dispatcher, "WRITE_PAUSE", 0.0)
    with ctx.db.unit_of_work() as s:
        for i in range(5):
            who = officer(s, f"Cán Bộ {i}", clock.now(), chat=2000 + i)
            event(s, f"Báo cáo {i}", date(2024, 5, 22), clock.now(), assignees=[who])
    now = local(2024, 5, 22, 7, 30)
    notifier = RecordingNotifier()
    with refusing_result_writes(ctx, 2) as left:
        stats = send(ctx, notifier, now)
    assert left == [0]
    assert stats.sent == 5 and len(notifier.sent) == 5
    assert {r.state for r in all_rows(ctx, lead="P0D")} == {"sent"}
    # Nothing is left to send again, now or after the lease.
    assert send(ctx, notifier, now + timedelta(hours=1)).sent == 0
    assert len(notifier.sent) == 5


def test_a_pass_whose_results_cannot_be_written_fails_and_the_rows_keep_their_lease(
    ctx: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scheduler.reminders import dispatcher

    monkeypatch.setattr(dispatcher, "WRITE_PAUSE", 0.0)
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Cán Bộ Một", clock.now(), chat=2101)
        event(s, "Báo cáo", date(2024, 5, 22), clock.now(), assignees=[who])
    now = local(2024, 5, 22, 7, 30)
    with (
        refusing_result_writes(ctx, dispatcher.WRITE_TRIES),
        pytest.raises(StoreUnavailable, match="đang bị khóa"),
    ):
        send(ctx, RecordingNotifier(), now)
    assert {r.state for r in all_rows(ctx, lead="P0D")} == {"sending"}
    # Within the lease nobody sends it again; once the lease has run out it goes again.
    assert send(ctx, RecordingNotifier(), now + timedelta(minutes=1)).sent == 0
    later = RecordingNotifier()
    assert send(ctx, later, now + POLICIES.lease + timedelta(minutes=1)).sent == 1


class _HeldChat:
    """A channel whose sends to one chat wait until a message has reached another chat."""

    paced = True

    def __init__(self, held: int, patience: float = 5.0) -> None:
        self.held = held
        self.patience = patience
        self.sent: list[int] = []
        self.released = asyncio.Event()

    async def send(self, recipient: Recipient, message: object) -> Delivery:
        chat = recipient.telegram_chat_id or 0
        if chat == self.held:
            await asyncio.wait_for(self.released.wait(), timeout=self.patience)
        else:
            self.released.set()
        self.sent.append(chat)
        return Delivery(external_id=str(len(self.sent)))


def _slow_then_free(
    ctx: AppContext, now: datetime, notifier: _HeldChat, **kw: Any
) -> DispatchStats:
    """A row for the held chat, then one for a free chat, sent one row per batch."""
    with ctx.db.unit_of_work() as s:
        for name, chat in (("Chat Bận", 3001), ("Chat Rảnh", 3002)):
            who = officer(s, name, now, chat=chat)
            outbox.enqueue(
                s,
                [
                    outbox.new_row(
                        f"row:{chat}",
                        channel="telegram",
                        kind="visit",
                        due_at=now,
                        now=now,
                        officer_id=who.id,
                        payload={"subject": "Nhắc", "text": f"Tin cho {name}"},
                    )
                ],
            )
    notifiers: dict[str, Any] = {"telegram": notifier}
    return asyncio.run(
        dispatch_all(ctx.db, notifiers, now, batch_size=1, policies=POLICIES, tz=TZ, **kw)
    )


def test_a_batch_slow_to_go_out_lets_the_next_batch_start(
    ctx: AppContext, clock: FixedClock
) -> None:
    notifier = _HeldChat(held=3001)
    stats = _slow_then_free(ctx, clock.now(), notifier, overlap_after=0.05)
    # The first batch's message waited for the second batch's: both went, once each.
    assert notifier.sent == [3002, 3001]
    assert stats.sent == 2


def test_with_one_lane_the_next_batch_waits_for_the_slow_one(
    ctx: AppContext, clock: FixedClock
) -> None:
    # Nobody releases the held chat: its send gives up after a moment (a transient error).
    notifier = _HeldChat(held=3001, patience=0.3)
    stats = _slow_then_free(ctx, clock.now(), notifier, lanes=1, overlap_after=0.0)
    assert notifier.sent == [3002]
    assert (stats.sent, stats.retried) == (1, 1)
