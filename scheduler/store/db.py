"""Sessions and migrations; database failures become one clear user error.

The engine itself, the error messages and the schema check live in
``scheduler.store.engine``, which loads no ORM. Alembic (with Mako) loads only to migrate:
checking that a database is current reads ``alembic_version`` and the revision files
directly, so everyday commands start fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scheduler.store.engine import (
    MIGRATIONS,
    catch_all_store_errors,
    check_schema,
    code_heads,
    current_revision,
    describe_db_error,
    head_revision,
    make_engine,
    stored_revisions,
    translate_db_errors,
)

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

__all__ = [
    "Database",
    "alembic_config",
    "catch_all_store_errors",
    "current_revision",
    "describe_db_error",
    "head_revision",
    "make_engine",
    "migrate",
    "translate_db_errors",
]


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> bool:
    """Bring the schema to the newest revision; return True when anything was applied.

    A database already at the code's head is told without loading Alembic (and Mako), which
    keeps them out of a long-running ``serve``.
    """
    with translate_db_errors(str(engine.url)):
        if code_heads() and stored_revisions(engine) == code_heads():
            return False
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with translate_db_errors(str(engine.url)):
        if current_revision(engine) == head:
            return False
        command.upgrade(cfg, "head")
    return True


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
        check_schema(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
