"""What every entry point (CLI, HTTP, bot, jobs) shares: settings, database and clock."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from calendars.workdays import use_days_off_file
from scheduler.clock import Clock, SystemClock, parse_clock_override
from scheduler.config import Settings, load_settings
from scheduler.errors import InvalidInput
from scheduler.reminders import policies as reminder_policies
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
        if clock is None:
            if settings.now:
                try:
                    clock = parse_clock_override(settings.now)
                except ValueError as exc:
                    raise InvalidInput(f"LICHCT_NOW không hợp lệ: {settings.now!r}") from exc
            else:
                clock = SystemClock()
        # Reminder planning runs inside every edit (services call planner.sync_event), so it
        # takes its policies from the same settings as the rest of this context.
        reminder_policies.configure(reminder_policies.load_policies(settings.extra), settings.tz)
        apply_days_off(settings)
        return cls(settings=settings, db=Database(settings.database_url), clock=clock)

    @classmethod
    def from_environment(cls) -> AppContext:
        return cls.from_settings(load_settings())


def apply_days_off(settings: Settings) -> None:
    """Make working days count the office's own days-off file, when one is configured."""
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
