"""The outbox: claiming due rows, recording what happened, snoozes and a head's nudge.

A row is claimed by one short transaction that sets ``state='sending'`` and a lease; the
message goes out outside any transaction; a second short transaction records the result.
A worker that dies leaves its rows in ``sending``: once the lease ends another worker takes
them again (at-least-once; the duplicates are bounded by what was in flight). On PostgreSQL
the claim uses ``FOR UPDATE SKIP LOCKED`` so several workers share the work; on SQLite
the claim is one ``UPDATE ... RETURNING`` under the database's write lock, and one
dispatcher process is what we run.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    column,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput, NotFound, PermissionDenied
from scheduler.reminders.policies import current
from scheduler.reminders.recipients import usable_channels
from scheduler.reminders.specs import reminder_key
from scheduler.store.models import Event, Officer, Reminder, UTCDateTime
from scheduler.store.queries import event_recipients, get_event

_T = cast(Table, Reminder.__table__)
# Rows per executemany call (keeps memory and statement batches modest).
_INSERT_CHUNK = 1000


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _due(now: Any) -> Any:
    return or_(
        and_(_T.c.state == "pending", _T.c.next_attempt_at <= now),
        and_(_T.c.state == "sending", _T.c.lease_until < now),
    )


# PostgreSQL's claim. Each CTE runs exactly once (MATERIALIZED; ``WHERE id IN (SELECT ...
# SKIP LOCKED LIMIT n)`` may be re-run and then take more than ``n`` rows), and FOR UPDATE
# re-checks each row's newest version as it locks it, so no other worker holds or took
# them. The two kinds of due row are picked apart, each in the order of the index
# (state, next_attempt_at, id), so a claim reads about ``limit`` rows instead of sorting
# every due one; the ``limit`` first of both together are the ``limit`` first due rows.
# The rows are then updated through their primary key (``= ANY(ARRAY(...))``: with
# ``IN``, the planner scans the whole table to join).
_CLAIM_ON_POSTGRES = """
WITH expired AS MATERIALIZED (
    SELECT id, next_attempt_at FROM reminders
    WHERE state = 'sending' AND lease_until < :now
    ORDER BY next_attempt_at, id LIMIT :limit FOR UPDATE SKIP LOCKED
), pending AS MATERIALIZED (
    SELECT id, next_attempt_at FROM reminders
    WHERE state = 'pending' AND next_attempt_at <= :now
    ORDER BY next_attempt_at, id LIMIT :limit FOR UPDATE SKIP LOCKED
), picked AS MATERIALIZED (
    SELECT id FROM (SELECT * FROM expired UNION ALL SELECT * FROM pending) AS due
    ORDER BY next_attempt_at, id LIMIT :limit
)
UPDATE reminders
SET state = 'sending', lease_until = :lease_end, attempts = attempts + 1, updated_at = :now
WHERE id = ANY(ARRAY(SELECT id FROM picked))
RETURNING id
"""


@functools.cache
def _claim_on_postgres() -> Any:
    """The claim statement, built once with typed parameters (see ``_CLAIM_ON_POSTGRES``)."""
    return (
        text(_CLAIM_ON_POSTGRES)
        .bindparams(
            bindparam("now", type_=UTCDateTime()),
            bindparam("limit", type_=Integer),
            bindparam("lease_end", type_=UTCDateTime()),
        )
        .columns(column("id", Integer))
    )


def claim(
    session: Session, now: datetime, limit: int, lease: timedelta
) -> list[tuple[int, datetime]]:
    """Take up to ``limit`` due rows (or rows whose lease ran out) for this worker.

    Returns (id, lease_until) pairs; the lease value is the claim's token when marking.
    """
    lease_until = now + lease
    if session.get_bind().dialect.name == "postgresql":
        params = {"now": now, "limit": limit, "lease_end": lease_until}
        ids = sorted(session.execute(_claim_on_postgres(), params).scalars())
        return [(rid, lease_until) for rid in ids]
    # SQLite: the SELECT takes no lock, so the UPDATE checks again that each row is due
    # (under the database's write lock): a row another process took in between is left.
    candidates = list(
        session.execute(
            select(_T.c.id).where(_due(now)).order_by(_T.c.next_attempt_at, _T.c.id).limit(limit)
        ).scalars()
    )
    if not candidates:
        return []
    stmt = (
        update(_T)
        .where(_T.c.id.in_(candidates))
        .where(_due(now))
        .values(
            state="sending", lease_until=lease_until, attempts=_T.c.attempts + 1, updated_at=now
        )
        .returning(_T.c.id)
    )
    ids = sorted(session.execute(stmt).scalars())
    return [(rid, lease_until) for rid in ids]


def _guarded(rid: int, lease_until: datetime) -> Any:
    return update(_T).where(
        _T.c.id == rid, _T.c.state == "sending", _T.c.lease_until == lease_until
    )


@functools.cache
def _sent_from_arrays() -> Any:
    """PostgreSQL: one statement for a whole batch, its rows given as three arrays.

    ``UPDATE ... FROM unnest(:rids, :leases, :exts)`` keeps the lease check row by row and
    has the same text for any batch, so SQLAlchemy compiles it once and PostgreSQL plans it
    once (a ``VALUES`` list would be compiled anew for every batch).
    """
    from sqlalchemy.dialects.postgresql import ARRAY

    given = (
        func.unnest(
            bindparam("rids", type_=ARRAY(Integer)),
            bindparam("leases", type_=ARRAY(UTCDateTime())),
            bindparam("exts", type_=ARRAY(String)),
        )
        .table_valued(column("rid", Integer), column("lease", UTCDateTime()), column("ext", String))
        .render_derived(name="given")
    )
    return (
        update(_T)
        .where(_T.c.id == given.c.rid, _T.c.state == "sending")
        .where(_T.c.lease_until == given.c.lease)
        .values(
            state="sent",
            sent_at=bindparam("now", type_=UTCDateTime()),
            external_id=given.c.ext,
            lease_until=None,
            last_error=None,
            updated_at=bindparam("now", type_=UTCDateTime()),
        )
        .returning(_T.c.id)
    )


def mark_sent_many(
    session: Session,
    delivered: Iterable[tuple[int, datetime, str | None]],
    now: datetime,
) -> set[int]:
    """Record many deliveries ``(id, lease_until, external_id)`` in a few statements.

    A row is marked only while it is still ``sending`` under the same lease as when it was
    claimed; returns the ids whose lease held (a row another worker took back is left to
    that worker).
    """
    delivered = list(delivered)
    owned: set[int] = set()
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(delivered), _INSERT_CHUNK):
            chunk = delivered[start : start + _INSERT_CHUNK]
            params = {
                "rids": [rid for rid, _lease, _ext in chunk],
                "leases": [lease for _rid, lease, _ext in chunk],
                "exts": [ext for _rid, _lease, ext in chunk],
                "now": now,
            }
            owned.update(session.execute(_sent_from_arrays(), params).scalars())
        return owned
    by_lease: dict[datetime, list[int]] = defaultdict(list)
    external: dict[int, str] = {}
    for rid, lease_until, external_id in delivered:
        by_lease[lease_until].append(rid)
        if external_id:
            external[rid] = external_id
    for lease_until, rids in by_lease.items():
        for start in range(0, len(rids), _INSERT_CHUNK):
            ids = rids[start : start + _INSERT_CHUNK]
            guard = (_T.c.state == "sending", _T.c.lease_until == lease_until)
            stmt = (
                update(_T)
                .where(_T.c.id.in_(ids), *guard)
                .values(
                    state="sent",
                    sent_at=now,
                    lease_until=None,
                    last_error=None,
                    updated_at=now,
                )
                .returning(_T.c.id)
            )
            mine = set(session.execute(stmt).scalars())
            owned |= mine
            given = [{"rid": r, "ext": external[r]} for r in sorted(mine) if r in external]
            if given:
                session.execute(
                    update(_T)
                    .where(_T.c.id == bindparam("rid"))
                    .values(external_id=bindparam("ext"))
                    .execution_options(synchronize_session=False),
                    given,
                )
    return owned


def mark_deferred(
    session: Session, rid: int, lease_until: datetime, now: datetime, at: datetime, reason: str
) -> bool:
    """Put a claimed row back for ``at`` without counting an attempt (the channel's pacing)."""
    result = session.execute(
        _guarded(rid, lease_until).values(
            state="pending",
            next_attempt_at=at,
            lease_until=None,
            attempts=_T.c.attempts - 1,
            last_error=reason[:2000],
            updated_at=now,
        )
    )
    return bool(_count(result))


def mark_retry(
    session: Session, rid: int, lease_until: datetime, now: datetime, at: datetime, error: str
) -> bool:
    """Put a row back for another attempt at ``at``."""
    result = session.execute(
        _guarded(rid, lease_until).values(
            state="pending",
            next_attempt_at=at,
            lease_until=None,
            last_error=error[:2000],
            updated_at=now,
        )
    )
    return bool(_count(result))


def mark_failed(
    session: Session, rid: int, lease_until: datetime, now: datetime, error: str
) -> bool:
    """Give up on a row: a permanent error, or no attempts left."""
    result = session.execute(
        _guarded(rid, lease_until).values(
            state="failed", lease_until=None, last_error=error[:2000], updated_at=now
        )
    )
    return bool(_count(result))


def release(session: Session, rid: int, now: datetime, at: datetime, reason: str) -> None:
    """Give a claimed row back without counting an attempt (quiet hours: wait until ``at``)."""
    session.execute(
        update(_T)
        .where(_T.c.id == rid, _T.c.state == "sending")
        .values(
            state="pending",
            next_attempt_at=at,
            lease_until=None,
            attempts=_T.c.attempts - 1,
            last_error=reason,
            updated_at=now,
        )
    )


def cancel(session: Session, rid: int, now: datetime, reason: str) -> None:
    """Stop a row for good (its event is closed, it was superseded or folded)."""
    session.execute(
        update(_T)
        .where(_T.c.id == rid, _T.c.state.in_(("pending", "sending")))
        .values(state="cancelled", lease_until=None, last_error=reason, updated_at=now)
    )


def enqueue(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert outbox rows; a key that exists already is left as it is (idempotent)."""
    if not rows:
        return
    # The dialect modules load here, not at import: ``lichct events`` never inserts.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as module
    else:
        from sqlalchemy.dialects import sqlite as module  # type: ignore[no-redef]
    # A plain executemany: psycopg pipelines it; big multi-row VALUES statements measured
    # slower (their compilation and parsing dominate).
    stmt = module.insert(_T).on_conflict_do_nothing(index_elements=["key"])
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(stmt, list(rows[start : start + _INSERT_CHUNK]))


def new_row(
    key: str,
    *,
    channel: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    event_id: int | None = None,
    officer_id: int | None = None,
    unit_id: int | None = None,
    body_id: int | None = None,
    lead: str = "",
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The values of a pending outbox row, for :func:`enqueue`."""
    return {
        "key": key,
        "event_id": event_id,
        "officer_id": officer_id,
        "unit_id": unit_id,
        "body_id": body_id,
        "channel": channel,
        "kind": kind,
        "lead": lead,
        "due_at": due_at,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": due_at,
        "payload": payload or {},
        "created_at": now,
        "updated_at": now,
    }


def _by_keys(session: Session, keys: Sequence[str]) -> list[Reminder]:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Reminder):
            session.expire(obj)
    return list(
        session.scalars(select(Reminder).where(Reminder.key.in_(keys)).order_by(Reminder.id))
    )


def snooze(
    session: Session,
    reminder_id: int,
    now: datetime,
    actor: Officer,
    delay: timedelta = timedelta(hours=2),
) -> Reminder:
    """ "Nhắc lại sau": remind ``actor`` again after ``delay`` (the due date never moves).

    Only the reminder's own officer may snooze it. A pending reminder is moved; a sent one
    gets a pending follow-up row (pressing the button twice moves that row, no duplicate).
    Quiet hours apply.
    """
    policies, tz = current()
    row = session.get(Reminder, reminder_id)
    if row is None:
        raise NotFound(f"Không có lời nhắc mã {reminder_id}")
    if row.officer_id != actor.id:
        raise PermissionDenied("Đây không phải lời nhắc của bạn, không thể hoãn")
    if row.event_id is not None:
        event = session.get(Event, row.event_id)
        if event is not None and event.status != "planned":
            state = "hoàn thành" if event.status == "done" else "bị hủy"
            raise InvalidInput(f"Việc #{event.id} đã {state}, không cần nhắc lại")
    at = policies.after_quiet(now + delay, tz, actor.id)
    if row.state == "pending":
        row.due_at = row.next_attempt_at = at
        row.updated_at = now
        session.flush()
        return row
    if row.event_id is not None:
        key = reminder_key(row.event_id, actor.id, row.channel, f"snooze:{row.id}")
    else:
        key = f"snooze:{row.id}"
    follow = session.scalar(select(Reminder).where(Reminder.key == key))
    payload = {**(row.payload or {}), "snoozed_from": row.id, "of_kind": row.kind}
    if follow is None:
        enqueue(
            session,
            [
                new_row(
                    key,
                    channel=row.channel,
                    kind="snooze" if row.event_id is not None else row.kind,
                    due_at=at,
                    now=now,
                    event_id=row.event_id,
                    officer_id=actor.id,
                    unit_id=row.unit_id,
                    lead=f"snooze:{row.id}",
                    payload=payload,
                )
            ],
        )
        return _by_keys(session, [key])[0]
    if follow.state != "sending":
        follow.state = "pending"
        follow.attempts = 0
        follow.last_error = None
    follow.due_at = follow.next_attempt_at = at
    follow.updated_at = now
    session.flush()
    return follow


def remind_now(session: Session, event_id: int | str, now: datetime) -> list[Reminder]:
    """A head's nudge: one row per recipient channel, due now, quiet hours aside.

    Keys carry the minute, so a double call within a minute does not send twice.
    """
    _policies, tz = current()
    event = get_event(session, event_id)
    if event.status != "planned":
        state = "đã hoàn thành" if event.status == "done" else "đã bị hủy"
        raise InvalidInput(f"Việc #{event.id} {state}, không cần nhắc")
    minute = now.astimezone(tz).strftime("%Y%m%dT%H%M")
    rows = []
    for officer in event_recipients(session, event):
        for channel in usable_channels(officer):
            lead = f"nudge:{minute}"
            rows.append(
                new_row(
                    reminder_key(event.id, officer.id, channel, lead),
                    channel=channel,
                    kind="nudge",
                    due_at=now,
                    now=now,
                    event_id=event.id,
                    officer_id=officer.id,
                    lead=lead,
                    payload={"urgent": True},
                )
            )
    if not rows:
        raise InvalidInput(
            f"Người phụ trách việc #{event.id} chưa có kênh nhận nhắc "
            "(liên kết Telegram bằng 'lichct link-code' hoặc thêm email)"
        )
    enqueue(session, rows)
    return _by_keys(session, [r["key"] for r in rows])


def retry(session: Session, rid: int, now: datetime) -> Reminder:
    """Give a failed row another go: pending again, due now, its attempts counted afresh.

    Only a failed row is retried (a row already retried, by another admin too, is refused).
    """
    row = session.get(Reminder, rid)
    if row is None:
        raise NotFound(f"Không có lời nhắc mã {rid}")
    result = session.execute(
        update(_T)
        .where(_T.c.id == rid, _T.c.state == "failed")
        .values(
            state="pending",
            next_attempt_at=now,
            attempts=0,
            lease_until=None,
            last_error=None,
            updated_at=now,
        )
    )
    session.refresh(row)
    if not _count(result):
        raise InvalidInput(f"Lời nhắc #{rid} không ở trạng thái gửi lỗi nên không cần gửi lại")
    return row
