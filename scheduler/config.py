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
    "secret_key": "LICHCT_SECRET_KEY",
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
    # Keys the HMAC of link codes; without it a generated key is kept in the database.
    secret_key: str | None = None
    # True when LICHCT_PUBLIC_URL (or lichct.toml) names the address: only then do
    # reminders carry links to the web pages.
    public_url_set: bool = False
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


# Tables of lichct.toml that parts of the service read; each must be a table. Other
# tables are passed on untouched (a newer part may read them).
KNOWN_TABLES = ("lichct", "reminders", "import", "telegram", "areas", "report", "inbound")


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Read settings: defaults, then ``lichct.toml``, then the environment.

    ``lichct.toml`` in the working folder is optional; a file named explicitly (by
    ``LICHCT_CONFIG`` or ``config_file``) must exist. A file whose values have the wrong
    types is refused with a line naming the key.
    """
    env = os.environ if env is None else env
    explicit = config_file or (Path(env["LICHCT_CONFIG"]) if env.get("LICHCT_CONFIG") else None)
    path = explicit or Path("lichct.toml")
    if explicit is not None and not explicit.is_file():
        what = "là một thư mục" if explicit.is_dir() else "không tồn tại"
        raise InvalidInput(f"Tệp cấu hình {explicit} (LICHCT_CONFIG) {what}")
    file_values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if path.is_file():
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise InvalidInput(f"Tệp cấu hình {path} bị lỗi: {exc}") from exc
        file_values, extra = _read_document(document, path)
    values: dict[str, Any] = {}
    for key, var in _ENV.items():
        value = env.get(var) or file_values.get(key)
        if value:
            values[key] = value
    values.setdefault("database_url", default_database_url())
    return Settings(**values, extra=extra, public_url_set="public_url" in values)


def _read_document(
    document: Mapping[str, Any], path: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Settings and tables of a parsed ``lichct.toml``, each checked for its type."""
    for name in KNOWN_TABLES:
        if name in document and not isinstance(document[name], dict):
            raise InvalidInput(
                f"Tệp cấu hình {path}: '{name}' phải là một bảng [{name}], "
                f"không phải {_type_name(document[name])}"
            )
    section = document.get("lichct", document)
    values: dict[str, str] = {}
    for key in _ENV:
        if key not in section:
            continue
        value = section[key]
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInput(
                f"Tệp cấu hình {path}: '{key}' phải là một chuỗi, không phải {_type_name(value)}"
            )
        values[key] = str(value)
    unknown = [
        key
        for key, value in document.items()
        if not isinstance(value, dict) and key not in _ENV and key not in KNOWN_TABLES
    ]
    if unknown:
        raise InvalidInput(
            f"Tệp cấu hình {path}: không hiểu khóa {', '.join(map(repr, unknown))} "
            f"(các khóa: {', '.join(_ENV)}; các bảng: {', '.join(KNOWN_TABLES)})"
        )
    extra = {k: v for k, v in document.items() if isinstance(v, dict) and k != "lichct"}
    return values, extra


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "giá trị đúng/sai"
    if isinstance(value, int | float):
        return f"số {value}"
    if isinstance(value, str):
        return f"chuỗi {value!r}"
    if isinstance(value, list):
        return "danh sách"
    return type(value).__name__
