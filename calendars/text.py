"""Vietnamese text helpers shared by lookups and parsers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_SPACES = re.compile(r"\s+")
# What never belongs in stored text: C0 controls other than tab and newline, DEL, C1
# controls, and the bidirectional marks, embeddings, overrides and isolates that can make
# a title read differently from what it holds (U+202E turns "gpj.exe" around).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def fold(text: str) -> str:
    """Lower case, without diacritics, with single spaces: ``"Tân Biên"`` -> ``"tan bien"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean_text(text: str) -> str:
    """``text`` in NFC without control or bidirectional-override characters.

    Every text that enters the store passes here once (documents, CLI arguments, bot
    messages); a carriage return becomes a newline so that line ends stay line ends.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNSAFE.sub("", text))


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character that ``clean_text`` removes."""
    return _UNSAFE.search(text) is not None


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
