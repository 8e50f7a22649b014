"""Values that enter the store from a user, checked once where they enter.

Shared by every entry point and by the layers below the services (field visits log
notes too): dates within a sane range, and text cleaned of control and bidirectional
characters and bounded in length, each refusal one clear Vietnamese line.
"""

from __future__ import annotations

import re
from datetime import date

from calendars.text import clean_text
from scheduler.errors import InvalidInput

# Longest texts a user may store: a note on a completion or a visit, a title or an item.
NOTE_MAX = 1000
TEXT_MAX = 2000
NAME_MAX = 200

# Dates a user may type: far enough for any plan, near enough that adding reminder lead
# times or a week to them never leaves the range Python and the databases can hold.
MIN_YEAR = 1900
MAX_YEAR = 2100


# Database ids are 64-bit signed integers (SQLite INTEGER, PostgreSQL BIGINT/INTEGER):
# a larger number cannot name a row, and the drivers fail on it with a traceback.
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(value: str | int) -> int | None:
    """``value`` as a database id (ASCII digits, 1..2^63-1), or None when it cannot be one."""
    text = str(value).strip()
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def check_date(day: date, what: str = "ngày") -> date:
    """``day`` itself when its year is within MIN_YEAR..MAX_YEAR, else a clear error."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise InvalidInput(
            f"{what.capitalize()} {day.isoformat()} nằm ngoài khoảng cho phép "
            f"(năm {MIN_YEAR}–{MAX_YEAR})"
        )
    return day


def clean_input(value: str, what: str, limit: int = TEXT_MAX) -> str:
    """Typed text made safe to store: control and bidi characters removed, spaces trimmed,
    at most ``limit`` characters (else a clear error naming ``what``)."""
    text = clean_text(value).strip()
    if len(text) > limit:
        raise InvalidInput(
            f"{what.capitalize()} quá dài ({_thousands(len(text))} ký tự); "
            f"tối đa {_thousands(limit)} ký tự"
        )
    return text


def clean_note(value: str | None) -> str | None:
    """A note as stored (at most NOTE_MAX characters), or None when it holds nothing."""
    if value is None:
        return None
    return clean_input(value, "ghi chú", NOTE_MAX) or None


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")
