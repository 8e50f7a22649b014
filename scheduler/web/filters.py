"""Jinja filters: dates for people (dd/mm/yyyy, weekdays), lunar dates, local times."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

from calendars.lunar import format_lunar, solar_to_lunar
from calendars.text import vn_date, vn_day
from scheduler.clock import LOCAL_TZ

KIND_NAMES = {
    "report": "Báo cáo",
    "plan": "Kế hoạch",
    "directive": "Công văn chỉ đạo",
    "supervision": "Giám sát",
    "inspection": "Kiểm tra",
    "meeting": "Họp, hội nghị",
    "visit": "Thăm, chúc mừng",
    "ceremony": "Dự lễ",
    "bulletin": "Thông báo",
    "observance": "Ngày lễ",
    "other": "Khác",
}
SECTION_NAMES = {
    "tham-muu": "Tham mưu Thường trực, Ban Thường vụ Tỉnh ủy",
    "chuyen-mon": "Nhiệm vụ chuyên môn của Ban",
}
STATUS_NAMES = {"planned": "Chưa xong", "done": "Đã xong", "cancelled": "Đã hủy"}
CHANNEL_NAMES = {"telegram": "Telegram", "email": "Email", "cli": "dòng lệnh", "http": "trang web"}


def lunar_text(d: date) -> str:
    return format_lunar(solar_to_lunar(d))


def local_time(value: datetime | None, tz: ZoneInfo = LOCAL_TZ, fmt: str = "%H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value is not None else ""


def local_stamp(value: datetime | None, tz: ZoneInfo = LOCAL_TZ) -> str:
    return local_time(value, tz, "%H:%M %d/%m/%Y")


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def install(env: Environment) -> None:
    env.filters.update(
        vn_date=vn_date,
        vn_day=vn_day,
        lunar=lunar_text,
        hhmm=local_time,
        stamp=local_stamp,
        kind_name=lambda k: KIND_NAMES.get(k or "", k or ""),
        section_name=lambda s: SECTION_NAMES.get(s or "", "Việc khác"),
        status_name=lambda s: STATUS_NAMES.get(s, s),
        channel_name=lambda c: CHANNEL_NAMES.get(c, c),
    )
    env.globals.update(percent=percent, KIND_NAMES=KIND_NAMES, SECTION_NAMES=SECTION_NAMES)
