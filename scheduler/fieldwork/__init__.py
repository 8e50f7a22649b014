"""Areas, field visits and commune coverage (Kế hoạch 100-KH/BDVTU, part IV.2).

Each officer in charge of an area goes to the grassroots at least one day a month and
reaches every commune, ward and town of the area within the year. Units are data: the
current list comes from the ``vietnam-provinces`` package (after the July 2025
reorganisation), earlier lists from CSV files in ``data/units/``. Nothing here reads the
clock: callers pass ``now`` or ``today``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from lichct_data import resource
from rapidfuzz import fuzz
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calendars.text import fold, nfc
from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput, NotFound
from scheduler.store.models import AreaAssignment, Officer, Reminder, Unit, Visit

COMMUNE_KINDS = ("commune", "ward", "town")
AREA_KINDS = (*COMMUNE_KINDS, "district", "province")
DEFAULT_PROVINCE = "Tây Ninh"
# The label of an area whose communes hang directly under the province (no district level).
WHOLE_PROVINCE = "toàn tỉnh"
# Units from vietnam-provinces exist from the year of the reorganisation on.
REORGANISATION_YEAR = 2025
PACKAGE_SOURCE = "vietnam-provinces"
# Fuzzy matches below this score (0-100, rapidfuzz ratio) are not offered as the answer.
FUZZY_CUTOFF = 80.0
# Scores this close to the best count as "equally good": the user must choose.
TIE_MARGIN = 1.0
_SUGGEST_CUTOFF = 60.0

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


# --------------------------------------------------------------------------- settings


def province_setting(extra: Mapping[str, Any]) -> str:
    """The province whose units we track: ``[areas] province`` in lichct.toml, else Tây Ninh."""
    table = extra.get("areas")
    value = table.get("province") if isinstance(table, Mapping) else None
    return str(value).strip() if value and str(value).strip() else DEFAULT_PROVINCE


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Key:
    """The ways a name is compared: folded, without its prefix, with diacritics kept."""

    full: str
    bare: str
    exact: str
    exact_full: str


@lru_cache(maxsize=16384)
def _key(name: str) -> _Key:
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
    return _Key(
        full=f"{fold(prefix)} {bare}".strip(),
        bare=bare,
        exact=" ".join(rest),
        exact_full=f"{prefix} {' '.join(rest)}".strip(),
    )


def bare_key(name: str) -> str:
    """A unit name as lookups compare it: folded, without "xã"/"phường"/... in front."""
    return _key(name).bare


def province_key(name: str) -> str:
    return bare_key(name)


def unit_label(unit: Unit) -> str:
    """``Xã Tân Bình (Huyện Tân Biên)`` when the unit sits in a district, else its name."""
    parent = unit.parent
    if parent is not None and parent.kind == "district":
        return f"{unit.name} ({parent.name})"
    return unit.name


def valid_in(unit: Unit, year: int) -> bool:
    """Whether ``unit`` exists in ``year`` (units carry the years they exist in)."""
    return (unit.valid_from is None or unit.valid_from <= year) and (
        unit.valid_to is None or year <= unit.valid_to
    )


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadResult:
    """What a load of a unit list did."""

    province: str
    source: str
    created: int
    updated: int
    communes: int

    def summary(self) -> str:
        changed = f"{self.created} mới" + (f", {self.updated} cập nhật" if self.updated else "")
        return (
            f"Đã nạp danh sách đơn vị {self.province} ({self.source}): "
            f"{self.communes} xã, phường, thị trấn; {changed}"
        )


@dataclass(frozen=True)
class _Spec:
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: int | None
    valid_to: int | None


def _upsert(session: Session, specs: Sequence[_Spec], source: str) -> tuple[int, int]:
    """Create or update units by code; parents are named by code and come first."""
    session.info.pop(_CACHE, None)
    existing = {u.code: u for u in session.scalars(select(Unit))}
    created = updated = 0
    for spec in specs:
        unit = existing.get(spec.code)
        parent_id = existing[spec.parent].id if spec.parent in existing else None
        if spec.parent and parent_id is None:
            raise InvalidInput(f"Đơn vị {spec.code}: không có đơn vị cấp trên {spec.parent!r}")
        values = {
            "name": spec.name,
            "kind": spec.kind,
            "parent_id": parent_id,
            "valid_from": spec.valid_from,
            "valid_to": spec.valid_to,
            "source": source[:64],
        }
        if unit is None:
            unit = Unit(code=spec.code, **values)
            session.add(unit)
            session.flush()
            existing[spec.code] = unit
            created += 1
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            updated += 1
    session.flush()
    return created, updated


def load_units_from_package(session: Session, province: str = DEFAULT_PROVINCE) -> LoadResult:
    """Load the province and its communes and wards from ``vietnam-provinces`` (after 7/2025)."""
    import vietnam_provinces
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    wanted = province_key(province)
    found = [p for p in Province.iter_all() if province_key(p.name) == wanted]
    if not found:
        raise NotFound(f"Không có tỉnh, thành phố {province!r} trong danh mục sau sắp xếp 2025")
    prov = found[0]
    pcode = f"vn:{int(prov.code)}"
    kinds = {
        VietNamDivisionType.XA: "commune",
        VietNamDivisionType.PHUONG: "ward",
        VietNamDivisionType.DAC_KHU: "commune",
    }
    name = prov.name if prov.name.startswith("Thành phố") else f"Tỉnh {prov.name}"
    specs = [_Spec(pcode, name, "province", None, REORGANISATION_YEAR, None)]
    for ward in sorted(Ward.iter_by_province(prov.code), key=lambda w: int(w.code)):
        specs.append(
            _Spec(
                f"{pcode}:{int(ward.code)}",
                ward.name,
                kinds.get(ward.division_type, "commune"),
                pcode,
                REORGANISATION_YEAR,
                None,
            )
        )
    source = f"{PACKAGE_SOURCE} {vietnam_provinces.__version__}"
    created, updated = _upsert(session, specs, source)
    return LoadResult(name, source, created, updated, len(specs) - 1)


def _year(value: str | None, where: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"{where}: năm không hợp lệ {text!r}")
    return int(text)


def parse_unit_csv(text: str, where: str = "danh sách") -> list[_Spec]:
    """Rows ``code,name,kind,parent,valid_from,valid_to``; lines starting with # are notes."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = {"code", "name", "kind"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInput(f"{where}: thiếu cột {', '.join(sorted(missing))}")
    specs = []
    for number, row in enumerate(reader, start=2):
        here = f"{where}, dòng {number}"
        code, name, kind = (nfc((row.get(k) or "").strip()) for k in ("code", "name", "kind"))
        if not code or not name:
            raise InvalidInput(f"{here}: cần mã và tên đơn vị")
        if kind not in AREA_KINDS:
            raise InvalidInput(f"{here}: loại {kind!r} không hợp lệ ({', '.join(AREA_KINDS)})")
        specs.append(
            _Spec(
                code,
                name,
                kind,
                (row.get("parent") or "").strip() or None,
                _year(row.get("valid_from"), here),
                _year(row.get("valid_to"), here),
            )
        )
    return specs


