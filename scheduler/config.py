"""Settings from the environment and an optional ``lichct.toml`` (the environment wins)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.errors import InvalidInput

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org/bot"

# Setting name -> environment variable; the same names (lower case, without the
# prefix) are read from the [lichct] table, or the top level, of lichct.toml.
_ENV = {
    "database_url": "LICHCT_DATABASE_URL",
    "timezone": "LICHCT_TIMEZONE",
    "public_url": "LICHCT_PUBLIC_URL",
    "telegram_token": "LICHCT_TELEGRAM_TOKEN",
    "telegram_api_url": "LICHCT_TELEGRAM_API_URL",
    "smtp_url": "LICHCT_SMTP_URL",
    "mail_from": "LICHCT_MAIL_FROM",
    "now": "LICHCT_NOW",
    "days_off_file": "LICHCT_DAYS_OFF_FILE",
}


@dataclass(frozen=True)
class Settings:
    database_url: str
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str = "http://localhost:8080"
    telegram_token: str | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    smtp_url: str | None = None
    mail_from: str = "lichct@localhost"
    now: str | None = None
    # An office's own days off, in the shape of data/tet_days_off.toml.
    days_off_file: str | None = None
    # Whole tables of lichct.toml (for example [reminders]) that other parts read.
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"Múi giờ không hợp lệ: {self.timezone!r}") from exc


def default_database_url(folder: Path | None = None) -> str:
    path = (folder or Path.cwd()) / "lichct.db"
    return f"sqlite:///{path}"


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read settings: defaults, then ``lichct.toml``, then the environment."""
    env = os.environ if env is None else env
    path = config_file or Path(env.get("LICHCT_CONFIG", "lichct.toml"))
    file_values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Tệp cấu hình {path} bị lỗi: {exc}") from exc
        section = document.get("lichct", document)
        for key in _ENV:
            if key in section and not isinstance(section[key], dict):
                file_values[key] = str(section[key])
        extra = {k: v for k, v in document.items() if isinstance(v, dict) and k != "lichct"}
    values: dict[str, Any] = {}
    for key, var in _ENV.items():
        value = env.get(var) or file_values.get(key)
        if value:
            values[key] = value
    values.setdefault("database_url", default_database_url())
    return Settings(**values, extra=extra)
