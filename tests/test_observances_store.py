"""Observance occurrences stored as events: seeded on init, idempotent, moved dates updated."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calendars.observances import load_catalog
from scheduler.clock import LOCAL_TZ
from scheduler.context import AppContext
from scheduler.plans.observance_events import sync_observances
from scheduler.plans.seed import seed_database
from scheduler.store.models import Event, Unit


def _observance_events(session: Session) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.source == "observance").order_by(Event.uid))
    )


def test_seeding_stores_the_observances_of_this_year_and_the_next(session: Session) -> None:
    events = {e.uid: e for e in _observance_events(session)}
    assert len(events) == 2 * len(load_catalog())
    vu_lan = events["obs-vu-lan-2024@lichct"]
    assert (vu_lan.start_date, vu_lan.end_date, vu_lan.due_date) == (
        date(2024, 8, 18),
        date(2024, 8, 18),
        date(2024, 8, 18),
    )
    assert vu_lan.kind == "observance" and vu_lan.all_day and vu_lan.title == "Lễ Vu Lan"
    assert vu_lan.observance_key == "vu-lan"
    assert "rằm tháng Bảy năm Giáp Thìn" in vu_lan.text
    unit = session.get(Unit, vu_lan.unit_id)
    assert unit is not None and unit.code == "dvcq-dttg"
    assert events["obs-vu-lan-2025@lichct"].start_date == date(2025, 9, 6)
    sen = events["obs-sen-don-ta-2024@lichct"]
    assert (sen.start_date, sen.end_date) == (date(2024, 10, 1), date(2024, 10, 3))


def test_seeding_again_changes_nothing(ctx: AppContext) -> None:
    later = datetime(2024, 6, 1, 8, 0, tzinfo=LOCAL_TZ)
    with ctx.db.unit_of_work() as session:
        before = {e.uid: (e.revision, e.updated_at) for e in _observance_events(session)}
        summary = seed_database(session, later, LOCAL_TZ)
        assert "ngày lễ" not in summary
        after = {e.uid: (e.revision, e.updated_at) for e in _observance_events(session)}
    assert after == before


def test_a_year_seen_late_on_31_december_local_time_is_that_local_year(ctx: AppContext) -> None:
    # 2024-12-31 20:00 in Tây Ninh is still 2024: seeding adds 2025 (present) only.
    evening = datetime(2024, 12, 31, 20, 0, tzinfo=LOCAL_TZ)
    with ctx.db.unit_of_work() as session:
        seed_database(session, evening, LOCAL_TZ)
        count = session.scalar(
            select(func.count()).select_from(Event).where(Event.uid.like("obs-%-2026@lichct"))
        )
    assert count == 0


def test_a_date_moved_in_the_catalog_updates_the_stored_event(
    ctx: AppContext, tmp_path: Path
) -> None:
    moved = tmp_path / "catalog.toml"
    moved.write_text(
        '[[observances]]\nkey = "chol-chnam-thmay"\nname = "Tết Chol Chnam Thmay"\n'
        'religion = "Dân tộc Khmer"\nunit = "dvcq-dttg"\n'
        'rule = { type = "khmer", start = "Moha Sangkran" }\n'
        "overrides = { 2024 = { start = 2024-04-14, end = 2024-04-16 }, "
        "2025 = { start = 2025-04-13, end = 2025-04-15 } }\n",
        encoding="utf-8",
    )
    now = datetime(2024, 6, 1, 8, 0, tzinfo=LOCAL_TZ)
    with ctx.db.unit_of_work() as session:
        event = session.scalar(select(Event).where(Event.uid == "obs-chol-chnam-thmay-2025@lichct"))
        assert event is not None
        revision = event.revision
        changed = sync_observances(session, [2024, 2025], now, catalog=load_catalog(moved))
        assert changed == 1
        assert (event.start_date, event.end_date) == (date(2025, 4, 13), date(2025, 4, 15))
        assert event.revision == revision + 1
        assert event.updated_at == now
        assert (
            sync_observances(
                session, [2024, 2025], now + timedelta(days=1), catalog=load_catalog(moved)
            )
            == 0
        )
