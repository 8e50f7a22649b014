"""Feed freshness: a cheap stamp of the whole store, and the strong ETag a feed gets from it.

The stamp costs a handful of index lookups, the same for 10 or 10,000 events, so
``If-None-Match`` gets its 304 without loading or rendering anything. It changes whenever
anything a feed shows may have changed; it may also change for edits that do not touch a
given feed, which costs that client one download, never a stale calendar.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import Connection

from scheduler.clock import LOCAL_TZ
from scheduler.feeds.rendering import RENDER_VERSION
from scheduler.feeds.scopes import FeedScope
from scheduler.feeds.selection import cancelled_cutoff

__all__ = ["StoreStamp", "feed_etag", "store_stamp"]

# Every feed request, 304s included, takes the stamp: it speaks plain SQL through the
# driver, since SQLAlchemy's statement machinery costs several times what these indexed
# lookups do. The names are those of ``scheduler.store.models``; tests run them on SQLite
# and PostgreSQL.
_STAMP_SQL = (
    "SELECT (SELECT max(updated_at) FROM events), (SELECT count(*) FROM events), "
    "(SELECT max(id) FROM events), "
    "(SELECT count(*) FROM assignments), (SELECT max(id) FROM assignments), "
    "(SELECT count(*) FROM completions), (SELECT max(id) FROM completions), "
    # An undo at the same instant as its confirmation (a frozen clock) moves only this.
    "(SELECT count(withdrawn_at) FROM completions), "
    "(SELECT count(*) FROM units), (SELECT max(id) FROM units)"
)
_OFFICERS_SQL = "SELECT id, name, unit_id, role, active FROM officers ORDER BY id"


@dataclass(frozen=True)
class StoreStamp:
    """A cheap summary of everything feeds show; equal stamps mean equal feeds."""

    digest: str
    last_modified: datetime | None


def store_stamp(conn: Connection, now: datetime, tz: ZoneInfo = LOCAL_TZ) -> StoreStamp:
    """Two small queries on indexes and tiny tables; no event rows are read.

    Every change a feed shows moves one of these: an edit, a confirmation or an assignment
    touches its event (``Event.touch``: new ``updated_at``), rows come and go (counts,
    highest ids), officers are renamed or move (their rows are hashed), and a cancelled
    item leaves the feeds when the day changes (the cutoff day is part of the stamp).
    """
    row = conn.exec_driver_sql(_STAMP_SQL).one()
    officers = conn.exec_driver_sql(_OFFICERS_SQL).all()
    hasher = hashlib.sha256(_static_digest().encode())
    hasher.update(cancelled_cutoff(now, tz).isoformat().encode())
    hasher.update(repr(tuple(row)).encode())
    hasher.update(repr([tuple(o) for o in officers]).encode())
    return StoreStamp(digest=hasher.hexdigest(), last_modified=_instant(row[0]))


def _instant(value: object) -> datetime | None:
    """A driver's raw timestamp (SQLite gives text) as a UTC-aware datetime."""
    if value is None:
        return None
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def feed_etag(scope: FeedScope, stamp: StoreStamp) -> str:
    """The strong ETag (quoted) of a feed's identity (uncompressed) representation."""
    digest = hashlib.sha256(f"{scope.key}|{stamp.digest}".encode()).hexdigest()[:32]
    return f'"{digest}"'


@lru_cache(maxsize=1)
def _static_digest() -> str:
    """What else shapes the bytes: the renderer's version and the bundled catalog."""
    parts = [RENDER_VERSION, icalendar.__version__]
    try:
        from lichct_data import resource

        parts.append(resource("observances.toml").read_text("utf-8"))
    except (FileNotFoundError, OSError):
        parts.append("")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
