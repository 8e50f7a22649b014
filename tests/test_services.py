"""Service functions that the CLI, the bot and HTTP share."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from scheduler import services
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, NotFound, PermissionDenied


@pytest.fixture
def people(ctx: AppContext):
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as s:
        an = services.add_officer(s, "Nguyễn Văn An", now, email="an@example.vn", unit="hc-dt")
        binh = services.add_officer(s, "Trần Thị Bình", now, unit="hc-dt")
        head = services.add_officer(s, "Lê Văn Cường", now, unit="hc-dt", role="head")
        other = services.add_officer(s, "Phạm Thị Dung", now, unit="dvcq-dttg")
        return {"an": an.id, "binh": binh.id, "head": head.id, "other": other.id}


def _event(ctx: AppContext, assignee_id: int) -> int:
    with ctx.db.unit_of_work() as s:
        officer = services.resolve_officer(s, assignee_id)
        event = services.add_event(
            s,
            "Báo cáo công tác dân vận tháng 5/2024",
            date(2024, 5, 31),
            ctx.clock.now(),
            ctx.tz,
            kind="report",
            assignees=[officer],
        )
        return event.id


def test_an_officer_is_found_by_name_with_or_without_diacritics(ctx, people):
    with ctx.db.unit_of_work() as s:
        assert services.resolve_officer(s, "Nguyễn Văn An").id == people["an"]
        assert services.resolve_officer(s, "nguyen van an").id == people["an"]
        assert services.resolve_officer(s, "  NGUYEN   VAN AN ").id == people["an"]
        assert services.resolve_officer(s, str(people["binh"])).id == people["binh"]


def test_an_ambiguous_name_asks_for_the_id(ctx, people):
    with ctx.db.unit_of_work() as s:
        services.add_officer(s, "Nguyen Van An", ctx.clock.now())
    with ctx.db.unit_of_work() as s, pytest.raises(InvalidInput, match="mã"):
        services.resolve_officer(s, "nguyen van an")


def test_an_unknown_officer_or_unit_is_a_clear_error(ctx, people):
    with ctx.db.unit_of_work() as s:
        with pytest.raises(NotFound, match="Không tìm thấy cán bộ"):
            services.resolve_officer(s, "Không Có Ai")
        with pytest.raises(NotFound, match="Không tìm thấy đơn vị"):
            services.add_officer(s, "X", ctx.clock.now(), unit="phòng không tồn tại")
        with pytest.raises(InvalidInput, match="email"):
            services.add_officer(s, "X", ctx.clock.now(), email="không-phải-email")


def test_a_timed_event_is_stored_in_utc_and_shown_in_local_time(ctx, people):
    with ctx.db.unit_of_work() as s:
        event = services.add_event(
            s, "Họp giao ban", date(2024, 5, 21), ctx.clock.now(), ctx.tz, at=time(8, 0)
        )
        assert event.start_at is not None and event.start_at.hour == 1
        shown = services.event_to_dict(event, date(2024, 5, 21), ctx.tz)
    assert shown["start"] == "2024-05-21T08:00:00+07:00"
    assert shown["end"] == "2024-05-21T09:00:00+07:00"
    assert shown["due"] == "2024-05-21"


def test_an_end_before_the_start_is_refused(ctx):
    with ctx.db.unit_of_work() as s, pytest.raises(InvalidInput, match="trước ngày bắt đầu"):
        services.add_event(s, "x", date(2024, 5, 2), ctx.clock.now(), ctx.tz, end=date(2024, 5, 1))


def test_confirming_records_who_when_and_the_note_and_a_second_time_is_harmless(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        an = services.resolve_officer(s, people["an"])
        first = services.mark_done(
            s, eid, ctx.clock.now(), actor=an, note="đã gửi", channel="telegram"
        )
    with ctx.db.unit_of_work() as s:
        an = services.resolve_officer(s, people["an"])
        second = services.mark_done(s, eid, ctx.clock.now(), actor=an)
        event = services.get_event(s, eid)
        assert event.status == "done"
        assert len(event.completions) == 1
        completion = event.completions[0]
        assert (completion.officer_id, completion.note, completion.channel) == (
            people["an"],
            "đã gửi",
            "telegram",
        )
    assert not first.already and second.already


def test_only_the_assignee_a_head_or_an_admin_may_confirm(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        binh = services.resolve_officer(s, people["binh"])
        with pytest.raises(PermissionDenied):
            services.mark_done(s, eid, ctx.clock.now(), actor=binh)
    with ctx.db.unit_of_work() as s:
        head = services.resolve_officer(s, people["head"])
        assert services.mark_done(s, eid, ctx.clock.now(), actor=head).event.status == "done"


def test_a_head_of_another_unit_may_not_confirm(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        outsider = services.add_officer(
            s, "Võ Văn Em", ctx.clock.now(), unit="dvcq-dttg", role="head"
        )
        with pytest.raises(PermissionDenied):
            services.mark_done(s, eid, ctx.clock.now(), actor=outsider)


def test_an_officer_may_withdraw_a_confirmation_within_a_day_only(ctx, people):
    clock = ctx.clock
    assert isinstance(clock, FixedClock)
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        an = services.resolve_officer(s, people["an"])
        services.mark_done(s, eid, clock.now(), actor=an)
    clock.advance(timedelta(hours=3))
    with ctx.db.unit_of_work() as s:
        an = services.resolve_officer(s, people["an"])
        assert services.undo_done(s, eid, clock.now(), actor=an).status == "planned"
        services.mark_done(s, eid, clock.now(), actor=an)
    clock.advance(timedelta(days=2))
    with ctx.db.unit_of_work() as s:
        an = services.resolve_officer(s, people["an"])
        with pytest.raises(PermissionDenied, match="1 ngày"):
            services.undo_done(s, eid, clock.now(), actor=an)
    with ctx.db.unit_of_work() as s:
        event = services.undo_done(s, eid, clock.now())
        assert event.status == "planned"
        assert [c.withdrawn_at is not None for c in event.completions] == [True, True]


def test_every_change_raises_the_revision(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        before = services.get_event(s, eid).revision
        services.mark_done(s, eid, ctx.clock.now())
        after_done = services.get_event(s, eid).revision
        services.undo_done(s, eid, ctx.clock.now())
        after_undo = services.get_event(s, eid).revision
    assert before < after_done < after_undo


def test_an_item_nobody_was_given_reaches_the_heads(ctx, people):
    with ctx.db.unit_of_work() as s:
        event = services.add_event(s, "Việc chung", date(2024, 6, 1), ctx.clock.now(), ctx.tz)
        assert [o.id for o in services.event_recipients(s, event)] == [people["head"]]


def test_events_are_listed_by_date_range_and_officer(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        services.add_event(s, "Khác", date(2024, 7, 1), ctx.clock.now(), ctx.tz)
        an = services.resolve_officer(s, people["an"])
        assert [e.id for e in services.list_events(s, officer=an)] == [eid]
        june = services.list_events(s, start=date(2024, 6, 1), end=date(2024, 6, 30))
        assert [e for e in june if e.source != "observance"] == []
        may_on = services.list_events(s, start=date(2024, 5, 1))
        assert sorted(e.title for e in may_on if e.source != "observance") == [
            "Báo cáo công tác dân vận tháng 5/2024",
            "Khác",
        ]


def test_an_observance_in_the_past_is_never_overdue(ctx):
    from sqlalchemy import select

    from scheduler.store.models import Event

    with ctx.db.unit_of_work() as s:
        tet = s.scalars(select(Event).where(Event.observance_key == "tet-nguyen-dan")).first()
        assert tet is not None
        assert not services.event_to_dict(tet, date(2099, 1, 1))["overdue"]


def test_overdue_is_judged_on_the_local_date(ctx, people):
    eid = _event(ctx, people["an"])
    with ctx.db.unit_of_work() as s:
        event = services.get_event(s, eid)
        assert not services.event_to_dict(event, date(2024, 5, 31))["overdue"]
        assert services.event_to_dict(event, date(2024, 6, 1))["overdue"]
