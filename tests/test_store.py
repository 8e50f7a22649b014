"""The store: migrations, models, and how instants and dates come back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from scheduler.context import AppContext
from scheduler.store.db import Database, current_revision, head_revision, migrate
from scheduler.store.models import Base, Event, Officer, Unit


def test_migration_from_empty_creates_every_table_and_matches_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(db.engine) is None
    assert migrate(db.engine) is True
    assert current_revision(db.engine) == head_revision(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    db.dispose()


def test_a_second_migration_is_a_no_op(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'again.db'}")
    migrate(db.engine)
    assert migrate(db.engine) is False
    db.dispose()


def test_sqlite_runs_with_foreign_keys_and_wal(ctx: AppContext):
    with ctx.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_instants_come_back_as_the_same_utc_moment(ctx: AppContext):
    saigon = timezone(timedelta(hours=7))
    at = datetime(2024, 5, 21, 8, 30, tzinfo=saigon)
    with ctx.db.unit_of_work() as session:
        session.add(Officer(name="A", search_name="a", created_at=at, preferences={}))
    with ctx.db.unit_of_work() as session:
        stored = session.scalars(select(Officer)).one().created_at
    assert stored == at
    assert stored.utcoffset() == timedelta(0)
    assert stored.hour == 1


def test_naive_instants_are_refused(ctx: AppContext):
    with pytest.raises(Exception, match="naive"), ctx.db.unit_of_work() as session:
        session.add(Officer(name="A", search_name="a", created_at=datetime(2024, 1, 1)))
        session.flush()


def test_all_day_dates_stay_dates(ctx: AppContext):
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with ctx.db.unit_of_work() as session:
        session.add(
            Event(
                uid="u1",
                title="Chol Chnam Thmay",
                start_date=date(2024, 4, 14),
                end_date=date(2024, 4, 16),
                created_at=now,
                updated_at=now,
            )
        )
    with ctx.db.unit_of_work() as session:
        event = session.scalars(select(Event).where(Event.uid == "u1")).one()
    assert event.start_date == date(2024, 4, 14)
    assert type(event.end_date) is date
    assert event.all_day is True
    assert event.status == "planned"


def test_event_uids_are_unique(ctx: AppContext):
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), ctx.db.unit_of_work() as session:
        for _ in range(2):
            session.add(
                Event(
                    uid="same",
                    title="x",
                    start_date=date(2024, 1, 1),
                    end_date=date(2024, 1, 1),
                    created_at=now,
                    updated_at=now,
                )
            )
        session.flush()


def test_seed_loads_the_boards_departments_once(ctx: AppContext):
    from scheduler.plans.seed import seed_database

    with ctx.db.unit_of_work() as session:
        seed_database(session, ctx.clock.now(), ctx.tz)
    with ctx.db.unit_of_work() as session:
        codes = sorted(u.code for u in session.scalars(select(Unit)) if u.source == "bundled")
        parents = [
            u.parent.code if u.parent else None
            for u in session.scalars(select(Unit).where(Unit.kind == "department"))
        ]
    assert {"bdvtu", "hc-dt", "dvcq-dttg"} <= set(codes)
    assert len(codes) == len(set(codes))
    assert parents == ["bdvtu", "bdvtu"]


def test_a_database_made_by_the_previous_layout_migrates_to_head_and_keeps_its_data(tmp_path):
    """``tests/data/store_0001_before_layout.sql``: ``lichct init``, one officer and one report,
    dumped before the migrations moved to ``scheduler/store/migrations``."""
    import sqlite3
    from pathlib import Path

    dump = Path(__file__).parent / "data" / "store_0001_before_layout.sql"
    path = tmp_path / "before.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(dump.read_text(encoding="utf-8"))
    raw.close()
    db = Database(f"sqlite:///{path}")
    assert current_revision(db.engine) == "0001"
    migrate(db.engine)
    assert current_revision(db.engine) == head_revision(db.engine)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with db.unit_of_work() as session:
        officer = session.scalars(select(Officer)).one()
        report = session.scalars(select(Event).where(Event.kind == "report")).one()
        assert officer.name == "Nguyễn Văn An"
        assert report.title == "Báo cáo công tác dân vận tháng 5/2024"
        assert report.due_date == date(2024, 5, 31)
        assert [a.officer_id for a in report.assignments] == [officer.id]
    db.dispose()
