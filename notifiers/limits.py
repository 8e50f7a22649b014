"""What each channel accepts, counted in that channel's units, and shortening that respects it.

Telegram counts a message's length in UTF-16 code units (an emoji outside the Basic
Multilingual Plane counts two), at most 4,096; an email subject should stay short enough to
read in a list (150 characters). Shortening ends with "…" and never splits a character,
a surrogate pair or a letter from its combining marks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = [
    "BUTTONS_PER_ROW",
    "ELLIPSIS",
    "SUBJECT_MAX",
    "TELEGRAM_TEXT_MAX",
    "TITLE_MAX",
    "fit_lines",
    "shorten",
    "shorten_utf16",
    "utf16_len",
]

TELEGRAM_TEXT_MAX = 4096
SUBJECT_MAX = 150
# A title inside a message body: long plan titles stay whole, a runaway one cannot push
# the deadline and the item number out of the message.
TITLE_MAX = 1000
BUTTONS_PER_ROW = 3
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cut(text: str, keep: int) -> str:
    """The first ``keep`` characters, backed off so no combining mark or joiner is left
    dangling without what it belongs to."""
    head = text[:keep]
    while head and (unicodedata.combining(head[-1]) or head[-1] in "\u200d\ufe0f"):
        head = head[:-1]
    if head and keep < len(text) and unicodedata.combining(text[keep]):
        head = head[:-1]  # the next char is a mark of the last letter: drop the letter too
    return head.rstrip()


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters (code points), ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return _cut(text, max(limit - 1, 0)) + ELLIPSIS


def shorten_utf16(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-16 code units, ending in "…" when cut."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - 1  # the ellipsis is one unit
    used = keep = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > budget:
            break
        used += size
        keep += 1
    return _cut(text, keep) + ELLIPSIS


def fit_lines(lines: Sequence[str], limit: int, more: str = "… và {n} mục khác.") -> list[str]:
    """Whole lines that fit in ``limit`` UTF-16 units once joined by newlines; the lines
    left out are counted in a last line (``more``). The first line always stays (shortened
    if it alone is too long)."""
    if not lines or utf16_len("\n".join(lines)) <= limit:
        return list(lines)
    reserve = 1 + utf16_len(more.format(n=len(lines)))
    kept = [shorten_utf16(lines[0], max(limit - reserve, 1))]
    used = utf16_len(kept[0])
    for line in lines[1:]:
        size = 1 + utf16_len(line)
        if used + size + reserve > limit:
            break
        kept.append(line)
        used += size
    return [*kept, more.format(n=len(lines) - len(kept))]
