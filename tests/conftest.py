"""Shared fixtures: a real SQLite store in a temporary folder and a clock that tests move."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.plans.seed import seed_database
from scheduler.store.db import migrate

SEED_PLAN = Path(__file__).resolve().parent.parent / "data" / "plans" / "2024_100-KH-BDVTU.txt"


@pytest.fixture
def clock() -> FixedClock:
    """Tuesday 2024-05-21 07:59 in Tây Ninh."""
    return FixedClock(datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'lichct.db'}")


@pytest.fixture
def ctx(settings: Settings, clock: FixedClock) -> Iterator[AppContext]:
    """A migrated, seeded store; the same steps as ``lichct init``."""
    context = AppContext.from_settings(settings, clock=clock)
    migrate(context.db.engine)
    with context.db.unit_of_work() as session:
        seed_database(session, clock.now(), context.tz)
    yield context
    context.db.dispose()


@pytest.fixture
def session(ctx: AppContext) -> Iterator[Session]:
    """One unit of work, committed at the end of the test."""
    with ctx.db.unit_of_work() as s:
        yield s


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running ``lichct`` against a fresh database in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    for key in list(os.environ):
        if key.startswith("LICHCT_"):
            monkeypatch.delenv(key)
    env = {"LICHCT_DATABASE_URL": f"sqlite:///{tmp_path / 'lichct.db'}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    ``LICHCT_TEST_PG_URL`` names the server; without it the test is skipped, except in CI
    (``CI`` set), where the PostgreSQL suite must run and a missing server is a failure.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("LICHCT_TEST_PG_URL", "")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("LICHCT_TEST_PG_URL is not set, but CI is: the PostgreSQL suite must run")
        pytest.skip("LICHCT_TEST_PG_URL is not set")
    name = f"lichct_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
