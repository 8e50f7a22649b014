"""Values typed by a user (dates, times) parsed with one clear message for a wrong one."""

from __future__ import annotations

import re
from datetime import date, time

from scheduler.errors import InvalidInput
from scheduler.inputs import check_date


def parse_date(value: str, what: str = "ngày") -> date:
    """Parse an ISO ``YYYY-MM-DD`` date, with a clear message for a wrong one."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise InvalidInput(
            f"{what.capitalize()} không hợp lệ: {shown!r} (cần dạng YYYY-MM-DD, ví dụ 2024-05-31)"
        ) from None
    return check_date(day, what)


def parse_time(value: str) -> time:
    """Parse ``HH:MM`` (24-hour clock)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"Giờ không hợp lệ: {value!r} (cần dạng HH:MM, ví dụ 08:00)")
    return time(int(match[1]), int(match[2]))
