"""Which units exist: their kinds, the province we track, and the units of a given year.

Units carry the years they exist in; the list of every unit is kept for the session while
the number of units stays the same (a load drops it with :func:`clear_unit_cache`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.fieldwork.names import province_key, unit_sort_key
from scheduler.store.models import Unit

COMMUNE_KINDS = ("commune", "ward", "town")
AREA_KINDS = (*COMMUNE_KINDS, "district", "province")
DEFAULT_PROVINCE = "Tây Ninh"

_CACHE = "lichct.areas.units"


def province_setting(extra: Mapping[str, Any]) -> str:
    """The province whose units we track: ``[areas] province`` in lichct.toml, else Tây Ninh."""
    table = extra.get("areas")
    value = table.get("province") if isinstance(table, Mapping) else None
    return str(value).strip() if value and str(value).strip() else DEFAULT_PROVINCE


def valid_in(unit: Unit, year: int) -> bool:
    """Whether ``unit`` exists in ``year`` (units carry the years they exist in)."""
    return (unit.valid_from is None or unit.valid_from <= year) and (
        unit.valid_to is None or year <= unit.valid_to
    )


def all_units(session: Session) -> list[Unit]:
    """Every unit, kept for the session while the count stays the same (loads drop it)."""
    count = session.scalar(select(func.count(Unit.id))) or 0
    cached = session.info.get(_CACHE)
    if cached is not None and cached[0] == count:
        return list(cached[1])
    units = list(session.scalars(select(Unit)))
    session.info[_CACHE] = (count, units)
    return list(units)


def clear_unit_cache(session: Session) -> None:
    """Forget the session's list of every unit (before units are created or changed)."""
    session.info.pop(_CACHE, None)


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
    every = all_units(session)
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
    return sorted(out, key=unit_sort_key)
