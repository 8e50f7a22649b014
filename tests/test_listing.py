"""``lichct events`` reads without the ORM: what it prints must be what the ORM path says.

The bare-table reader (``scheduler.store.listing``) and the services' ``list_events`` +
``event_to_dict`` are held equal on a store a user would have (the 2024 plan, an ad-hoc
meeting at a time, officers and units given items, a confirmed item, a cancelled one), on
SQLite and on PostgreSQL, with every filter the command has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from calendars.plan_parser import parse_plan
from calendars.plan_reader import read_document
from scheduler import services
from scheduler.clock import FixedClock, local_today
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, LichctError, NotFound
from scheduler.plans.importing import import_plan
from scheduler.plans.seed import seed_database
from scheduler.store import listing
from scheduler.store.db import migrate
from scheduler.store.models import Base, Event, Unit
from tests.cli_support import run_cli
from tests.conftest import SEED_PLAN


def _fill(context: AppContext) -> None:
    """The 2024 plan and what an office does with it in May."""
    now = context.clock.now()
    parsed = parse_plan(read_document(SEED_PLAN).paragraphs)
    with context.db.unit_of_work() as session:
        seed_database(session, now, context.tz)
        import_plan(session, parsed, SEED_PLAN.name, "seed", now)
        units = list(session.scalars(select(Unit).order_by(Unit.id).limit(2)))
        lan = services.add_officer(session, "Nguyễn Thị Lan", now, unit=units[0].code)
        services.add_officer(session, "Trần Văn Hùng", now, unit=units[1].code)
        services.add_officer(session, "Lê Văn Hùng", now)
        hung = services.resolve_officer(session, "Trần Văn Hùng")
        tasks = list(
            session.scalars(
                select(Event).where(Event.source == "plan", Event.month == 5).order_by(Event.id)
            )
        )
        assert len(tasks) >= 6
        services.assign(session, tasks[0], now, officer=lan)
        services.assign(session, tasks[0], now, unit=units[1])
        services.assign(session, tasks[1], now, unit=units[0])
        services.assign(session, tasks[2], now, officer=hung)
        services.assign(session, tasks[2], now, officer=lan)
        services.mark_done(session, tasks[3].id, now)
        tasks[4].status = "cancelled"
        meeting = services.add_event(
            session,
            "Giao ban dân vận tháng 5",
            date(2024, 5, 27),
            now,
            context.tz,
            at=time(14, 30),
            duration=timedelta(hours=2),
            kind="meeting",
            assignees=[lan],
        )
        assert meeting.start_at is not None


@pytest.fixture(params=["sqlite", "postgresql"])
def filled(
    request: pytest.FixtureRequest, tmp_path: Any, clock: FixedClock
) -> Iterator[AppContext]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lichct.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    context = AppContext.from_settings(Settings(database_url=url), clock=clock)
    migrate(context.db.engine)
    _fill(context)
    yield context
    context.db.dispose()


def _by_orm(context: AppContext, officer: str | None = None, **dates: Any) -> list[dict[str, Any]]:
    today = local_today(context.clock, context.tz)
    with context.db.unit_of_work() as session:
        who = services.resolve_officer(session, officer) if officer else None
        return [
            services.event_to_dict(e, today, context.tz)
            for e in services.list_events(session, officer=who, **dates)
        ]


def _bare(context: AppContext, officer: str | None = None, **dates: Any) -> list[dict[str, Any]]:
    today = local_today(context.clock, context.tz)
    with context.db.engine.connect() as connection:
        who = listing.find_officer(connection, officer) if officer else None
        return listing.event_records(connection, today=today, tz=context.tz, officer=who, **dates)


@pytest.mark.parametrize(
    ("officer", "dates"),
    [
        (None, {}),
        (None, {"start": date(2024, 5, 1), "end": date(2024, 5, 31)}),
        (None, {"start": date(2024, 11, 1)}),
        ("Nguyễn Thị Lan", {}),
        ("tran van hung", {"end": date(2024, 6, 30)}),
        ("Le Van Hung", {}),
    ],
)
def test_the_bare_reader_says_what_the_orm_says(
    filled: AppContext, officer: str | None, dates: dict[str, date]
) -> None:
    expected = _by_orm(filled, officer, **dates)
    assert _bare(filled, officer, **dates) == expected
    if officer is None and not dates:
        # The store holds what a user would look for: otherwise equality proves little.
        assert len(expected) > 100
        assert {"done", "planned"} <= {r["status"] for r in expected}
        assert any(r["overdue"] for r in expected) and any(r["observance"] for r in expected)
        assert any("T14:30:00+07:00" in r["start"] for r in expected)
        given = [r["assignees"] for r in expected if len(r["assignees"]) > 1]
        # Officers in the order they were given the item, then units given it whole.
        assert ["Trần Văn Hùng", "Nguyễn Thị Lan"] in given
        assert any(g[0] == "Nguyễn Thị Lan" and "Hùng" not in g[1] for g in given)
        assert "cancelled" not in {r["status"] for r in expected}


def test_a_name_that_fits_two_officers_or_none_is_told_the_same_way(filled: AppContext) -> None:
    for ref in ("Hùng", "Nguyen Van Khong", "0", "99999999999999999999", "  "):
        with filled.db.unit_of_work() as session, pytest.raises(LichctError) as by_orm:
            services.resolve_officer(session, ref)
        with filled.db.engine.connect() as connection, pytest.raises(LichctError) as bare:
            listing.find_officer(connection, ref)
        assert type(bare.value) is type(by_orm.value)
        assert str(bare.value) == str(by_orm.value)
        assert isinstance(bare.value, InvalidInput | NotFound)


def test_the_bare_tables_are_the_models_columns() -> None:
    for bare in listing.TABLES:
        model = Base.metadata.tables[bare.name]
        for column in bare.c:
            assert column.name in model.c, f"{bare.name}.{column.name}"
            assert type(column.type) is type(model.c[column.name].type), (
                f"{bare.name}.{column.name}: {column.type!r} != {model.c[column.name].type!r}"
            )


def test_the_command_prints_the_bare_records(cli_env: dict[str, str], capsys: Any) -> None:
    import json

    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "add", "Họp chi bộ", "--date", "2024-05-10", "--time", "08:00").code == 0
    result = run_cli(capsys, "events", "--format", "json", "--officer", "Không Ai")
    assert result.code != 0 and "Không tìm thấy cán bộ 'Không Ai'" in result.err
    result = run_cli(
        capsys, "events", "--format", "json", "--from", "2024-05-10", "--to", "2024-05-10"
    )
    records = json.loads(result.out)
    assert [(r["title"], r["start"]) for r in records] == [
        ("Họp chi bộ", "2024-05-10T08:00:00+07:00")
    ]