def load_units_from_csv(session: Session, text: str, source: str) -> LoadResult:
    """Load a unit list (for example a past year's districts and communes) from CSV text."""
    specs = parse_unit_csv(text, source)
    provinces = [s for s in specs if s.kind == "province"]
    created, updated = _upsert(session, specs, source)
    name = provinces[0].name if provinces else source
    communes = sum(1 for s in specs if s.kind in COMMUNE_KINDS)
    return LoadResult(name, source, created, updated, communes)


@dataclass(frozen=True)
class BundledList:
    """A unit list shipped in ``data/units/``: its file, province and years."""

    filename: str
    province: str
    valid_from: int | None
    valid_to: int | None

    def covers(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_to is None or year <= self.valid_to
        )


def bundled_lists() -> list[BundledList]:
    """The CSV unit lists bundled with lichct (``data/units/*.csv``)."""
    out = []
    for entry in sorted(resource("units").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".csv"):
            continue
        specs = parse_unit_csv(entry.read_text(encoding="utf-8"), entry.name)
        for spec in specs:
            if spec.kind == "province":
                out.append(BundledList(entry.name, spec.name, spec.valid_from, spec.valid_to))
                break
    return out


def load_bundled_list(session: Session, filename: str) -> LoadResult:
    """Load one bundled CSV list by file name."""
    names = {b.filename for b in bundled_lists()}
    if filename not in names:
        choices = ", ".join(sorted(names)) or "không có"
        raise NotFound(f"Không có danh sách {filename!r} đi kèm (có: {choices})")
    text = resource("units", filename).read_text(encoding="utf-8")
    return load_units_from_csv(session, text, f"bundled:{filename.removesuffix('.csv')}")


