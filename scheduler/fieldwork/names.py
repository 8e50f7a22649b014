"""How unit names are compared, ordered and shown: folded keys, sort order, labels.

A name is compared through :func:`name_key`: lower case and NFC, punctuation dropped, the
kind word in front ("xã", "phường", "tp", ...) split off and Roman numerals read as
numbers, once with diacritics folded and once with them kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from calendars.text import fold, nfc
from scheduler.store.models import Unit

# Kind words in front of a name, folded, and how they are written in full.
_PREFIXES = {
    "thi tran": "thị trấn",
    "thi xa": "thị xã",
    "thanh pho": "thành phố",
    "phuong": "phường",
    "huyen": "huyện",
    "tinh": "tỉnh",
    "xa": "xã",
    "tt": "thị trấn",
    "tx": "thị xã",
    "tp": "thành phố",
    "p": "phường",
    "x": "xã",
}
_ROMAN = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
    "xi": "11",
    "xii": "12",
}
_PUNCT = re.compile(r"[.,;:!?\"'()\[\]]+")


@dataclass(frozen=True)
class NameKey:
    """The ways a name is compared: folded, without its prefix, with diacritics kept."""

    full: str
    bare: str
    exact: str
    exact_full: str


@lru_cache(maxsize=16384)
def name_key(name: str) -> NameKey:
    text = _PUNCT.sub(" ", nfc(name).lower())
    words = re.sub(r"(?<=[^\d\s])(?=\d)", " ", text).split()
    folded = [fold(w) for w in words]
    drop, prefix = 0, ""
    for size in (2, 1):
        head = " ".join(folded[:size])
        if len(folded) > size and head in _PREFIXES:
            drop, prefix = size, _PREFIXES[head]
            break
    rest = [_ROMAN.get(f, w) for f, w in zip(folded[drop:], words[drop:], strict=True)]
    bare = " ".join(_ROMAN.get(f, f) for f in folded[drop:])
    return NameKey(
        full=f"{fold(prefix)} {bare}".strip(),
        bare=bare,
        exact=" ".join(rest),
        exact_full=f"{prefix} {' '.join(rest)}".strip(),
    )


def bare_key(name: str) -> str:
    """A unit name as lookups compare it: folded, without "xã"/"phường"/... in front."""
    return name_key(name).bare


def province_key(name: str) -> str:
    return bare_key(name)


def unit_sort_key(unit: Unit) -> tuple[str, str]:
    """How unit lists are ordered: by the parent's folded name, then by the bare name."""
    parent = unit.parent.name if unit.parent is not None else ""
    return (fold(parent), bare_key(unit.name))


def unit_label(unit: Unit) -> str:
    """``Xã Tân Bình (Huyện Tân Biên)`` when the unit sits in a district, else its name."""
    parent = unit.parent
    if parent is not None and parent.kind == "district":
        return f"{unit.name} ({parent.name})"
    return unit.name
