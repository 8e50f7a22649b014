"""Officers and their units: add, change, find by ID or name (with or without diacritics)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars.text import fold, nfc
from scheduler.errors import InvalidInput, NotFound
from scheduler.inputs import NAME_MAX, clean_input
from scheduler.reminders import planner
from scheduler.services.access import revoke_officer_access
from scheduler.store.listing import pick_officer
from scheduler.store.models import (
    CHANNELS,
    OFFICER_ROLES,
    Officer,
    Unit,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_unit(session: Session, ref: str) -> Unit:
    """A unit by code or by name (diacritics optional)."""
    ref = nfc(ref.strip())
    unit = session.scalar(select(Unit).where(Unit.code == ref))
    if unit is not None:
        return unit
    wanted = fold(ref)
    matches = [u for u in session.scalars(select(Unit)) if fold(u.name) == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        codes = ", ".join(u.code for u in matches)
        raise InvalidInput(f"Có nhiều đơn vị tên {ref!r}: dùng mã ({codes})")
    raise NotFound(f"Không tìm thấy đơn vị {ref!r}")


def _channels(text: str) -> str:
    """Validate a channel list such as ``"telegram,email"``."""
    wanted = [c.strip() for c in text.split(",") if c.strip()]
    if not wanted or any(c not in CHANNELS for c in wanted):
        raise InvalidInput(
            f"Kênh không hợp lệ: {text!r} (chọn telegram, email hoặc telegram,email)"
        )
    return ",".join(dict.fromkeys(wanted))


def add_officer(
    session: Session,
    name: str,
    now: datetime,
    *,
    email: str | None = None,
    unit: str | None = None,
    role: str = "officer",
    channels: str | None = None,
) -> Officer:
    name = " ".join(clean_input(name, "họ tên", NAME_MAX).split())
    if not name:
        raise InvalidInput("Tên cán bộ không được để trống")
    if role not in OFFICER_ROLES:
        raise InvalidInput(f"Vai trò không hợp lệ: {role!r} (chọn: {', '.join(OFFICER_ROLES)})")
    if email is not None and not _EMAIL.match(email.strip()):
        raise InvalidInput(f"Địa chỉ email không hợp lệ: {email!r}")
    unit_row = find_unit(session, unit) if unit else None
    officer = Officer(
        name=name,
        search_name=fold(name),
        email=email.strip() if email else None,
        unit_id=unit_row.id if unit_row else None,
        role=role,
        channels=_channels(channels) if channels else ("telegram,email" if email else "telegram"),
        preferences={},
        active=True,
        created_at=now,
    )
    session.add(officer)
    session.flush()
    planner.invalidate(session)
    return officer


def update_officer(
    session: Session,
    officer: Officer,
    *,
    email: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    channels: str | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> Officer:
    """Change what was given; who receives which reminders is re-planned at the next tick.

    An empty ``email`` removes the address.

    Deactivating (``active=False``, which needs ``now``) also revokes the officer's feed
    address and link codes (:func:`revoke_officer_access`); reactivating gives none back.
    """
    if active is False and now is None:
        raise ValueError("deactivating an officer needs the current instant")
    if role is not None and role not in OFFICER_ROLES:
        raise InvalidInput(f"Vai trò không hợp lệ: {role!r} (chọn: {', '.join(OFFICER_ROLES)})")
    if email is not None and email.strip() and not _EMAIL.match(email.strip()):
        raise InvalidInput(f"Địa chỉ email không hợp lệ: {email!r}")
    if channels is not None:
        officer.channels = _channels(channels)
    if email is not None:
        officer.email = email.strip() or None
    if unit is not None:
        officer.unit_id = find_unit(session, unit).id
    if role is not None:
        officer.role = role
    if active is not None:
        officer.active = active
    if active is False and now is not None:
        revoke_officer_access(session, officer, now)
    session.flush()
    planner.invalidate(session)
    return officer


def resolve_officer(session: Session, ref: str | int) -> Officer:
    """An officer by id, or by full name where it is unique (diacritics optional)."""

    def named(column: Any) -> Callable[[str], list[Officer]]:
        return lambda value: list(session.scalars(select(Officer).where(column == value)))

    return pick_officer(
        ref,
        by_id=lambda number: session.get(Officer, number),
        by_name=named(Officer.name),
        by_search_name=named(Officer.search_name),
        label=lambda officer: f"{officer.id} ({officer.name})",
    )


def list_officers(session: Session) -> list[Officer]:
    return list(session.scalars(select(Officer).order_by(Officer.id)))


def officer_to_dict(officer: Officer) -> dict[str, Any]:
    return {
        "id": officer.id,
        "name": officer.name,
        "email": officer.email,
        "unit": officer.unit.name if officer.unit else None,
        "role": officer.role,
        "channels": officer.channel_list,
        "telegram_linked": officer.telegram_chat_id is not None,
    }
