"""Engines, sessions and migrations; database failures become one clear user error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import InvalidInput, StoreUnavailable

_MIGRATIONS = Path(__file__).parent / "migrations"


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


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision; return True when anything was applied."""
    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with translate_db_errors(str(engine.url)):
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return False
        command.upgrade(cfg, "head")
    return True


def current_revision(engine: Engine) -> str | None:
    with translate_db_errors(str(engine.url)), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


class Database:
    """One engine and its session factory; ``unit_of_work`` wraps one command or request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back otherwise."""
        with translate_db_errors(self.url):
            session = self._sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def check_schema(self) -> None:
        """Fail clearly when the database has not been created or is behind the code."""
        if current_revision(self.engine) != head_revision(self.engine):
            raise StoreUnavailable(
                "Cơ sở dữ liệu chưa được khởi tạo hoặc cũ hơn phiên bản này: chạy 'lichct init'."
            )

    def dispose(self) -> None:
        self.engine.dispose()


def catch_all_store_errors(exc: SQLAlchemyError) -> StoreUnavailable:
    return StoreUnavailable(describe_db_error(exc))
