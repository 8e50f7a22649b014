"""The database engine without the ORM: connecting, telling a user what is wrong with
the database, and checking that its schema is the code's.

Commands that only read (``lichct events``) use this module alone, so that they load
neither the ORM nor the models. Sessions and migrations live in ``scheduler.store.db``.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from scheduler.errors import InvalidInput, StoreUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"
_VERSION_TABLE = "alembic_version"
# ``revision = "0001"`` / ``down_revision = None`` (or a tuple for a merge) in a revision file.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.MULTILINE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        with contextlib.suppress(Exception):
            # WAL needs a writable folder; a read-only database still opens without it.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL) with the project's settings."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidInput(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {url!r}") from exc
    if parsed.drivername == "postgresql" or parsed.drivername == "postgres":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"Không hỗ trợ cơ sở dữ liệu {parsed.get_backend_name()}: lichct chạy trên SQLite "
            "(sqlite:///duong/dan/lichct.db) hoặc PostgreSQL (postgresql://...)"
        )
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        # Wait up to 5 s for a lock held by another process (``?timeout=`` in the URL wins).
        if "timeout" not in parsed.query:
            kwargs["connect_args"] = {"timeout": 5}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(parsed, **kwargs)
    except ModuleNotFoundError as exc:
        raise StoreUnavailable(
            f"Thiếu trình điều khiển cho {parsed.get_backend_name()}: "
            f"cài đặt bằng pip install 'lichct[postgres]' ({exc.name})"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def describe_db_error(exc: BaseException, url: str | None = None) -> str:
    """One line, in Vietnamese, that tells a user what is wrong with the database."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    lowered = text.lower()
    where = ""
    if url:
        with contextlib.suppress(ArgumentError):
            where = f" ({make_url(url).render_as_string(hide_password=True)})"
    if "readonly" in lowered or "read-only" in lowered:
        return f"Cơ sở dữ liệu chỉ đọc, không ghi được{where}: {text}"
    if "locked" in lowered:
        return f"Cơ sở dữ liệu đang bị khóa bởi tiến trình khác, hãy thử lại{where}: {text}"
    if "unable to open" in lowered:
        return f"Không mở được tệp cơ sở dữ liệu{where}: {text}"
    return f"Không kết nối được cơ sở dữ liệu{where}: {text}"


@contextlib.contextmanager
def translate_db_errors(url: str | None = None) -> Iterator[None]:
    """Turn driver errors about reaching the database into ``StoreUnavailable``."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            raise StoreUnavailable(describe_db_error(exc, url)) from exc
        raise


def stored_revisions(engine: Engine) -> set[str]:
    """The revisions recorded in the database (empty before the first migration)."""
    with translate_db_errors(str(engine.url)), engine.connect() as connection:
        if not inspect(connection).has_table(_VERSION_TABLE):
            return set()
        rows = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}"))
        return {str(r[0]) for r in rows}


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None before the first migration)."""
    stored = stored_revisions(engine)
    return sorted(stored)[0] if len(stored) == 1 else (",".join(sorted(stored)) or None)


@functools.cache
def code_heads(folder: Path = MIGRATIONS / "versions") -> frozenset[str]:
    """The head revisions of the code's migration files, read without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(str(ast.literal_eval(found["revision"])))
        down = ast.literal_eval(found.get("down_revision", "None"))
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
    return frozenset(revisions - parents)


def head_revision(engine: Engine) -> str | None:
    """The newest revision of the code (one head; several joined by commas)."""
    heads = code_heads()
    return ",".join(sorted(heads)) or None


def check_schema(engine: Engine) -> None:
    """Fail clearly when the database has not been created or is behind the code."""
    if stored_revisions(engine) != code_heads():
        raise StoreUnavailable(
            "Cơ sở dữ liệu chưa được khởi tạo hoặc cũ hơn phiên bản này: chạy 'lichct init'."
        )


def catch_all_store_errors(exc: SQLAlchemyError) -> StoreUnavailable:
    return StoreUnavailable(describe_db_error(exc))
