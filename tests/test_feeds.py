"""Feeds from the store: who sees what, dates checked against the store, stable bytes,
tokens, and the ``feed-url``/``feed-reset``/``ics`` commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from sqlalchemy import event as sa_event
from sqlalchemy import select

from calendars.lunar import format_lunar, solar_to_lunar
from scheduler import feeds, services
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.store.models import Event, FeedToken
from tests.cli_support import run_cli
from tests.support_feeds import (
    Office,
    as_date,
    build_office,
    make_event,
    prop,
    vevent_blocks,
    vevents,
)


@pytest.fixture
def office(ctx: AppContext) -> Office:
    with ctx.db.unit_of_work() as session:
        return build_office(session, ctx.clock.now())


def _render(ctx: AppContext, scope: feeds.FeedScope) -> bytes:
    with ctx.db.unit_of_work() as session:
        return feeds.render_feed(session, scope, ctx.clock.now(), ctx.tz)


def test_personal_feed_holds_own_unit_and_recipient_items_and_every_observance(
    ctx: AppContext, office: Office
) -> None:
    lan = set(vevents(_render(ctx, feeds.FeedScope.officer(office.lan))))
    assert {office.meeting.uid, office.report.uid, office.khmer.uid} <= lan
    assert office.minh_task.uid not in lan and office.orphan.uid not in lan
    minh = set(vevents(_render(ctx, feeds.FeedScope.officer(office.minh))))
    assert office.minh_task.uid in minh and office.report.uid not in minh
    head = set(vevents(_render(ctx, feeds.FeedScope.officer(office.head))))
    assert office.orphan.uid in head, "an item given to nobody reaches the heads"
    assert office.meeting.uid not in head
    with ctx.db.unit_of_work() as session:
        observances = set(session.scalars(select(Event.uid).where(Event.source == "observance")))
    assert observances <= lan and observances <= minh


def test_feed_membership_agrees_with_event_recipients(ctx: AppContext, office: Office) -> None:
    with ctx.db.unit_of_work() as session:
        now = ctx.clock.now()
        chosen = {
            o.id: {
                e.id for e in feeds.select_events(session, feeds.FeedScope.officer(o), now, ctx.tz)
            }
            for o in (office.lan, office.minh, office.head)
        }
        for event in session.scalars(select(Event).where(Event.status != "cancelled")):
            for officer in services.event_recipients(session, event):
                if officer.id in chosen:
                    assert event.id in chosen[officer.id], (event.title, officer.name)


def test_every_event_date_matches_the_store_in_two_parsers(ctx: AppContext, office: Office) -> None:
    data = _render(ctx, feeds.FeedScope("office"))
    by_icalendar = vevents(data)
    by_vobject = {e.uid.value: e for e in vobject.readOne(data.decode()).vevent_list}
    with ctx.db.unit_of_work() as session:
        stored = {e.uid: e for e in session.scalars(select(Event))}
    assert set(by_icalendar) == set(by_vobject)
    assert office.khmer.uid in by_icalendar and office.meeting.uid in by_icalendar
    for uid, component in by_icalendar.items():
        event = stored[uid]
        other = by_vobject[uid]
        if event.all_day:
            assert component.decoded("DTSTART") == event.start_date
            assert component.decoded("DTEND") == event.end_date + timedelta(days=1)
            assert other.dtstart.value == event.start_date
            assert other.dtend.value == event.end_date + timedelta(days=1)
        else:
            assert component.decoded("DTSTART") == event.start_at
            assert component.decoded("DTEND") == event.end_at
            assert str(component["DTSTART"].params["TZID"]) == "Asia/Ho_Chi_Minh"
            assert other.dtstart.value == event.start_at
        assert component["SEQUENCE"] == event.revision + (event.status == "cancelled")
        assert component.decoded("LAST-MODIFIED") == event.updated_at
        assert component.decoded("DTSTAMP") == event.updated_at


def test_three_day_observance_spans_exactly_its_three_days(ctx: AppContext, office: Office) -> None:
    calendar = icalendar.Calendar.from_ical(_render(ctx, feeds.FeedScope("observances")))
    seen = recurring_ical_events.of(calendar)
    days = [
        d
        for d in (date(2024, 4, 13) + timedelta(days=n) for n in range(6))
        if office.khmer.uid in {str(e["UID"]) for e in seen.at(d)}
    ]
    assert days == [date(2024, 4, 14), date(2024, 4, 15), date(2024, 4, 16)]


def test_description_tells_wording_references_lunar_date_assignee_and_status(
    ctx: AppContext, office: Office
) -> None:
    with ctx.db.unit_of_work() as session:
        services.mark_done(session, office.report.id, ctx.clock.now(), by=office.lan)
    events = vevents(_render(ctx, feeds.FeedScope.officer(office.lan)))
    report = events[office.report.uid]
    text = str(report["DESCRIPTION"])
    assert text.startswith("Báo cáo kết quả thực hiện công tác dân vận tháng 5/2024")
    assert "Căn cứ: 05-CT/TU, 100-KH/BDVTU" in text
    assert f"Phụ trách: {office.unit_a.name}" in text
    assert "Trạng thái: đã hoàn thành (xác nhận bởi Trần Thị Lan lúc 07:59 21/05/2024)" in text
    assert f"Mã việc: #{office.report.id}" in text
    assert str(report["SUMMARY"]) == "✅ Báo cáo công tác dân vận tháng 5/2024"
    assert [str(c) for c in report["CATEGORIES"].cats] == ["Báo cáo"]
    khmer = events[office.khmer.uid]
    lunar = format_lunar(solar_to_lunar(date(2024, 4, 14)))
    assert f"Âm lịch: {lunar}" in str(khmer["DESCRIPTION"])
    assert "Trạng thái" not in str(khmer["DESCRIPTION"]), "an observance is not a task"
    assert [str(c) for c in khmer["CATEGORIES"].cats] == ["Ngày lễ", "Dân tộc Khmer"]
    meeting = events[office.meeting.uid]
    assert "Phụ trách: Trần Thị Lan" in str(meeting["DESCRIPTION"])
    assert "Trạng thái: chưa hoàn thành" in str(meeting["DESCRIPTION"])


def test_cancelled_item_shows_as_cancelled_for_30_days_then_goes(
    ctx: AppContext, office: Office
) -> None:
    events = vevents(_render(ctx, feeds.FeedScope.officer(office.lan)))
    assert office.old_cancelled.uid not in events
    cancelled = events[office.new_cancelled.uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] == office.new_cancelled.revision + 1
    later = AppContext(ctx.settings, ctx.db, FixedClock(ctx.clock.now() + timedelta(days=21)))
    assert office.new_cancelled.uid not in vevents(
        _render(later, feeds.FeedScope.officer(office.lan))
    )


def test_rendering_after_a_restart_is_byte_identical(
    ctx: AppContext, office: Office, settings: Settings
) -> None:
    before = _render(ctx, feeds.FeedScope.officer(office.lan))
    restarted = AppContext.from_settings(
        settings, clock=FixedClock(ctx.clock.now() + timedelta(hours=5))
    )
    try:
        assert _render(restarted, feeds.FeedScope.officer(office.lan)) == before
    finally:
        restarted.db.dispose()


def test_editing_one_item_changes_only_its_sequence_and_last_modified(
    ctx: AppContext, office: Office, clock: FixedClock
) -> None:
    before = vevent_blocks(_render(ctx, feeds.FeedScope.officer(office.lan)))
    clock.advance(timedelta(hours=2))
    with ctx.db.unit_of_work() as session:
        meeting = session.get(Event, office.meeting.id)
        assert meeting is not None
        meeting.title = "Họp giao ban Ban Dân vận (dời phòng họp)"
        meeting.touch(clock.now())
    after = vevent_blocks(_render(ctx, feeds.FeedScope.officer(office.lan)))
    assert set(before) == set(after)
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert changed == {office.meeting.uid}
    old, new = before[office.meeting.uid], after[office.meeting.uid]
    assert int(prop(new, "SEQUENCE")) == int(prop(old, "SEQUENCE")) + 1
    assert prop(new, "LAST-MODIFIED") == clock.now().strftime("%Y%m%dT%H%M%SZ")
    assert prop(new, "DTSTART") == prop(old, "DTSTART")


def test_selecting_a_feed_does_not_query_once_per_event(ctx: AppContext, office: Office) -> None:
    def statements_for_feed() -> int:
        count = 0

        def counter(*_args: object) -> None:
            nonlocal count
            count += 1

        sa_event.listen(ctx.db.engine, "before_cursor_execute", counter)
        try:
            _render(ctx, feeds.FeedScope.officer(office.head))
        finally:
            sa_event.remove(ctx.db.engine, "before_cursor_execute", counter)
        return count

    few = statements_for_feed()
    with ctx.db.unit_of_work() as session:
        now = ctx.clock.now()
        for n in range(40):
            extra = make_event(session, f"test-bulk-{n}@lichct", f"Việc {n}", date(2024, 7, 1), now)
            services.assign(session, extra, now, officer=office.head if n % 2 else office.lan)
            if n % 3 == 0:
                services.mark_done(session, extra.id, now, by=office.head)
    assert statements_for_feed() == few


def test_single_event_attachment_for_email(ctx: AppContext, office: Office) -> None:
    with ctx.db.unit_of_work() as session:
        meeting = session.get(Event, office.meeting.id)
        assert meeting is not None
        data = feeds.event_ics(session, meeting, ctx.tz)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [office.meeting.uid]
    assert b"BEGIN:VTIMEZONE" in data


# --------------------------------------------------------------------------- tokens


def test_token_is_stored_only_as_its_hash_and_reset_revokes_the_old_one(
    ctx: AppContext, office: Office
) -> None:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        first = feeds.issue_token(session, office.lan, now)
        assert len(first) >= 22  # 128 bits, URL-safe
        hashes = list(session.scalars(select(FeedToken.token_hash)))
        assert first not in hashes and feeds.hash_token(first) in hashes
        owner = feeds.officer_for_token(session, first)
        assert owner is not None and owner.id == office.lan.id
        second = feeds.issue_token(session, office.lan, now)
        assert feeds.officer_for_token(session, first) is None
        assert feeds.officer_for_token(session, second) is not None
        active = session.scalars(
            select(FeedToken).where(
                FeedToken.officer_id == office.lan.id, FeedToken.revoked_at.is_(None)
            )
        ).all()
        assert len(active) == 1
        assert feeds.officer_for_token(session, "x" * 22) is None
        assert feeds.officer_for_token(session, "../../etc/passwd") is None


def test_feed_links_use_the_public_url() -> None:
    links = feeds.feed_links("https://lich.bdvtu.vn/", "abc_DEF-123")
    assert links.https == "https://lich.bdvtu.vn/feeds/abc_DEF-123.ics"
    assert links.webcal == "webcal://lich.bdvtu.vn/feeds/abc_DEF-123.ics"
    assert feeds.public_links("https://x.vn/lich").https == (
        "https://x.vn/lich/feeds/public/observances.ics"
    )


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_office(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Office:
    monkeypatch.setenv("LICHCT_PUBLIC_URL", "https://lich.bdvtu.vn")
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59:00")
    assert run_cli(capsys, "init").code == 0
    ctx = AppContext.from_environment()
    try:
        with ctx.db.unit_of_work() as session:
            return build_office(session, ctx.clock.now())
    finally:
        ctx.db.dispose()


def test_feed_url_issues_an_address_once_then_explains_how_to_get_a_new_one(
    cli_office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(capsys, "feed-url", "Tran Thi Lan")
    assert first.code == 0, first.err
    https = next(w for w in first.out.split() if w.startswith("https://lich.bdvtu.vn/feeds/"))
    webcal = next(w for w in first.out.split() if w.startswith("webcal://"))
    assert webcal == "webcal://" + https.removeprefix("https://")
    assert "/feeds/public/observances.ics" not in https
    again = run_cli(capsys, "feed-url", str(cli_office.lan.id))
    assert again.code == 1
    assert (
        "không thể hiện lại" in again.err and f"lichct feed-reset {cli_office.lan.id}" in again.err
    )
    assert "https://" not in again.out
    reset = run_cli(capsys, "feed-reset", "Trần Thị Lan")
    assert reset.code == 0
    assert "Đã thu hồi địa chỉ cũ." in reset.out
    new = next(w for w in reset.out.split() if w.startswith("https://"))
    assert new != https
    ctx = AppContext.from_environment()
    try:
        with ctx.db.unit_of_work() as session:
            old_token = https.rsplit("/", 1)[1].removesuffix(".ics")
            new_token = new.rsplit("/", 1)[1].removesuffix(".ics")
            assert feeds.officer_for_token(session, old_token) is None
            assert feeds.officer_for_token(session, new_token) is not None
    finally:
        ctx.db.dispose()


def test_ics_command_writes_the_officers_feed_or_the_whole_office(
    cli_office: Office, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = run_cli(capsys, "ics", "--officer", "Trần Thị Lan")
    assert mine.code == 0, mine.err
    lan = vevents(mine.out.encode())
    assert cli_office.meeting.uid in lan and cli_office.minh_task.uid not in lan
    assert "X-WR-CALNAME:Lịch công tác – Trần Thị Lan" in mine.out
    everything = vevents(run_cli(capsys, "ics").out.encode())
    assert {cli_office.minh_task.uid, cli_office.orphan.uid, cli_office.meeting.uid} <= set(
        everything
    )
    assert cli_office.old_cancelled.uid not in everything
    public = vevents(run_cli(capsys, "ics", "--observances").out.encode())
    assert cli_office.khmer.uid in public and cli_office.meeting.uid not in public
    assert {as_date(e.decoded("DTSTART")) for e in public.values()}
    unknown = run_cli(capsys, "ics", "--officer", "Không Có Ai")
    assert unknown.code != 0 and unknown.err.startswith("Lỗi:")


# --------------------------------------------------------------------------- freshness


def test_stamp_moves_with_edits_renames_and_the_day_but_not_with_time_alone(
    ctx: AppContext, office: Office, clock: FixedClock
) -> None:
    def stamp() -> str:
        with ctx.db.engine.connect() as conn:
            return feeds.store_stamp(conn, clock.now(), ctx.tz).digest

    first = stamp()
    clock.advance(timedelta(hours=3))
    assert stamp() == first, "nothing changed, same day: same stamp"
    with ctx.db.unit_of_work() as session:
        session.get(Event, office.minh_task.id).touch(clock.now())  # type: ignore[union-attr]
    edited = stamp()
    assert edited != first
    with ctx.db.unit_of_work() as session:
        session.merge(office.minh).name = "Lê Văn Minh Tuấn"
    renamed = stamp()
    assert renamed != edited
    clock.advance(timedelta(days=1))
    assert stamp() != renamed, "a new day may drop a cancelled item"


@pytest.mark.postgres
def test_postgresql_serves_the_same_bytes_and_answers_304(settings: Settings, pg_url: str) -> None:
    import asyncio

    import httpx

    from scheduler.http import build_app
    from scheduler.plans.seed import seed_database
    from scheduler.store.db import migrate

    clock = FixedClock(datetime(2024, 5, 21, 0, 59, tzinfo=UTC))
    contexts = [
        AppContext.from_settings(Settings(database_url=pg_url), clock=clock),
        AppContext.from_settings(settings, clock=clock),
    ]
    try:
        bodies, tokens = [], []
        for context in contexts:
            migrate(context.db.engine)
            with context.db.unit_of_work() as session:
                seed_database(session, clock.now(), context.tz)
                office = build_office(session, clock.now())
                token = feeds.issue_token(session, office.lan, clock.now())
            with context.db.engine.connect() as conn:
                assert feeds.token_owner(conn, token) == office.lan.id
                assert feeds.store_stamp(conn, clock.now()).last_modified == clock.now()
            bodies.append(_render(context, feeds.FeedScope.officer(office.lan)))
            tokens.append(token)
        assert bodies[0] == bodies[1]

        async def conditional_get() -> tuple[httpx.Response, httpx.Response]:
            transport = httpx.ASGITransport(app=build_app(contexts[0]))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                first = await client.get(f"/feeds/{tokens[0]}.ics")
                etag = first.headers.get("etag", "")
                return first, await client.get(
                    f"/feeds/{tokens[0]}.ics", headers={"If-None-Match": etag}
                )

        first, again = asyncio.run(conditional_get())
        assert first.status_code == 200 and first.content == bodies[0]
        assert again.status_code == 304
    finally:
        for context in contexts:
            context.db.dispose()