def load_units_for_year(session: Session, province: str, year: int) -> list[LoadResult]:
    """Load every list in force in ``year``: bundled lists that cover it, and from 2025 the
    package's (2025 has both: the old communes until June, the new ones from July)."""
    wanted = province_key(province)
    results = [
        load_bundled_list(session, bundled.filename)
        for bundled in bundled_lists()
        if province_key(bundled.province) == wanted and bundled.covers(year)
    ]
    if year >= REORGANISATION_YEAR:
        results.append(load_units_from_package(session, province))
    if not results:
        raise NotFound(
            f"Không có danh sách xã, phường của {province} năm {year}: "
            "nạp từ tệp CSV bằng 'lichct units load --file TỆP'"
        )
    return results


def _province_of(unit: Unit, by_id: Mapping[int, Unit]) -> Unit | None:
    node: Unit | None = unit
    seen = 0
    while node is not None and seen < 10:
        if node.kind == "province":
            return node
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
        seen += 1
    return None


def units_in_year(
    session: Session,
    year: int,
    kinds: Collection[str] = COMMUNE_KINDS,
    province: str | None = None,
) -> list[Unit]:
    """Units of the given kinds that exist in ``year``, optionally of one province."""
    every = _all_units(session)
    by_id = {u.id: u for u in every}
    wanted = province_key(province) if province else None
    out = []
    for unit in every:
        if unit.kind not in kinds or not valid_in(unit, year):
            continue
        if wanted is not None:
            prov = _province_of(unit, by_id)
            if prov is None or province_key(prov.name) != wanted:
                continue
        out.append(unit)
    return sorted(out, key=_sort_key)


def ensure_units(session: Session, province: str, year: int) -> list[LoadResult]:
    """Load the province's lists for ``year`` if no commune of it is stored yet.

    Called the first time an area is assigned, so nobody has to remember
    ``lichct units load``; a list already present is never reloaded here. Returns what
    was loaded (nothing when the lists were there, or when no list is known).
    """
    if units_in_year(session, year, COMMUNE_KINDS, province):
        return []
    try:
        return load_units_for_year(session, province, year)
    except NotFound:
        return []


def _sort_key(unit: Unit) -> tuple[str, str]:
    parent = unit.parent.name if unit.parent is not None else ""
    return (fold(parent), bare_key(unit.name))


# --------------------------------------------------------------------------- matching


def _parse_query(text: str) -> tuple[_Key, str | None]:
    """Split "Tân Bình (Tân Biên)" or "Tân Bình, Tân Biên" into a name and its district."""
    text = nfc(" ".join(text.split()))
    qualifier = None
    match = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", text)
    if match:
        text, qualifier = match[1], match[2]
    elif "," in text:
        text, qualifier = (part.strip() for part in text.split(",", 1))
    return _key(text), qualifier


def _filter_by_parent(units: list[Unit], qualifier: str | None) -> list[Unit]:
    """Keep the units whose district (or province) fits "(Tân Biên)"; none when none fits."""
    if not qualifier:
        return units
    wanted = bare_key(qualifier)
    kept = [u for u in units if u.parent is not None and bare_key(u.parent.name) == wanted]
    if kept:
        return kept
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
    keys = {u.id: _key(u.name) for u in pool}
    tiers: list[Callable[[_Key], bool]] = [
        lambda k: k.exact_full == query.exact_full,
        lambda k: k.exact == query.exact,
        lambda k: k.full == query.full,
        lambda k: k.bare in (query.full, query.bare),
    ]
    for fits in tiers:
        found = _filter_by_parent([u for u in pool if fits(keys[u.id])], qualifier)
        if found:
            return MatchResult(found, 100.0, True)
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
    drop = len(words) - len(_key(name).bare.split())
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


