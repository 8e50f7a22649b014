"""Officers' areas: assigning units to an officer, and the communes an area stands for.

An officer is given communes, wards, districts or a whole province; a district or a
province stands for the communes, wards and towns under it that exist in a given year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput
from scheduler.fieldwork.names import unit_sort_key
from scheduler.fieldwork.units import AREA_KINDS, COMMUNE_KINDS, all_units, valid_in
from scheduler.store.models import AreaAssignment, Officer, Unit

# The label of an area whose communes hang directly under the province (no district level).
WHOLE_PROVINCE = "toàn tỉnh"


def _children(session: Session) -> dict[int | None, list[Unit]]:
    tree: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in all_units(session):
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
    return sorted(_expand(unit, _children(session), year), key=unit_sort_key)


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
    return sorted(seen.values(), key=unit_sort_key)


def area_of(unit: Unit) -> tuple[int | None, str]:
    """The area a commune counts in: its district (id, name), else the whole province."""
    parent = unit.parent
    if parent is not None and parent.kind == "district":
        return parent.id, parent.name
    return None, WHOLE_PROVINCE


def no_area_message(officer: Officer, year: int) -> str:
    return (
        f"Cán bộ {officer.name} chưa được phân công địa bàn (xã, phường) năm {year}: "
        f"phân công bằng 'lichct areas assign {officer.id} TÊN_XÃ...'"
    )
