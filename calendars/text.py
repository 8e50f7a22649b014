"""Vietnamese text helpers shared by lookups and parsers."""

from __future__ import annotations

import re
import unicodedata

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
