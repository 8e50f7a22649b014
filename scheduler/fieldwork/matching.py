"""Finding the unit a typed name means: ranking candidates, splitting off a note, resolving.

Diacritics and the kind word are optional and small typos are forgiven; an exact name
beats a folded one, which beats a fuzzy one, and names equally close all come back so
the caller can ask which one was meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.text import nfc
from scheduler.errors import InvalidInput, NotFound
from scheduler.fieldwork.names import NameKey, bare_key, name_key, unit_label
from scheduler.fieldwork.units import COMMUNE_KINDS, units_in_year
from scheduler.store.models import Unit

# Fuzzy matches below this score (0-100, rapidfuzz ratio) are not offered as the answer.
FUZZY_CUTOFF = 80.0
# Scores this close to the best count as "equally good": the user must choose.
TIE_MARGIN = 1.0
_SUGGEST_CUTOFF = 60.0


def _parse_query(text: str) -> tuple[NameKey, str | None]:
    """Split "Tân Bình (Tân Biên)" or "Tân Bình, Tân Biên" into a name and its district."""
    text = nfc(" ".join(text.split()))
    qualifier = None
    match = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", text)
    if match:
        text, qualifier = match[1], match[2]
    elif "," in text:
        text, qualifier = (part.strip() for part in text.split(",", 1))
    return name_key(text), qualifier


def _filter_by_parent(units: list[Unit], qualifier: str | None) -> list[Unit]:
    """Keep the units whose district (or province) fits "(Tân Biên)"; none when none fits."""
    if not qualifier:
        return units
    wanted = bare_key(qualifier)
    kept = [u for u in units if u.parent is not None and bare_key(u.parent.name) == wanted]
    if kept:
        return kept
    from rapidfuzz import fuzz  # loaded on first use: serve starts without it

    return [
        u
        for u in units
        if u.parent is not None and fuzz.ratio(wanted, bare_key(u.parent.name)) >= FUZZY_CUTOFF
    ]


@dataclass(frozen=True)
class MatchResult:
    """The units that fit a typed name, best first; ``score`` 100 for an exact match."""

    units: list[Unit]
    score: float
    exact: bool
    suggestions: list[Unit] = field(default_factory=list)


def rank_units(
    session: Session, text: str, year: int, kinds: Collection[str] = COMMUNE_KINDS
) -> MatchResult:
    """Match a typed unit name against the units of ``year`` (code, exact, folded, fuzzy)."""
    raw = nfc(text.strip())
    if not raw:
        return MatchResult([], 0.0, False)
    by_code = session.scalar(select(Unit).where(Unit.code == raw))
    if by_code is not None and by_code.kind in kinds:
        return MatchResult([by_code], 100.0, True)
    query, qualifier = _parse_query(raw)
    pool = units_in_year(session, year, kinds)
    if not pool or not query.full:
        return MatchResult([], 0.0, False)
    keys = {u.id: name_key(u.name) for u in pool}
    tiers: list[Callable[[NameKey], bool]] = [
        lambda k: k.exact_full == query.exact_full,
        lambda k: k.exact == query.exact,
        lambda k: k.full == query.full,
        lambda k: k.bare in (query.full, query.bare),
    ]
    for fits in tiers:
        found = _filter_by_parent([u for u in pool if fits(keys[u.id])], qualifier)
        if found:
            return MatchResult(found, 100.0, True)
    from rapidfuzz import fuzz

    scores = {
        u.id: max(fuzz.ratio(query.bare, keys[u.id].bare), fuzz.ratio(query.full, keys[u.id].full))
        for u in pool
    }
    ordered = sorted(pool, key=lambda u: -scores[u.id])
    best = scores[ordered[0].id]
    if best < FUZZY_CUTOFF:
        suggestions = [u for u in ordered[:3] if scores[u.id] >= _SUGGEST_CUTOFF]
        return MatchResult([], best, False, suggestions)
    close = [u for u in ordered if scores[u.id] >= best - TIE_MARGIN]
    return MatchResult(_filter_by_parent(close, qualifier), best, False)


def match_units(
    session: Session, text: str, year: int, kinds: Collection[str] = COMMUNE_KINDS
) -> list[Unit]:
    """Units of ``year`` that fit ``text``: one is a match, none is unknown, more is ambiguous.

    Diacritics and the "xã"/"phường"/"thị trấn" prefix are optional and small typos are
    forgiven; an exact name beats a folded one, which beats a fuzzy one. Two names equally
    close ("Tân Bình" in two districts in 2024, "tan thanh" for Tân Thành and Tân Thạnh)
    all come back, so the caller asks which one.
    """
    return rank_units(session, text, year, kinds).units


_SEPARATORS = ("|", "\n", " - ", " – ", ": ")


def split_unit_and_note(
    session: Session, text: str, year: int, kinds: Collection[str] = COMMUNE_KINDS
) -> tuple[MatchResult, str | None]:
    """Split "Tân Lập họp dân ấp 3" into the unit that fits best and a free note.

    An explicit separator ("|", " - ", ": " or a new line) ends the name; otherwise the
    longest leading words that name a unit exactly win, else the best fuzzy match.
    """
    for sep in _SEPARATORS:
        if sep in text:
            name, note = text.split(sep, 1)
            return rank_units(session, name, year, kinds), (" ".join(note.split()) or None)
    words = text.split()
    best: tuple[MatchResult, int] | None = None
    for size in range(len(words), 0, -1):
        result = rank_units(session, " ".join(words[:size]).rstrip(",;"), year, kinds)
        if not result.units:
            continue
        if result.exact:
            best = (result, size)
            break
        if best is None or result.score > best[0].score:
            best = (result, size)
    if best is None:
        return rank_units(session, text, year, kinds), None
    result, size = best
    return result, (" ".join(words[size:]) or None)


class AmbiguousUnit(InvalidInput):
    """Several units fit the typed name; ``candidates`` lists them."""

    def __init__(self, text: str, candidates: Sequence[Unit]) -> None:
        self.candidates = list(candidates)
        listing = "; ".join(f"{unit_label(u)} [mã {u.code}]" for u in self.candidates)
        first = self.candidates[0]
        example = ""
        if first.parent is not None and first.parent.kind == "district":
            example = f", ví dụ '{_short(first.name)} ({_short(first.parent.name)})'"
        super().__init__(
            f"Có {len(self.candidates)} đơn vị khớp {text!r}: {listing}. "
            f"Hãy ghi rõ hơn{example}, hoặc dùng mã"
        )


def _short(name: str) -> str:
    """The name without its kind word: "Xã Tân Bình" -> "Tân Bình"."""
    words = name.split()
    drop = len(words) - len(name_key(name).bare.split())
    return " ".join(words[drop:]) if 0 < drop < len(words) else name


def resolve_unit(
    session: Session, text: str, year: int, kinds: Collection[str] = COMMUNE_KINDS
) -> Unit:
    """Exactly one unit for ``text``, or a clear NotFound / AmbiguousUnit."""
    result = rank_units(session, text, year, kinds)
    if len(result.units) == 1:
        return result.units[0]
    if result.units:
        raise AmbiguousUnit(text, result.units)
    if not units_in_year(session, year, kinds):
        raise NotFound(
            f"Chưa có danh sách xã, phường năm {year}: nạp bằng 'lichct units load --year {year}'"
        )
    hint = ""
    if result.suggestions:
        hint = " Có phải: " + ", ".join(unit_label(u) for u in result.suggestions) + "?"
    raise NotFound(
        f"Không tìm thấy xã, phường {text.strip()!r} trong danh sách năm {year}.{hint} "
        f"(xem 'lichct units list --year {year}')"
    )