# --------------------------------------------------------------------------- areas


_CACHE = "lichct.areas.units"


def _all_units(session: Session) -> list[Unit]:
    """Every unit, kept for the session while the count stays the same (loads drop it)."""
    count = session.scalar(select(func.count(Unit.id))) or 0
    cached = session.info.get(_CACHE)
    if cached is not None and cached[0] == count:
        return list(cached[1])
    units = list(session.scalars(select(Unit)))
    session.info[_CACHE] = (count, units)
    return list(units)


def _children(session: Session) -> dict[int | None, list[Unit]]:
    tree: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in _all_units(session):
        tree[unit.parent_id].append(unit)
    return tree


def _expand(unit: Unit, tree: Mapping[int | None, list[Unit]], year: int) -> list[Unit]:
    if unit.kind in COMMUNE_KINDS:
        return [unit] if valid_in(unit, year) else []
    out: list[Unit] = []
    stack = list(tree.get(unit.id, []))
    while stack:
        node = stack.pop()
        if node.kind in COMMUNE_KINDS:
            if valid_in(node, year):
                out.append(node)
        else:
            stack.extend(tree.get(node.id, []))
    return out


def expand_unit(session: Session, unit: Unit, year: int) -> list[Unit]:
    """The communes, wards and towns a unit stands for in ``year`` (itself, or its children)."""
    return sorted(_expand(unit, _children(session), year), key=_sort_key)


def assign_area(
    session: Session, officer: Officer, units: Iterable[Unit], now: datetime
) -> list[tuple[Unit, bool]]:
    """Give ``officer`` these communes, wards, districts or a whole province (idempotent).

    Returns each unit with True when it was newly assigned.
    """
    mine = {a.unit_id for a in area_assignments(session, officer)}
    out = []
    for unit in units:
        if unit.kind not in AREA_KINDS:
            raise InvalidInput(f"{unit.name} không phải xã, phường hay huyện: không phân công được")
        created = unit.id not in mine
        if created:
            session.add(AreaAssignment(officer_id=officer.id, unit_id=unit.id, created_at=now))
            mine.add(unit.id)
        out.append((unit, created))
    session.flush()
    return out


def unassign_area(session: Session, officer: Officer, units: Iterable[Unit]) -> int:
    """Take units off an officer's area; return how many were removed."""
    removed = 0
    for unit in units:
        row = session.scalar(
            select(AreaAssignment).where(
                AreaAssignment.officer_id == officer.id, AreaAssignment.unit_id == unit.id
            )
        )
        if row is not None:
            session.delete(row)
            removed += 1
    session.flush()
    return removed


def area_assignments(session: Session, officer: Officer | None = None) -> list[AreaAssignment]:
    query = select(AreaAssignment).order_by(AreaAssignment.officer_id, AreaAssignment.id)
    if officer is not None:
        query = query.where(AreaAssignment.officer_id == officer.id)
    return list(session.scalars(query))


def area_units(session: Session, officer: Officer, year: int) -> list[Unit]:
    """The communes, wards and towns an officer covers in ``year`` (districts expanded)."""
    tree = _children(session)
    seen: dict[int, Unit] = {}
    for assignment in area_assignments(session, officer):
        unit = session.get(Unit, assignment.unit_id)
        if unit is None:
            continue
        for commune in _expand(unit, tree, year):
            seen[commune.id] = commune
    return sorted(seen.values(), key=_sort_key)


def no_area_message(officer: Officer, year: int) -> str:
    return (
        f"Cán bộ {officer.name} chưa được phân công địa bàn (xã, phường) năm {year}: "
        f"phân công bằng 'lichct areas assign {officer.id} TÊN_XÃ...'"
    )


