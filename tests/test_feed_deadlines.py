"""Deadlines where a calendar user looks for them: an undated task is one day, its due day."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from sqlalchemy import select

from calendars.plan_parser import parse_plan
from calendars.plan_reader import read_document
from scheduler import feeds, services
from scheduler.context import AppContext
from scheduler.plans.importing import import_plan
from scheduler.store.models import Event
from tests.conftest import SEED_PLAN


@pytest.fixture
def plan_feed(ctx: AppContext) -> bytes:
    """The whole office's feed with the 2024 plan imported."""
    parsed = parse_plan(read_document(SEED_PLAN).paragraphs)
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        import_plan(session, parsed, SEED_PLAN.name, "seed", now)
        return feeds.render_feed(session, feeds.FeedScope("office"), now, ctx.tz)


def _january_reports(ctx: AppContext) -> list[Event]:
    with ctx.db.unit_of_work() as session:
        events = session.scalars(
            select(Event).where(Event.source == "plan", Event.month == 1, Event.kind == "report")
        )
        reports = [e for e in events if "(" not in e.text]  # no date of their own
        session.expunge_all()
    assert len(reports) >= 2
    return reports


def test_undated_january_reports_are_one_day_events_on_31_january(
    ctx: AppContext, plan_feed: bytes
) -> None:
    calendar = icalendar.Calendar.from_ical(plan_feed)
    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    for report in _january_reports(ctx):
        vevent = by_uid[report.uid]
        assert vevent["DTSTART"].dt == date(2024, 1, 31), report.title
        assert vevent["DTEND"].dt == date(2024, 2, 1), report.title
        assert "DTSTART;VALUE=DATE:20240131" in vevent.to_ical().decode()
        assert str(vevent["SUMMARY"]) == report.title
        description = str(vevent["DESCRIPTION"])
        assert "Chương trình công tác tháng 01/2024" in description
        assert "Hạn: Thứ Tư, 31/01/2024" in description
        # The alarm rings before the due day, not before the 1st of the month.
        (alarm,) = vevent.walk("VALARM")
        assert alarm["TRIGGER"].dt == -timedelta(hours=15)


def test_a_calendar_client_shows_each_report_only_on_its_due_day(
    ctx: AppContext, plan_feed: bytes
) -> None:
    calendar = icalendar.Calendar.from_ical(plan_feed)
    uids = {r.uid for r in _january_reports(ctx)}
    days_seen: dict[str, list[date]] = {uid: [] for uid in uids}
    for day in (date(2024, 1, 1) + timedelta(days=n) for n in range(40)):
        for event in recurring_ical_events.of(calendar).at(day):
            if str(event["UID"]) in uids:
                days_seen[str(event["UID"])].append(day)
    assert all(days == [date(2024, 1, 31)] for days in days_seen.values()), days_seen


def test_vobject_reads_the_same_one_day_deadlines(ctx: AppContext, plan_feed: bytes) -> None:
    parsed = vobject.readOne(plan_feed.decode("utf-8"))
    by_uid = {v.uid.value: v for v in parsed.vevent_list}
    for report in _january_reports(ctx):
        vevent = by_uid[report.uid]
        assert (vevent.dtstart.value, vevent.dtend.value) == (date(2024, 1, 31), date(2024, 2, 1))


def test_no_task_spans_a_whole_month(plan_feed: bytes) -> None:
    calendar = icalendar.Calendar.from_ical(plan_feed)
    for vevent in calendar.walk("VEVENT"):
        if "Mã việc" not in str(vevent["DESCRIPTION"]):
            continue  # an observance, not a task
        length = vevent["DTEND"].dt - vevent["DTSTART"].dt
        assert length <= timedelta(days=3), (str(vevent["SUMMARY"]), length)


def test_a_visit_with_its_own_days_keeps_them_and_states_its_deadline(
    ctx: AppContext, plan_feed: bytes
) -> None:
    calendar = icalendar.Calendar.from_ical(plan_feed)
    (plan_for_visit,) = [
        v
        for v in calendar.walk("VEVENT")
        if "Sen Đôn-ta" in str(v["SUMMARY"]) and "Mã việc" in str(v["DESCRIPTION"])
    ]
    assert (plan_for_visit["DTSTART"].dt, plan_for_visit["DTEND"].dt) == (
        date(2024, 10, 1),
        date(2024, 10, 4),
    )
    description = str(plan_for_visit["DESCRIPTION"])
    assert "Hạn: Thứ Ba, 24/09/2024" in description
    assert "Chương trình công tác tháng 09/2024" in description


def test_the_chuc_tet_visit_is_on_31_january_and_names_tet(
    ctx: AppContext, plan_feed: bytes
) -> None:
    calendar = icalendar.Calendar.from_ical(plan_feed)
    (visit,) = [
        v
        for v in calendar.walk("VEVENT")
        if str(v["SUMMARY"]).startswith("Mời Thường trực Tỉnh uỷ thăm, chúc Tết")
    ]
    assert visit["DTSTART"].dt == date(2024, 1, 31)
    assert "Nhân dịp Tết Nguyên đán" in str(visit["DESCRIPTION"])
    assert "10/02/2024" in str(visit["DESCRIPTION"])


def test_events_json_gives_an_undated_task_its_due_day_as_start_and_end(
    ctx: AppContext, plan_feed: bytes
) -> None:
    with ctx.db.unit_of_work() as session:
        january = services.list_events(session, start=date(2024, 1, 1), end=date(2024, 1, 31))
        rows = [services.event_to_dict(e, date(2024, 1, 2), ctx.tz) for e in january]
    report = next(r for r in rows if r["title"].startswith("Báo cáo công tác dân vận tháng 01"))
    assert report["start"] == report["end"] == report["due"] == "2024-01-31"
    # A mid-month window no longer lists the month's deadlines as if they were running.
    with ctx.db.unit_of_work() as session:
        mid = services.list_events(session, start=date(2024, 1, 10), end=date(2024, 1, 12))
        assert all(e.uid != report["uid"] for e in mid)
