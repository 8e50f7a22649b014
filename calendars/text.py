"""Vietnamese text helpers shared by lookups and parsers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, without diacritics, with single spaces: ``"Tân Biên"`` -> ``"tan bien"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def nfc(text: str) -> str:
    """Normalise to NFC so that composed and decomposed input compare equal."""
    return unicodedata.normalize("NFC", text)


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def vn_date(d: date) -> str:
    """A date for people: ``31/05/2024``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def vn_day(d: date, comma: bool = True) -> str:
    """With the weekday: ``Thứ Sáu, 31/05/2024`` (or ``Chủ nhật 18/08/2024`` without comma)."""
    return f"{WEEKDAYS[d.weekday()]}{',' if comma else ''} {vn_date(d)}"
