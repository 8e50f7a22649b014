"""Helpers for the area, visit and coverage tests: officers and unit lists in a real store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler import fieldwork as areas
from scheduler import services
from scheduler.clock import LOCAL_TZ
from scheduler.store.models import Officer, Unit

# When areas were assigned in these tests: before any month that a test looks at.
ASSIGNED_AT = datetime(2024, 1, 2, 9, 0, tzinfo=LOCAL_TZ)


def load_2024(session: Session) -> None:
    areas.load_units_for_year(session, "Tây Ninh", 2024)


def officer(
    session: Session,
    name: str,
    *,
    chat_id: int | None = None,
    email: str | None = None,
    channels: str | None = None,
) -> Officer:
    person = services.add_officer(session, name, ASSIGNED_AT, email=email, channels=channels)
    person.telegram_chat_id = chat_id
    session.flush()
    return person


def unit(session: Session, text: str, year: int = 2024) -> Unit:
    return areas.resolve_unit(session, text, year, areas.AREA_KINDS)


def give_area(session: Session, person: Officer, *names: str, year: int = 2024) -> None:
    areas.assign_area(session, person, [unit(session, n, year) for n in names], ASSIGNED_AT)
