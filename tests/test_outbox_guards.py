"""The outbox's concurrency guards, with two workers interleaved by hand.

Two sessions on one database stand for two dispatcher workers. The moment one worker's
claim has chosen its rows but not yet taken them, the test lets the other worker claim
and commit; what the first then gets shows the guard. SQLite runs these everywhere; the
row-lock case (``FOR UPDATE SKIP LOCKED``) needs PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from scheduler.reminders import outbox
from scheduler.store.db import Database
from scheduler.store.models import Reminder
from tests.support_reminders import fresh_database, local, officer

NOW = local(2024, 5, 21, 9, 0)
LEASE = timedelta(minutes=5)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    fresh_database(url)
    database = Database(url)
    yield database
    database.dispose()


def _seed(db: Database, due_in: list[timedelta]) -> list[int]:
    with db.unit_of_work() as session:
        person = officer(session, "Người Nhận", NOW, chat=1)
        outbox.enqueue(
            session,
            [
                outbox.new_row(
                    f"guard:{i}",
                    channel="telegram",
                    kind="visit",
                    due_at=NOW + delta,
                    now=NOW,
                    officer_id=person.id,
                    payload={"text": f"Tin {i}"},
                )
                for i, delta in enumerate(due_in)
            ],
        )
        return list(session.scalars(select(Reminder.id).order_by(Reminder.id)))


def _before_update(db: Database, action: Callable[[], None]) -> None:
    """Run ``action`` (the other worker) once, just before this worker's claiming UPDATE."""
    done = False

    def hook(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        nonlocal done
        if not done and statement.lstrip().upper().startswith("UPDATE REMINDERS"):
            done = True
            action()

    event.listen(db.engine, "before_cursor_execute", hook)


def _states(db: Database) -> dict[int, tuple[str, int]]:
    with db.unit_of_work() as session:
        return {r.id: (r.state, r.attempts) for r in session.scalars(select(Reminder))}


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """Interleaving by hand needs a database without row locks: on PostgreSQL the first
    worker's ``FOR UPDATE`` already holds the rows it chose (the last test covers that)."""
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    fresh_database(url)
    database = Database(url)
    yield database
    database.dispose()


def test_a_claim_overtaken_by_another_worker_gets_no_rows(sqlite_db: Database) -> None:
    db = sqlite_db
    ids = _seed(db, [-timedelta(minutes=1)] * 2)
    other = Database(db.url)
    taken: list[tuple[int, object]] = []

    def other_worker_claims() -> None:
        with other.unit_of_work() as session:
            taken.extend(outbox.claim(session, NOW, 10, LEASE))

    _before_update(db, other_worker_claims)
    with db.unit_of_work() as session:
        mine = outbox.claim(session, NOW, 10, LEASE)
    other.dispose()
    assert [rid for rid, _ in taken] == ids
    assert mine == [], "rows another worker holds under a live lease are not taken again"
    assert _states(db) == {rid: ("sending", 1) for rid in ids}


def test_marking_with_a_lost_lease_is_refused(db: Database) -> None:
    (rid,) = _seed(db, [-timedelta(minutes=1)])
    with db.unit_of_work() as session:
        ((_, first_lease),) = outbox.claim(session, NOW, 10, LEASE)
    # The first worker stalls past its lease; a second worker takes the row again.
    later = NOW + LEASE + timedelta(seconds=1)
    with db.unit_of_work() as session:
        ((_, second_lease),) = outbox.claim(session, later, 10, LEASE)
    assert second_lease != first_lease
    with db.unit_of_work() as session:
        assert not outbox.mark_sent_many(session, [(rid, first_lease, "stale-1")], later)
        assert not outbox.mark_retry(session, rid, first_lease, later, later, "stale")
        assert not outbox.mark_failed(session, rid, first_lease, later, "stale")
    assert _states(db) == {rid: ("sending", 2)}, "the stalled worker changed nothing"
    with db.unit_of_work() as session:
        assert outbox.mark_sent_many(session, [(rid, second_lease, "live-2")], later) == {rid}
        row = session.get(Reminder, rid)
        assert row is not None and (row.state, row.external_id) == ("sent", "live-2")


def test_a_batch_of_deliveries_keeps_each_rows_lease_check(db: Database) -> None:
    stolen, kept, other = _seed(db, [-timedelta(minutes=2), -timedelta(minutes=1), timedelta(0)])
    claimed_later = NOW + timedelta(minutes=2)
    with db.unit_of_work() as session:
        [(_, stale_lease)] = outbox.claim(session, NOW, 1, LEASE)
    with db.unit_of_work() as session:
        [(_, kept_lease)] = outbox.claim(session, claimed_later, 1, LEASE)
    # The first claim's lease runs out: another worker takes ``stolen`` (and ``other``).
    later = NOW + LEASE + timedelta(seconds=1)
    with db.unit_of_work() as session:
        second = dict(outbox.claim(session, later, 10, LEASE))
    assert sorted(second) == [stolen, other]
    with db.unit_of_work() as session:
        owned = outbox.mark_sent_many(
            session,
            [
                (kept, kept_lease, "m-1"),
                (stolen, stale_lease, "stale"),
                (other, second[other], None),
            ],
            later,
        )
        assert not outbox.mark_sent_many(session, [(kept, kept_lease, "again")], later)
    assert owned == {kept, other}
    with db.unit_of_work() as session:
        rows = {r.id: r for r in session.scalars(select(Reminder))}
        assert (rows[kept].state, rows[kept].external_id) == ("sent", "m-1")
        assert (rows[other].state, rows[other].external_id) == ("sent", None)
        assert (rows[stolen].state, rows[stolen].external_id) == ("sending", None)
        assert rows[stolen].lease_until == second[stolen], "left to the worker holding it"


def test_a_row_not_yet_due_is_not_claimed(db: Database) -> None:
    due, not_yet = _seed(db, [timedelta(0), timedelta(seconds=1)])
    with db.unit_of_work() as session:
        claimed = [rid for rid, _ in outbox.claim(session, NOW, 10, LEASE)]
    assert claimed == [due]
    assert _states(db)[not_yet] == ("pending", 0)


def test_a_claim_takes_the_earliest_due_rows_first_a_lost_lease_among_them(
    db: Database,
) -> None:
    # Five rows due at different times; the earliest was taken by a worker whose lease
    # has run out (it crashed), one is held by a live worker, one is not due yet.
    crashed, held, late, early, later, not_yet = _seed(
        db,
        [
            -timedelta(hours=3),
            -timedelta(hours=2),
            -timedelta(minutes=10),
            -timedelta(hours=1),
            -timedelta(minutes=5),
            timedelta(minutes=1),
        ],
    )
    with db.unit_of_work() as session:
        stamp = Reminder.__table__.c
        session.execute(
            Reminder.__table__.update()
            .where(stamp.id == crashed)
            .values(state="sending", lease_until=NOW - timedelta(minutes=1), attempts=1)
        )
        session.execute(
            Reminder.__table__.update()
            .where(stamp.id == held)
            .values(state="sending", lease_until=NOW + timedelta(minutes=1), attempts=1)
        )
    with db.unit_of_work() as session:
        first = [rid for rid, _ in outbox.claim(session, NOW, 3, LEASE)]
    assert first == sorted([crashed, early, late])  # the three earliest due, never more
    with db.unit_of_work() as session:
        second = [rid for rid, _ in outbox.claim(session, NOW, 3, LEASE)]
    assert second == [later]  # the held row and the one not yet due stay where they are
    states = _states(db)
    assert states[crashed] == ("sending", 2)
    assert states[held] == ("sending", 1)
    assert states[not_yet] == ("pending", 0)


def test_a_row_made_not_due_after_it_was_chosen_is_not_claimed(sqlite_db: Database) -> None:
    db = sqlite_db
    # Between choosing a row and taking it, a snooze (another session) moves it later.
    (rid,) = _seed(db, [-timedelta(minutes=1)])
    other = Database(db.url)

    def snoozed_meanwhile() -> None:
        with other.unit_of_work() as session:
            row = session.get(Reminder, rid)
            assert row is not None
            row.next_attempt_at = row.due_at = NOW + timedelta(hours=2)

    _before_update(db, snoozed_meanwhile)
    with db.unit_of_work() as session:
        assert outbox.claim(session, NOW, 10, LEASE) == []
    other.dispose()
    assert _states(db) == {rid: ("pending", 0)}


@pytest.mark.postgres
def test_postgresql_workers_skip_rows_another_holds(pg_url: str) -> None:
    fresh_database(pg_url)
    db = Database(pg_url)
    ids = _seed(db, [-timedelta(minutes=1)] * 4)
    first, second = Session(db.engine), Session(db.engine)
    try:
        mine = [rid for rid, _ in outbox.claim(first, NOW, 2, LEASE)]  # not committed yet
        # Without SKIP LOCKED the second worker would wait for the first one's row locks.
        second.execute(text("SET LOCAL lock_timeout = '3s'"))
        theirs = [rid for rid, _ in outbox.claim(second, NOW, 2, LEASE)]
        assert mine == ids[:2]
        assert theirs == ids[2:], "the second worker takes the rows nobody holds"
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()
        db.dispose()
