"""The planner keeps the outbox in step with the store: each policy, idempotence, moves,
confirmations, quiet hours, overdue nudges and escalation, the rule for the past."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import FixedClock
from scheduler.reminders import planner
from scheduler.reminders.policies import load_policies
from scheduler.store.models import Assignment, Event
from tests.support_reminders import TZ, event, local, local_times, officer, rows


@pytest.fixture(autouse=True)
def _default_policies() -> None:
    planner.configure(load_policies(), TZ)


def test_a_report_is_reminded_7_3_and_1_days_before_and_on_the_morning(
    session: Session, clock: FixedClock
) -> None:
    lan = officer(session, "Nguyễn Thị Lan", clock.now(), chat=101)
    event(
        session,
        "Báo cáo công tác dân vận tháng 6/2024",
        date(2024, 6, 5),
        clock.now(),
        assignees=[lan],
    )
    found = rows(session, officer_id=lan.id)
    assert local_times(found) == ["29/05 08:00", "02/06 08:00", "04/06 08:00", "05/06 07:30"]
    assert [r.lead for r in found] == ["P7D", "P3D", "P1D", "P0D"]
    assert [r.kind for r in found] == ["lead", "lead", "lead", "due"]
    assert {r.state for r in found} == {"pending"}
    assert found[0].key == f"ev:{found[0].event_id}:of:{lan.id}:telegram:P7D"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("visit", ["06/06 08:00", "17/06 08:00", "19/06 08:00"]),
        ("ceremony", ["06/06 08:00", "17/06 08:00", "19/06 08:00"]),
        ("supervision", ["06/06 08:00", "17/06 08:00", "20/06 07:30"]),
        ("inspection", ["06/06 08:00", "17/06 08:00", "20/06 07:30"]),
        ("meeting", ["17/06 08:00", "19/06 08:00"]),
        ("plan", ["13/06 08:00", "17/06 08:00", "19/06 08:00", "20/06 07:30"]),
        ("bulletin", ["17/06 08:00", "20/06 07:30"]),
    ],
)
def test_each_kind_follows_its_lead_times(
    session: Session, clock: FixedClock, kind: str, expected: list[str]
) -> None:
    who = officer(session, "Trần Văn Bình", clock.now(), chat=102)
    event(session, f"Việc loại {kind}", date(2024, 6, 20), clock.now(), kind=kind, assignees=[who])
    assert local_times(rows(session, officer_id=who.id)) == expected


def test_a_timed_meeting_is_also_reminded_two_hours_before(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Lê Văn Cường", clock.now(), chat=103)
    event(
        session,
        "Họp giao ban",
        date(2024, 6, 20),
        clock.now(),
        kind="meeting",
        assignees=[who],
        at=time(14, 0),
    )
    assert local_times(rows(session, officer_id=who.id)) == [
        "17/06 08:00",
        "19/06 08:00",
        "20/06 12:00",
    ]


def test_each_channel_of_the_officer_gets_its_own_row(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Phạm Thị Dung", clock.now(), chat=104, email="dung@example.vn")
    event(session, "Báo cáo quý II", date(2024, 6, 20), clock.now(), assignees=[who])
    found = rows(session, officer_id=who.id)
    assert sorted({r.channel for r in found}) == ["email", "telegram"]
    assert len(found) == 8


def test_an_officer_without_a_linked_telegram_gets_no_telegram_rows(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Võ Văn Em", clock.now(), email="em@example.vn")
    who.channels = "telegram,email"
    event(session, "Báo cáo quý II", date(2024, 6, 20), clock.now(), assignees=[who])
    assert {r.channel for r in rows(session, officer_id=who.id)} == {"email"}


def test_syncing_twice_changes_nothing(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Đỗ Thị Giang", clock.now(), chat=105)
    ev = event(session, "Báo cáo quý II", date(2024, 6, 20), clock.now(), assignees=[who])
    before = [(r.id, r.key, r.due_at, r.state) for r in rows(session)]
    planner.sync_event(session, ev, clock.now())
    planner.plan_all(session, clock.now())
    assert [(r.id, r.key, r.due_at, r.state) for r in rows(session)] == before


def test_a_conditional_item_gets_a_single_reminder_and_no_nagging(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Hồ Văn Hải", clock.now(), chat=106)
    ev = event(
        session,
        "Báo cáo đột xuất (nếu có)",
        date(2024, 6, 20),
        clock.now(),
        assignees=[who],
        conditional=True,
    )
    assert local_times(rows(session, officer_id=who.id, state="pending")) == ["17/06 08:00"]
    clock.set(local(2024, 6, 25, 9))
    planner.plan_all(session, clock.now())
    assert not [r for r in rows(session, event_id=ev.id) if r.kind in ("overdue", "escalation")]


def test_a_confirmation_cancels_pending_reminders_and_an_undo_brings_them_back(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Ngô Thị Hoa", clock.now(), chat=107)
    ev = event(session, "Báo cáo quý II", date(2024, 6, 20), clock.now(), assignees=[who])
    services.mark_done(session, ev.id, clock.now())
    assert {r.state for r in rows(session, event_id=ev.id)} == {"cancelled"}
    clock.set(local(2024, 6, 15, 9))
    services.undo_done(session, ev.id, clock.now())
    found = rows(session, event_id=ev.id)
    assert [(t, r.state) for t, r in zip(local_times(found), found, strict=True)] == [
        ("15/06 09:00", "pending"),  # the missed 7-day one, once, now (catch-up)
        ("17/06 08:00", "pending"),
        ("19/06 08:00", "pending"),
        ("20/06 07:30", "pending"),
    ]


def test_a_cancelled_event_gets_no_more_reminders(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Ngô Thị Hoa", clock.now(), chat=107)
    ev = event(session, "Hội nghị", date(2024, 6, 20), clock.now(), kind="meeting", assignees=[who])
    ev.status = "cancelled"
    planner.sync_event(session, ev, clock.now())
    assert {r.state for r in rows(session, event_id=ev.id)} == {"cancelled"}


def test_a_moved_due_date_moves_pending_rows_and_never_recreates_sent_ones(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Mai Văn Khoa", clock.now(), chat=108)
    ev = event(session, "Báo cáo tháng 5", date(2024, 5, 31), clock.now(), assignees=[who])
    first = rows(session, event_id=ev.id)[0]
    assert first.lead == "P7D"
    first.state = "sent"
    session.flush()
    ev.due_date = ev.end_date = ev.start_date = date(2024, 6, 7)
    planner.sync_event(session, ev, clock.now())
    found = {r.lead: r for r in rows(session, event_id=ev.id)}
    assert found["P7D"].state == "sent"
    assert found["P7D"].due_at.astimezone(TZ).date() == date(2024, 5, 24)
    assert [
        found[k].due_at.astimezone(TZ).strftime("%d/%m %H:%M") for k in ("P3D", "P1D", "P0D")
    ] == [
        "04/06 08:00",
        "06/06 08:00",
        "07/06 07:30",
    ]
    assert len(found) == 4


def test_reassigning_moves_reminders_to_the_new_officer(
    session: Session, clock: FixedClock
) -> None:
    old = officer(session, "Người Cũ", clock.now(), chat=109)
    new = officer(session, "Người Mới", clock.now(), chat=110)
    ev = event(session, "Báo cáo tháng 6", date(2024, 6, 20), clock.now(), assignees=[old])
    for assignment in list(ev.assignments):
        session.delete(assignment)
    session.flush()
    session.refresh(ev)
    services.assign(session, ev, clock.now(), officer=new)
    assert {r.state for r in rows(session, officer_id=old.id)} == {"cancelled"}
    assert {r.state for r in rows(session, officer_id=new.id)} == {"pending"}


def test_importing_last_years_plan_queues_nothing(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Lý Thị Lệ", clock.now(), chat=111)
    clock.set(local(2026, 3, 2, 9))
    for month in range(1, 13):
        event(
            session,
            f"Báo cáo tháng {month}/2024",
            date(2024, month, 25),
            clock.now(),
            assignees=[who],
        )
    planner.plan_all(session, clock.now())
    assert rows(session) == []


def test_an_item_added_two_days_before_its_deadline_gets_one_catch_up_reminder_now(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Châu Văn Minh", clock.now(), chat=112)
    ev = event(session, "Báo cáo nhanh", date(2024, 5, 23), clock.now(), assignees=[who])
    found = rows(session, event_id=ev.id)
    assert [(r.lead, t) for r, t in zip(found, local_times(found), strict=True)] == [
        ("P3D", "21/05 07:59"),
        ("P1D", "22/05 08:00"),
        ("P0D", "23/05 07:30"),
    ]
    assert found[0].payload["catch_up"] is True
    catch_up_at = found[0].due_at
    clock.advance(timedelta(hours=1))
    planner.sync_event(session, ev, clock.now())
    again = rows(session, event_id=ev.id)
    assert [(r.lead, r.state) for r in again] == [
        ("P3D", "pending"),
        ("P1D", "pending"),
        ("P0D", "pending"),
    ]
    assert again[0].due_at == catch_up_at  # the catch-up keeps its time: sent once


def test_no_catch_up_when_the_next_reminder_is_near(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Châu Văn Minh", clock.now(), chat=112)
    ev = event(session, "Báo cáo nhanh", date(2024, 5, 22), clock.now(), assignees=[who])
    assert [r.lead for r in rows(session, event_id=ev.id)] == ["P1D", "P0D"]
    assert local_times(rows(session, event_id=ev.id)) == ["21/05 08:00", "22/05 07:30"]


def test_a_reminder_falling_in_quiet_hours_waits_until_they_end_spread_per_officer(
    session: Session, clock: FixedClock
) -> None:
    a = officer(session, "Sớm Một", clock.now(), chat=113)
    b = officer(session, "Sớm Hai", clock.now(), chat=114)
    event(
        session,
        "Họp sớm",
        date(2024, 6, 20),
        clock.now(),
        kind="meeting",
        assignees=[a, b],
        at=time(7, 0),
    )
    early = [r for r in rows(session) if r.lead == "PT2H"]
    times = sorted(r.due_at.astimezone(TZ) for r in early)
    assert len(times) == 2
    for t in times:
        assert local(2024, 6, 20, 6, 30) <= t < local(2024, 6, 20, 7, 30)
    assert times[0] != times[1]


def test_overdue_items_are_nudged_daily_then_escalated_to_the_units_head(
    session: Session, clock: FixedClock
) -> None:
    head = officer(session, "Trưởng Phòng", clock.now(), chat=200, unit="hc-dt", role="head")
    who = officer(session, "Chuyên Viên", clock.now(), chat=201, unit="hc-dt")
    ev = event(session, "Báo cáo chậm", date(2024, 5, 24), clock.now(), assignees=[who])
    for day in (25, 26, 27, 28):
        clock.set(local(2024, 5, day, 0, 5))
        planner.plan_all(session, clock.now())
    nudges = rows(session, event_id=ev.id, kind="overdue")
    # planned a day ahead; a nudge nobody sent before the next one is due is dropped
    assert local_times(nudges) == [
        "25/05 08:30",
        "26/05 08:30",
        "27/05 08:30",
        "28/05 08:30",
        "29/05 08:30",
    ]
    assert [r.state for r in nudges][-2:] == ["pending", "pending"]
    assert {r.officer_id for r in nudges} == {who.id}
    escalations = rows(session, event_id=ev.id, kind="escalation")
    assert [
        (r.officer_id, t) for r, t in zip(escalations, local_times(escalations), strict=True)
    ] == [(head.id, "27/05 08:30")]


def test_overdue_nudges_stop_after_the_configured_number_of_days(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Chuyên Viên", clock.now(), chat=201)
    ev = event(session, "Báo cáo chậm", date(2024, 5, 24), clock.now(), assignees=[who])
    clock.set(local(2024, 6, 10, 0, 5))  # 17 days late; nudges stop after 14
    planner.plan_all(session, clock.now())
    assert rows(session, event_id=ev.id, kind="overdue") == []


def test_visits_are_never_overdue(session: Session, clock: FixedClock) -> None:
    who = officer(session, "Đi Thăm", clock.now(), chat=202)
    ev = event(
        session, "Thăm chức sắc", date(2024, 5, 23), clock.now(), kind="visit", assignees=[who]
    )
    clock.set(local(2024, 5, 25, 0, 5))
    planner.plan_all(session, clock.now())
    assert rows(session, event_id=ev.id, kind="overdue") == []


def test_an_item_nobody_was_given_reaches_the_heads(session: Session, clock: FixedClock) -> None:
    head = officer(session, "Trưởng Ban", clock.now(), chat=300, role="head")
    officer(session, "Không Liên Quan", clock.now(), chat=301)
    ev = event(session, "Việc chưa giao", date(2024, 6, 20), clock.now())
    assert {r.officer_id for r in rows(session, event_id=ev.id)} == {head.id}


def test_bulk_recipients_match_the_services_rule(session: Session, clock: FixedClock) -> None:
    head = officer(session, "Trưởng Ban", clock.now(), chat=300, role="head")
    a = officer(session, "Phòng Một A", clock.now(), chat=302, unit="hc-dt")
    b = officer(session, "Phòng Một B", clock.now(), chat=303, unit="hc-dt")
    gone = officer(session, "Đã Nghỉ", clock.now(), chat=304)
    gone.active = False
    unit_event = event(session, "Giao cho phòng", date(2024, 6, 20), clock.now())
    unit = services.find_unit(session, "hc-dt")
    services.assign(session, unit_event, clock.now(), unit=unit)
    to_gone = event(
        session, "Giao cho người nghỉ", date(2024, 6, 20), clock.now(), assignees=[gone]
    )
    people = planner.People.load(session)
    for ev in (unit_event, to_gone):
        pairs = [
            (x.officer_id, x.unit_id) for x in session.query(Assignment).filter_by(event_id=ev.id)
        ]
        bulk = [p.id for p in people.recipients(pairs, ev.unit_id)]
        assert bulk == [o.id for o in services.event_recipients(session, ev)]
    assert {a.id, b.id} <= {r.officer_id for r in rows(session, event_id=unit_event.id)}
    assert {r.officer_id for r in rows(session, event_id=to_gone.id)} == {head.id}


def test_plan_all_cancels_pending_rows_of_items_closed_elsewhere(
    session: Session, clock: FixedClock
) -> None:
    who = officer(session, "Trịnh Văn Nam", clock.now(), chat=305)
    ev = event(session, "Báo cáo", date(2024, 6, 20), clock.now(), assignees=[who])
    session.query(Event).filter_by(id=ev.id).update({"status": "done"})
    stats = planner.plan_all(session, clock.now())
    assert stats.cancelled_closed == 4
    assert {r.state for r in rows(session, event_id=ev.id)} == {"cancelled"}


def test_lichct_toml_overrides_the_bundled_policies(session: Session, clock: FixedClock) -> None:
    planner.configure(
        load_policies(
            {
                "reminders": {
                    "kinds": {"meeting": {"days_before": [5]}},
                    "defaults": {"time": "09:15"},
                }
            }
        ),
        TZ,
    )
    who = officer(session, "Tùy Chỉnh", clock.now(), chat=306)
    event(session, "Họp", date(2024, 6, 20), clock.now(), kind="meeting", assignees=[who])
    assert local_times(rows(session, officer_id=who.id)) == ["15/06 09:15"]


def test_policies_know_quiet_hours_across_midnight() -> None:
    policies = load_policies()
    assert policies.in_quiet_hours(local(2024, 5, 21, 22, 0), TZ)
    assert policies.in_quiet_hours(local(2024, 5, 21, 6, 29), TZ)
    assert not policies.in_quiet_hours(local(2024, 5, 21, 6, 30), TZ)
    assert not policies.in_quiet_hours(local(2024, 5, 21, 20, 59), TZ)
    moved = policies.after_quiet(local(2024, 5, 21, 23, 0), TZ, 0)
    assert moved.astimezone(TZ) == local(2024, 5, 22, 6, 30)


def test_planning_many_events_writes_each_reminder_once(
    session: Session, clock: FixedClock
) -> None:
    # How long 10,000 events take is a figure of benchmarks/bench_reminders.py.
    who = officer(session, "Bận Rộn", clock.now(), chat=307)
    now = clock.now()
    session.add_all(
        Event(
            uid=f"bulk-{i}",
            kind="report",
            title=f"Việc {i}",
            start_date=date(2024, 6, 1) + timedelta(days=i % 200),
            end_date=date(2024, 6, 1) + timedelta(days=i % 200),
            due_date=date(2024, 6, 1) + timedelta(days=i % 200),
            created_at=now,
            updated_at=now,
            assignments=[Assignment(officer_id=who.id, created_at=now)],
        )
        for i in range(500)
    )
    session.flush()
    stats = planner.plan_all(session, now)
    again = planner.plan_all(session, now)
    assert stats.events >= 500 and stats.changed >= 2_000
    assert again.changed == 0


def _escalated_to(
    session: Session, clock: FixedClock, who_unit: str, heads: dict[str, str]
) -> set[str]:
    """Heads named per unit, one late report of an officer of ``who_unit``: who is told."""
    people = {
        officer(session, name, clock.now(), chat=300 + i, unit=unit, role="head").id: name
        for i, (unit, name) in enumerate(heads.items())
    }
    who = officer(session, "Chuyên Viên Trễ", clock.now(), chat=399, unit=who_unit)
    ev = event(session, "Báo cáo trễ hạn", date(2024, 5, 24), clock.now(), assignees=[who])
    clock.set(local(2024, 5, 27, 0, 5))  # the escalation is due at 08:30 today
    planner.plan_all(session, clock.now())
    return {people[r.officer_id] for r in rows(session, event_id=ev.id, kind="escalation")}


def test_escalation_goes_only_to_the_late_items_unit_head(
    session: Session, clock: FixedClock
) -> None:
    heads = {"bdvtu": "Trưởng Ban", "hc-dt": "Trưởng Phòng HC", "dvcq-dttg": "Trưởng Phòng DV"}
    assert _escalated_to(session, clock, "hc-dt", heads) == {"Trưởng Phòng HC"}


def test_escalation_goes_to_the_boards_head_when_the_unit_has_none(
    session: Session, clock: FixedClock
) -> None:
    heads = {"bdvtu": "Trưởng Ban", "hc-dt": "Trưởng Phòng HC"}
    assert _escalated_to(session, clock, "dvcq-dttg", heads) == {"Trưởng Ban"}
