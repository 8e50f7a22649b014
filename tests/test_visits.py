"""Logging field visits, and the visit reminder rules (issue 8)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from notifiers.recording import RecordingNotifier
from scheduler import fieldwork as areas
from scheduler.clock import LOCAL_TZ
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.reminders.dispatcher import dispatch_all
from scheduler.reminders.visit_rules import plan_visit_reminders
from scheduler.store.models import Officer, Reminder, Visit
from tests.cli_support import run_cli
from tests.support_areas import give_area, load_2024, officer, unit


def _at(day: date, hour: int = 7, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


MAY_21 = _at(date(2024, 5, 21), 7, 59)


def _visits(session: Session) -> int:
    return session.scalar(select(func.count(Visit.id))) or 0


@pytest.fixture
def an(session: Session) -> Officer:
    load_2024(session)
    person = officer(session, "Nguyễn Văn An", chat_id=1001, email="an@example.vn")
    give_area(session, person, "Huyện Tân Biên")
    return person


def test_a_visit_logged_twice_the_same_day_is_stored_once(session: Session, an: Officer) -> None:
    place = unit(session, "Tân Lập")
    first, created = areas.log_visit(session, an, place, date(2024, 5, 3), MAY_21, "Họp dân")
    again, created_again = areas.log_visit(session, an, place, date(2024, 5, 3), MAY_21, "lần 2")
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.note == "Họp dân"
    assert _visits(session) == 1
    [row] = areas.officer_coverage(session, an, 2024, MAY_21.date())
    assert (row.visits_this_month, row.days_this_month, row.reached) == (1, 1, 1)


def test_a_date_in_the_future_is_refused_and_nothing_is_stored(
    session: Session, an: Officer
) -> None:
    with pytest.raises(InvalidInput, match="chưa tới"):
        areas.log_visit(session, an, unit(session, "Tân Lập"), date(2024, 5, 22), MAY_21)
    assert _visits(session) == 0


def test_today_counts_in_local_time_not_utc(session: Session, an: Officer) -> None:
    # 06:30 in Tây Ninh is still the previous day in UTC: today's visit is not "future".
    early = _at(date(2024, 5, 21), 6, 30)
    _visit, created = areas.log_visit(
        session, an, unit(session, "Tân Lập"), date(2024, 5, 21), early
    )
    assert created


def test_an_officer_with_no_area_is_told_so_and_nothing_is_stored(session: Session) -> None:
    load_2024(session)
    binh = officer(session, "Trần Thị Bình")
    with pytest.raises(InvalidInput, match="chưa được phân công địa bàn"):
        areas.log_visit(session, binh, unit(session, "Tân Lập"), date(2024, 5, 3), MAY_21)
    assert _visits(session) == 0
    assert areas.coverage_lines(session, binh, 2024, MAY_21.date()) == [
        "📍 Chưa được phân công địa bàn (xã, phường) năm 2024: chưa có tiến độ đi cơ sở."
    ]


def test_a_district_is_not_a_place_visited(session: Session, an: Officer) -> None:
    with pytest.raises(InvalidInput, match="không phải xã, phường"):
        areas.log_visit(session, an, unit(session, "Huyện Tân Biên"), date(2024, 5, 3), MAY_21)
    assert _visits(session) == 0


def test_a_commune_that_did_not_exist_that_year_is_refused(session: Session, an: Officer) -> None:
    areas.load_units_for_year(session, "Tây Ninh", 2026)
    new_commune = unit(session, "Xã Tân Biên", 2026)
    with pytest.raises(InvalidInput, match="không có trong danh sách năm 2024"):
        areas.log_visit(session, an, new_commune, date(2024, 5, 3), MAY_21)
    assert _visits(session) == 0


def test_a_visit_outside_the_area_is_a_day_out_but_no_commune_reached(
    session: Session, an: Officer
) -> None:
    elsewhere = unit(session, "Truông Mít")
    areas.log_visit(session, an, elsewhere, date(2024, 5, 3), MAY_21)
    assert not areas.in_area(session, an, elsewhere, 2024)
    [row] = areas.officer_coverage(session, an, 2024, MAY_21.date())
    assert (row.reached, row.visits_this_month) == (0, 0)
    assert areas.coverage_lines(session, an, 2024, MAY_21.date())[0] == (
        "📍 Đi cơ sở tháng 5/2024: 1 ngày"
    )


# --------------------------------------------------------------------------- reminders


def _rows(session: Session) -> list[Reminder]:
    return list(session.scalars(select(Reminder).order_by(Reminder.key)))


def test_no_visit_by_the_20th_gives_one_nudge_per_channel_at_8(
    session: Session, an: Officer
) -> None:
    now = _at(date(2024, 5, 20), 0, 5)
    assert plan_visit_reminders(session, now) == 2
    assert plan_visit_reminders(session, now) == 0
    assert plan_visit_reminders(session, _at(date(2024, 5, 27))) == 0
    rows = _rows(session)
    assert [r.key for r in rows] == [
        f"visit-nudge:{an.id}:email:2024-05",
        f"visit-nudge:{an.id}:telegram:2024-05",
    ]
    for row in rows:
        assert row.kind == "nudge" and row.state == "pending" and row.officer_id == an.id
        assert row.due_at == _at(date(2024, 5, 20), 8, 0)
        assert row.payload["subject"] == "Nhắc đi cơ sở tháng 5/2024"
        assert "chưa ghi nhận ngày đi cơ sở" in row.payload["text"]
        assert "/dicoso" in row.payload["text"]


def test_a_visit_earlier_in_the_month_means_no_nudge(session: Session, an: Officer) -> None:
    areas.log_visit(session, an, unit(session, "Tân Lập"), date(2024, 5, 2), _at(date(2024, 5, 2)))
    assert plan_visit_reminders(session, _at(date(2024, 5, 20), 0, 5)) == 0
    assert _rows(session) == []


def test_a_visit_last_month_does_not_count_for_this_month(session: Session, an: Officer) -> None:
    areas.log_visit(
        session, an, unit(session, "Tân Lập"), date(2024, 4, 29), _at(date(2024, 4, 29))
    )
    assert plan_visit_reminders(session, _at(date(2024, 5, 20), 9)) == 2


def test_nothing_before_the_20th(session: Session, an: Officer) -> None:
    assert plan_visit_reminders(session, _at(date(2024, 5, 19), 23, 59)) == 0


def test_logging_a_visit_cancels_the_pending_nudge(session: Session, an: Officer) -> None:
    plan_visit_reminders(session, _at(date(2024, 5, 20), 0, 5))
    areas.log_visit(
        session, an, unit(session, "Tân Lập"), date(2024, 5, 20), _at(date(2024, 5, 20), 7)
    )
    session.expire_all()
    assert {r.state for r in _rows(session)} == {"cancelled"}


def test_only_channels_with_an_address_get_a_row(session: Session) -> None:
    load_2024(session)
    telegram_unlinked = officer(session, "Lê Văn Cường", channels="telegram")
    mail_only = officer(session, "Phạm Thị Dung", email="dung@example.vn", channels="email")
    give_area(session, telegram_unlinked, "Huyện Gò Dầu")
    give_area(session, mail_only, "Huyện Bến Cầu")
    assert plan_visit_reminders(session, _at(date(2024, 5, 20), 9)) == 1
    [row] = _rows(session)
    assert row.key == f"visit-nudge:{mail_only.id}:email:2024-05"


def test_an_officer_without_area_gets_no_visit_reminder(session: Session) -> None:
    load_2024(session)
    officer(session, "Trần Thị Bình", chat_id=2002)
    assert plan_visit_reminders(session, _at(date(2024, 5, 20), 9)) == 0


def test_an_area_given_after_the_20th_is_not_nudged_that_month(session: Session) -> None:
    load_2024(session)
    late = officer(session, "Võ Văn Em", chat_id=3003)
    areas.assign_area(session, late, [unit(session, "Huyện Gò Dầu")], _at(date(2024, 5, 25)))
    assert plan_visit_reminders(session, _at(date(2024, 5, 26))) == 0
    assert plan_visit_reminders(session, _at(date(2024, 6, 20), 9)) == 1


def test_from_july_a_note_on_the_first_lists_the_communes_not_reached(
    session: Session, an: Officer
) -> None:
    for day, name in [(date(2024, 3, 4), "Tân Lập"), (date(2024, 6, 12), "Thạnh Tây")]:
        areas.log_visit(session, an, unit(session, name), day, _at(day))
    # A visit in June: no nudge, and no note before July.
    assert plan_visit_reminders(session, _at(date(2024, 6, 30), 23)) == 0
    now = _at(date(2024, 7, 1), 0, 10)
    assert plan_visit_reminders(session, now) == 2
    assert plan_visit_reminders(session, now) == 0
    notes = [r for r in _rows(session) if r.key.startswith("visit-missing:")]
    assert [r.key for r in notes] == [
        f"visit-missing:{an.id}:email:2024-07",
        f"visit-missing:{an.id}:telegram:2024-07",
    ]
    note = notes[0]
    assert note.due_at == _at(date(2024, 7, 1), 8, 0)
    assert note.payload["subject"] == "Xã, phường chưa đến năm 2024 (8/10)"
    text = note.payload["text"]
    assert "đã đến 2/10 xã, phường" in text
    assert "Xã Mỏ Công (Huyện Tân Biên)" in text and "Thị trấn Tân Biên" in text
    assert "Tân Lập" not in text and "Thạnh Tây" not in text


def test_no_note_in_the_first_half_or_when_every_commune_is_reached(
    session: Session,
) -> None:
    load_2024(session)
    person = officer(session, "Đỗ Thị Giang", chat_id=4004)
    give_area(session, person, "Phước Thạnh")
    assert plan_visit_reminders(session, _at(date(2024, 6, 1), 9)) == 0
    areas.log_visit(
        session, person, unit(session, "Phước Thạnh"), date(2024, 7, 1), _at(date(2024, 7, 1), 7)
    )
    assert plan_visit_reminders(session, _at(date(2024, 7, 1), 9)) == 0


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_area(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LICHCT_NOW", "2024-05-21T07:59")
    run_cli(capsys, "init")
    run_cli(capsys, "officers", "add", "Nguyễn Văn An")
    run_cli(capsys, "officers", "add", "Trần Thị Bình")
    assert run_cli(capsys, "areas", "assign", "1", "Huyện Tân Biên").code == 0


def test_cli_visit_add_twice_says_it_counts_once(
    cli_area: None, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(capsys, "visits", "add", "Nguyen Van An", "tan lap", "--date", "2024-05-03")
    assert first.code == 0 and "✅ Đã ghi" in first.out and "03/05/2024" in first.out
    second = run_cli(capsys, "visits", "add", "1", "Xã Tân Lập", "--date", "2024-05-03")
    assert second.code == 0 and "tính một lần" in second.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("1", "Tân Lập", "--date", "2024-05-22"), "chưa tới"),
        (("1", "Tân Lập", "--date", "2099-01-01"), "chưa tới"),  # not "no area in 2099"
        (("1", "Atlantis", "--date", "2024-05-03"), "Không tìm thấy xã, phường 'Atlantis'"),
        (("2", "Tân Lập", "--date", "2024-05-03"), "chưa được phân công địa bàn"),
        (("1", "Tân Bình", "--date", "2024-05-03"), "tn2024.tay-ninh.tan-binh"),
        (("1", "Tân Lập", "--date", "3/5/2024"), "YYYY-MM-DD"),
    ],
)
def test_cli_bad_visits_get_one_clear_line_and_store_nothing(
    cli_area: None, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    result = run_cli(capsys, "visits", "add", *args)
    assert result.code != 0
    assert result.err.startswith("Lỗi: ") and message in result.err
    assert "Traceback" not in result.err
    assert run_cli(capsys, "visits", "list", "--format", "json").out.strip() == "[]"


def test_the_nudge_reaches_the_officer_through_the_dispatcher(ctx: AppContext) -> None:
    with ctx.db.unit_of_work() as session:
        load_2024(session)
        person = officer(session, "Nguyễn Văn An", chat_id=1001, email="an@example.vn")
        give_area(session, person, "Huyện Tân Biên")
        plan_visit_reminders(session, _at(date(2024, 5, 20), 0, 5))
    telegram, email = RecordingNotifier("telegram"), RecordingNotifier("email")
    notifiers = {"telegram": telegram, "email": email}
    early = asyncio.run(dispatch_all(ctx.db, notifiers, _at(date(2024, 5, 20), 7, 59)))
    assert early.claimed == 0
    asyncio.run(dispatch_all(ctx.db, notifiers, _at(date(2024, 5, 20), 8, 0)))
    [(recipient, message)] = telegram.sent
    assert recipient.telegram_chat_id == 1001
    assert message.subject == "Nhắc đi cơ sở tháng 5/2024"
    assert "chưa ghi nhận ngày đi cơ sở" in message.text
    assert len(email.sent) == 1