# --------------------------------------------------------------------------- visits


def check_visit_date(visit_date: date, now: datetime, tz: ZoneInfo = LOCAL_TZ) -> None:
    """Only days already spent at the grassroots are logged."""
    today = now.astimezone(tz).date()
    if visit_date > today:
        raise InvalidInput(
            f"Ngày đi cơ sở {visit_date:%d/%m/%Y} chưa tới (hôm nay {today:%d/%m/%Y}): "
            "chỉ ghi những chuyến đã đi"
        )


def log_visit(
    session: Session,
    officer: Officer,
    unit: Unit,
    visit_date: date,
    now: datetime,
    note: str | None = None,
    channel: str = "cli",
    *,
    tz: ZoneInfo = LOCAL_TZ,
) -> tuple[Visit, bool]:
    """Record a day at the grassroots; the same officer, unit and day is stored once.

    A second call for the same day returns the first visit with ``created`` False. A date
    in the future, a district instead of a commune, a unit that did not exist that year
    or an officer with no area is refused: the visit would count nowhere.
    """
    check_visit_date(visit_date, now, tz)
    if unit.kind not in COMMUNE_KINDS:
        raise InvalidInput(f"{unit.name} không phải xã, phường hay thị trấn: hãy ghi nơi đã đến")
    if not valid_in(unit, visit_date.year):
        raise InvalidInput(f"{unit_label(unit)} không có trong danh sách năm {visit_date.year}")
    if not area_units(session, officer, visit_date.year):
        raise InvalidInput(no_area_message(officer, visit_date.year) + " trước khi ghi chuyến đi")
    existing = _find_visit(session, officer, unit, visit_date)
    if existing is not None:
        return existing, False
    text = nfc(" ".join(note.split())) if note and note.strip() else None
    visit = Visit(
        officer_id=officer.id,
        unit_id=unit.id,
        visit_date=visit_date,
        note=text,
        channel=channel,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(visit)
    except IntegrityError:
        # Logged at the same moment from another chat or command: the first one stands.
        existing = _find_visit(session, officer, unit, visit_date)
        if existing is None:
            raise
        return existing, False
    _cancel_nudges(session, officer, visit_date, now)
    return visit, True


def _find_visit(session: Session, officer: Officer, unit: Unit, day: date) -> Visit | None:
    return session.scalar(
        select(Visit).where(
            Visit.officer_id == officer.id, Visit.unit_id == unit.id, Visit.visit_date == day
        )
    )


def _cancel_nudges(session: Session, officer: Officer, day: date, now: datetime) -> None:
    """A visit in a month makes that month's pending nudge pointless."""
    session.execute(
        update(Reminder)
        .where(
            Reminder.key.like(f"visit-nudge:{officer.id}:%:{day:%Y-%m}"),
            Reminder.state == "pending",
        )
        .values(state="cancelled", last_error="đã có chuyến đi cơ sở", updated_at=now)
        .execution_options(synchronize_session=False)
    )


def in_area(session: Session, officer: Officer, unit: Unit, year: int) -> bool:
    return any(u.id == unit.id for u in area_units(session, officer, year))


def list_visits(
    session: Session, officer: Officer | None = None, year: int | None = None
) -> list[Visit]:
    query = select(Visit).order_by(Visit.visit_date, Visit.id)
    if officer is not None:
        query = query.where(Visit.officer_id == officer.id)
    if year is not None:
        query = query.where(
            Visit.visit_date >= date(year, 1, 1), Visit.visit_date <= date(year, 12, 31)
        )
    return list(session.scalars(query))


def visit_to_dict(session: Session, visit: Visit) -> dict[str, Any]:
    officer = session.get(Officer, visit.officer_id)
    unit = session.get(Unit, visit.unit_id)
    return {
        "id": visit.id,
        "officer": officer.name if officer else None,
        "officer_id": visit.officer_id,
        "unit": unit.name if unit else None,
        "unit_code": unit.code if unit else None,
        "area": _area_of(unit)[1] if unit else None,
        "date": visit.visit_date.isoformat(),
        "note": visit.note,
        "channel": visit.channel,
    }


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class CoverageRow:
    """One officer's progress in one area (a district, or the whole province)."""

    officer: str
    officer_id: int
    area: str
    year: int
    month: str
    visits_this_month: int
    days_this_month: int
    reached: int
    total: int
    percent: float
    missing: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _area_of(unit: Unit) -> tuple[int | None, str]:
    parent = unit.parent
    if parent is not None and parent.kind == "district":
        return parent.id, parent.name
    return None, WHOLE_PROVINCE


def reference_month(year: int, today: date) -> tuple[date, date]:
    """ "This month" of a coverage report: today's month, or December of a past year."""
    month = today.month if year == today.year else (12 if year < today.year else 1)
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _percent(reached: int, total: int) -> float:
    return round(100.0 * reached / total, 1) if total else 0.0


def officer_coverage(
    session: Session, officer: Officer, year: int, today: date
) -> list[CoverageRow]:
    """Rows for one officer, one per area; empty when the officer has no area that year."""
    units = area_units(session, officer, year)
    if not units:
        return []
    start, end = reference_month(year, today)
    visits = list_visits(session, officer, year)
    reached_ids = {v.unit_id for v in visits}
    groups: dict[tuple[int | None, str], list[Unit]] = defaultdict(list)
    for unit in units:
        groups[_area_of(unit)].append(unit)
    rows = []
    for (_area_id, area_name), members in sorted(groups.items(), key=lambda kv: fold(kv[0][1])):
        ids = {u.id for u in members}
        month_visits = [v for v in visits if v.unit_id in ids and start <= v.visit_date < end]
        reached = sum(1 for u in members if u.id in reached_ids)
        rows.append(
            CoverageRow(
                officer=officer.name,
                officer_id=officer.id,
                area=area_name,
                year=year,
                month=f"{start:%Y-%m}",
                visits_this_month=len(month_visits),
                days_this_month=len({v.visit_date for v in month_visits}),
                reached=reached,
                total=len(members),
                percent=_percent(reached, len(members)),
                missing=[u.name for u in members if u.id not in reached_ids],
            )
        )
    return rows


def coverage(session: Session, year: int, today: date) -> list[CoverageRow]:
    """Per officer and per area: visits this month, communes reached of the total, percent."""
    rows: list[CoverageRow] = []
    for officer in _active_officers(session):
        rows.extend(officer_coverage(session, officer, year, today))
    return rows


def officers_without_area(session: Session, year: int) -> list[Officer]:
    return [o for o in _active_officers(session) if not area_units(session, o, year)]


def _active_officers(session: Session) -> list[Officer]:
    return list(
        session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id))
    )


