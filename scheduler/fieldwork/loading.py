"""Loading unit lists into the store: from ``vietnam-provinces``, a bundled CSV or a file.

The current list comes from the ``vietnam-provinces`` package (after the July 2025
reorganisation), earlier lists from CSV files in ``data/units/``. Units are created or
updated by code, so loading a list again changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from lichct_data import resource
from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.text import nfc
from scheduler.errors import InvalidInput, NotFound
from scheduler.fieldwork.names import province_key
from scheduler.fieldwork.units import (
    AREA_KINDS,
    COMMUNE_KINDS,
    DEFAULT_PROVINCE,
    clear_unit_cache,
    units_in_year,
)
from scheduler.store.models import Unit

# Units from vietnam-provinces exist from the year of the reorganisation on.
REORGANISATION_YEAR = 2025
PACKAGE_SOURCE = "vietnam-provinces"


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
    clear_unit_cache(session)
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
