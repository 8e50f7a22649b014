"""First-start data: the board's units and the observance catalog; idempotent."""

from __future__ import annotations

import tomllib
from datetime import datetime
from zoneinfo import ZoneInfo

from lichct_data import resource
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.inbound.bodies import load_bundled_bodies
from scheduler.plans.observance_events import sync_observances
from scheduler.store.models import Unit


def load_bundled_units(session: Session) -> int:
    """Create the units listed in ``data/units/*.toml`` that are missing; return how many."""
    created = 0
    folder = resource("units")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        document = tomllib.loads(entry.read_text(encoding="utf-8"))
        for spec in document.get("units", []):
            unit = session.scalar(select(Unit).where(Unit.code == spec["code"]))
            if unit is None:
                unit = Unit(
                    code=spec["code"], name=spec["name"], kind=spec.get("kind", "department")
                )
                session.add(unit)
                created += 1
            parent_code = spec.get("parent")
            if parent_code:
                session.flush()
                parent = session.scalar(select(Unit).where(Unit.code == parent_code))
                unit.parent_id = parent.id if parent else None
            unit.valid_from = spec.get("valid_from")
            unit.valid_to = spec.get("valid_to")
            unit.source = spec.get("source", "bundled")
    session.flush()
    return created


def seed_database(session: Session, now: datetime, tz: ZoneInfo) -> str:
    """Load what a fresh install needs; return a short Vietnamese summary."""
    parts: list[str] = []
    units = load_bundled_units(session)
    if units:
        parts.append(f"{units} đơn vị")
    bodies = load_bundled_bodies(session, now)
    if bodies:
        parts.append(f"{bodies} đơn vị báo cáo")
    this_year = now.astimezone(tz).year
    observances = sync_observances(session, (this_year, this_year + 1), now)
    if observances:
        parts.append(f"{observances} ngày lễ")
    return ("Đã nạp: " + ", ".join(parts)) if parts else ""