def month_days(session: Session, officer: Officer, start: date, end: date) -> int:
    """Distinct days at the grassroots in ``start``..``end`` (exclusive), any commune."""
    days = session.scalars(
        select(Visit.visit_date)
        .where(Visit.officer_id == officer.id, Visit.visit_date >= start, Visit.visit_date < end)
        .distinct()
    )
    return len(list(days))


def _names(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} nơi khác" if len(names) > limit else "")


def coverage_lines(session: Session, officer: Officer, year: int, today: date) -> list[str]:
    """Short Vietnamese lines for ``/tiendo``: this month's days out and each area's progress."""
    rows = officer_coverage(session, officer, year, today)
    if not rows:
        return [
            f"📍 Chưa được phân công địa bàn (xã, phường) năm {year}: chưa có tiến độ đi cơ sở."
        ]
    start, end = reference_month(year, today)
    days = month_days(session, officer, start, end)
    head = f"📍 Đi cơ sở tháng {start.month}/{year}: {days} ngày"
    if days == 0:
        head += " (cần ít nhất 1 ngày mỗi tháng)"
    lines = [head]
    for row in rows:
        line = f"• {row.area}: đã đến {row.reached}/{row.total} xã, phường ({row.percent:g}%)"
        if row.missing:
            line += f"; còn {_names(row.missing)}"
        else:
            line += " ✅"
        lines.append(line)
    return lines
