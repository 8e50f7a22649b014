"""What every entry point (CLI, HTTP, bot, jobs) shares: settings, database and clock.

``AppContext`` carries the ORM's sessions and configures the reminder planner and the
working days, as every edit needs. ``ReadContext`` carries a bare engine for commands that
only read (``lichct events``), so that they load neither the ORM nor the models.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from scheduler.clock import Clock, SystemClock, parse_clock_override
from scheduler.config import Settings, load_settings
from scheduler.errors import InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from scheduler.reminders.policies import Policies
    from scheduler.store.db import Database


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> AppContext:
        from scheduler.reminders import policies as reminder_policies
        from scheduler.store.db import Database

        if clock is None:
            clock = settings_clock(settings)
        # Reminder planning runs inside every edit (services call planner.sync_event), so it
        # takes its policies from the same settings as the rest of this context.
        reminder_policies.configure(checked_policies(settings), settings.tz)
        apply_days_off(settings)
        return cls(settings=settings, db=Database(settings.database_url), clock=clock)

    @classmethod
    def from_environment(cls) -> AppContext:
        return cls.from_settings(load_settings())


@dataclass
class ReadContext:
    """Settings, clock and a bare engine, for a command that only reads."""

    settings: Settings
    engine: Engine
    clock: Clock

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @classmethod
    def from_environment(cls) -> ReadContext:
        from scheduler.store.engine import make_engine

        settings = load_settings()
        clock = settings_clock(settings)
        # Nothing here plans a reminder or counts a working day, but a broken configuration
        # is refused by every command alike, before any work.
        checked_policies(settings)
        _days_off_path(settings.days_off_file)
        return cls(settings=settings, engine=make_engine(settings.database_url), clock=clock)


def settings_clock(settings: Settings) -> Clock:
    """``LICHCT_NOW`` when set (a fixed instant for tests and replays), else the system's."""
    if not settings.now:
        return SystemClock()
    try:
        return parse_clock_override(settings.now)
    except ValueError as exc:
        raise InvalidInput(f"LICHCT_NOW không hợp lệ: {settings.now!r}") from exc


def checked_policies(settings: Settings) -> Policies:
    """The reminder policies of ``settings``; wrong types or bounds are a clear error."""
    from scheduler.reminders.policies import load_policies

    return load_policies(settings.extra)


def apply_days_off(settings: Settings) -> None:
    """Make working days count the office's own days-off file, when one is configured."""
    from calendars.workdays import use_days_off_file

    use_days_off_file(_days_off_path(settings.days_off_file))


def _days_off_path(value: str | None) -> Path | None:
    """The configured days-off file; a missing or malformed one is a clear error."""
    if not value:
        return None
    path = Path(value)
    try:
        tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"Không đọc được tệp ngày nghỉ {value}: {exc}") from exc
    return path
