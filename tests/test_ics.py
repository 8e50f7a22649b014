"""The ICS renderer on plain values: what Outlook and Google Calendar will read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import recurring_ical_events
import vobject

from calendars.ics import IcsEvent, render_calendar, render_single_event
from scheduler.clock import LOCAL_TZ

STAMP = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)

KHMER = IcsEvent(
    uid="obs-chol-chnam-thmay-2024@lichct",
    title="Tết Chol Chnam Thmay",
    start_date=date(2024, 4, 14),
    end_date=date(2024, 4, 16),
    modified=STAMP,
    task=False,
    lunar="mùng 6 tháng Ba năm Giáp Thìn",
    categories=("Ngày lễ", "Dân tộc Khmer"),
    alarm_before=timedelta(hours=15),
)
MEETING = IcsEvent(
    uid="adhoc-7@lichct",
    number=7,
    title="Họp giao ban",
    start_date=date(2024, 5, 27),
    end_date=date(2024, 5, 27),
    all_day=False,
    start_at=datetime(2024, 5, 27, 8, 0, tzinfo=LOCAL_TZ),
    end_at=datetime(2024, 5, 27, 9, 30, tzinfo=LOCAL_TZ),
    modified=STAMP,
    sequence=2,
    assignees=("Trần Thị Lan",),
    categories=("Hội họp",),
    alarm_before=timedelta(days=1),
)


def test_calendar_names_itself_and_asks_clients_to_refresh_hourly() -> None:
    data = render_calendar("Lịch công tác – Trần Thị Lan", [KHMER], LOCAL_TZ)
    lines = data.decode().split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    for expected in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Lịch công tác – Trần Thị Lan",
        "X-WR-CALNAME:Lịch công tác – Trần Thị Lan",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert expected in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_three_day_observance_ends_on_the_day_after_its_last_day() -> None:
    data = render_calendar("Ngày lễ", [KHMER], LOCAL_TZ)
    assert b"DTSTART;VALUE=DATE:20240414\r\n" in data
    assert b"DTEND;VALUE=DATE:20240417\r\n" in data
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == date(2024, 4, 14)
    assert event.decoded("DTEND") == date(2024, 4, 17)
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value == date(2024, 4, 14)
    assert parsed.vevent.dtend.value == date(2024, 4, 17)
    days = recurring_ical_events.of(icalendar.Calendar.from_ical(data))
    assert [e["UID"] for e in days.at(date(2024, 4, 16))] == [KHMER.uid]
    assert days.at(date(2024, 4, 17)) == []


def test_an_observance_states_its_lunar_date_once() -> None:
    from dataclasses import replace

    def description(event: IcsEvent) -> str:
        parsed = icalendar.Calendar.from_ical(render_calendar("Ngày lễ", [event], LOCAL_TZ))
        return str(parsed.walk("VEVENT")[0]["DESCRIPTION"])

    plain = description(replace(KHMER, text="Tết cổ truyền của đồng bào Khmer."))
    assert plain.count("mùng 6 tháng Ba năm Giáp Thìn") == 1
    assert "Âm lịch: mùng 6 tháng Ba năm Giáp Thìn" in plain
    told = description(replace(KHMER, text="Chol Chnam Thmay, tức mùng 6 tháng Ba năm Giáp Thìn."))
    assert told.count("mùng 6 tháng Ba năm Giáp Thìn") == 1


def test_timed_item_carries_its_time_zone_and_a_vtimezone() -> None:
    data = render_calendar("Lịch", [MEETING], LOCAL_TZ)
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20240527T080000\r\n" in data
    assert b"DTEND;TZID=Asia/Ho_Chi_Minh:20240527T093000\r\n" in data
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert b"TZID:Asia/Ho_Chi_Minh" in data
    parsed = vobject.readOne(data.decode())
    assert parsed.vevent.dtstart.value == datetime(2024, 5, 27, 1, 0, tzinfo=UTC)


def test_no_vtimezone_when_every_item_is_all_day() -> None:
    assert b"VTIMEZONE" not in render_calendar("Ngày lễ", [KHMER], LOCAL_TZ)


def test_confirmed_item_is_prefixed_with_a_check_mark_once_and_names_who_confirmed() -> None:
    done = IcsEvent(
        **{
            **_fields(MEETING),
            "status": "done",
            "confirmed_by": "Trần Thị Lan",
            "confirmed_at": datetime(2024, 5, 27, 3, 15, tzinfo=UTC),
        }
    )
    event = icalendar.Calendar.from_ical(render_calendar("Lịch", [done], LOCAL_TZ)).walk("VEVENT")[
        0
    ]
    assert str(event["SUMMARY"]) == "✅ Họp giao ban"
    description = str(event["DESCRIPTION"])
    assert "Trạng thái: đã hoàn thành (xác nhận bởi Trần Thị Lan lúc 10:15 27/05/2024)" in (
        description
    )
    again = IcsEvent(**{**_fields(done), "title": "✅ Họp giao ban"})
    assert b"SUMMARY:\xe2\x9c\x85 \xe2\x9c\x85" not in render_calendar("Lịch", [again], LOCAL_TZ)


def test_alarm_comes_after_the_event_properties_and_only_while_planned() -> None:
    data = render_calendar("Lịch", [MEETING], LOCAL_TZ)
    block = data.split(b"BEGIN:VEVENT\r\n")[1].split(b"END:VEVENT")[0]
    before, _, after = block.partition(b"BEGIN:VALARM\r\n")
    assert after.endswith(b"END:VALARM\r\n"), "nothing may follow the VALARM"
    assert b"TRIGGER:-P1D" in after and b"ACTION:DISPLAY" in after
    assert b"UID:" in before and b"DESCRIPTION:" in before
    done = IcsEvent(**{**_fields(MEETING), "status": "done"})
    assert b"VALARM" not in render_calendar("Lịch", [done], LOCAL_TZ)


def test_cancelled_item_reads_as_cancelled() -> None:
    cancelled = IcsEvent(
        **{**_fields(MEETING), "status": "cancelled", "sequence": 3, "cancelled_at": STAMP}
    )
    event = icalendar.Calendar.from_ical(render_calendar("Lịch", [cancelled], LOCAL_TZ)).walk(
        "VEVENT"
    )[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert "VALARM" not in [c.name for c in event.subcomponents]


def test_long_vietnamese_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    wording = (
        "Tổ chức đoàn thăm, chúc mừng chức sắc, chức việc, đồng bào các dân tộc thiểu số "
        "và người có uy tín nhân dịp Tết Chol Chnam Thmay; phối hợp Ủy ban Mặt trận Tổ quốc "
        "Việt Nam tỉnh, Ban Tôn giáo và các huyện, thị xã, thành phố. ✅ ưởng ượng ỹ Đ"
    )
    long_one = IcsEvent(**{**_fields(MEETING), "title": wording, "text": wording * 3})
    data = render_calendar("Lịch", [long_one], LOCAL_TZ)
    physical = data.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical), "long lines must be folded"
    for line in physical:
        line.decode("utf-8")  # each physical line is whole UTF-8: no split character
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == wording
    assert str(event["DESCRIPTION"]).startswith(wording * 3)
    assert vobject.readOne(data.decode()).vevent.summary.value == wording


def test_same_values_give_the_same_bytes_whatever_the_order_given() -> None:
    first = render_calendar("Lịch", [MEETING, KHMER], LOCAL_TZ)
    second = render_calendar("Lịch", [KHMER, MEETING], LOCAL_TZ)
    assert first == second
    assert b"DTSTAMP:20240301T020000Z" in first
    assert b"LAST-MODIFIED:20240301T020000Z" in first


def test_single_event_file_holds_one_published_event() -> None:
    data = render_single_event(MEETING, LOCAL_TZ)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [MEETING.uid]
    assert vobject.readOne(data.decode()).vevent.uid.value == MEETING.uid


def _fields(event: IcsEvent) -> dict[str, object]:
    return {name: getattr(event, name) for name in IcsEvent.__slots__}
