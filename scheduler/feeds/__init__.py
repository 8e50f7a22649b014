"""ICS feeds: secret per-officer addresses, the public observances feed, and their routes.

A personal feed holds what the officer must see: items given to them or to their unit,
items for which they are a recipient (``services.event_recipients``: the fallbacks
included), and every observance. Removed items stay for 30 days as STATUS:CANCELLED, then
disappear. Tokens are 128 random bits; the store keeps only their SHA-256.

An answer carries a strong ETag taken from a cheap stamp of the whole store (a handful
of index lookups, the same cost for 10 or 10,000 events), so ``If-None-Match`` gets its
304 without loading or rendering anything. The stamp changes whenever anything a feed
shows may have changed; it may also change for edits that do not touch a given feed,
which costs that client one download, never a stale calendar.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy import ColumnElement, Connection, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from calendars.ics import IcsEvent, render_calendar, render_single_event
from calendars.lunar import format_lunar, solar_to_lunar
from calendars.observances import Observance, load_catalog
from scheduler.clock import LOCAL_TZ
from scheduler.context import AppContext
from scheduler.store.models import Assignment, Completion, Event, FeedToken, Officer
from scheduler.store.queries import active_completion

__all__ = [
    "CANCELLED_KEPT",
    "PUBLIC_PATH",
    "FeedLinks",
    "FeedScope",
    "StoreStamp",
    "active_token",
    "event_ics",
    "feed_etag",
    "feed_links",
    "hash_token",
    "issue_token",
    "officer_for_token",
    "public_links",
    "render_feed",
    "routes",
    "select_events",
    "store_stamp",
    "to_ics_event",
    "token_owner",
]

# A removed item is shown as cancelled for this long after its removal, then omitted.
CANCELLED_KEPT = timedelta(days=30)
PUBLIC_PATH = "/feeds/public/observances.ics"
# Bump when the rendered bytes change for the same store (new wording, new property):
# it is part of every ETag.
RENDER_VERSION = "2"
TOKEN_BYTES = 16
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
# Ring the day before: at 09:00 for all-day items (15 hours before their midnight).
_ALARM_ALL_DAY = timedelta(hours=15)
_ALARM_TIMED = timedelta(days=1)
_NOT_FOUND = b"Not Found\n"

KIND_LABELS = {
    "report": "Báo cáo",
    "plan": "Kế hoạch",
    "directive": "Công văn chỉ đạo",
    "supervision": "Giám sát",
    "inspection": "Kiểm tra",
    "meeting": "Hội họp",
    "visit": "Thăm hỏi chúc mừng",
    "ceremony": "Dự lễ",
    "bulletin": "Thông báo",
    "observance": "Ngày lễ",
    "other": "Việc khác",
}


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class FeedScope:
    """Which events a feed holds: one officer's, the observances only, or the whole office."""

    kind: Literal["officer", "observances", "office"]
    officer_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.officer_id}" if self.officer_id is not None else self.kind

    @classmethod
    def officer(cls, officer: Officer) -> FeedScope:
        return cls("officer", officer.id)


def feed_name(session: Session, scope: FeedScope) -> str:
    """The calendar's name as a client lists it."""
    if scope.kind == "observances":
        return "Ngày lễ tôn giáo, dân tộc"
    if scope.kind == "office":
        return "Lịch công tác – toàn Ban"
    officer = session.get(Officer, scope.officer_id)
    return f"Lịch công tác – {officer.name}" if officer else "Lịch công tác"


def _filename(scope: FeedScope) -> str:
    return {"observances": "ngay-le.ics", "office": "lich-cong-tac-toan-ban.ics"}.get(
        scope.kind, "lich-cong-tac.ics"
    )


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class FeedLinks:
    """A feed's address for browsers (https) and for calendar apps (webcal)."""

    https: str
    webcal: str


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_token(session: Session, officer: Officer) -> FeedToken | None:
    """The officer's current (unrevoked) token row, if any."""
    return session.scalar(
        select(FeedToken)
        .where(FeedToken.officer_id == officer.id, FeedToken.revoked_at.is_(None))
        .order_by(FeedToken.id.desc())
        .limit(1)
    )


def issue_token(session: Session, officer: Officer, now: datetime) -> str:
    """Revoke the officer's tokens and issue a new one; return it (only its hash is kept)."""
    for row in session.scalars(
        select(FeedToken).where(FeedToken.officer_id == officer.id, FeedToken.revoked_at.is_(None))
    ):
        row.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(FeedToken(officer_id=officer.id, token_hash=hash_token(token), created_at=now))
    session.flush()
    return token


def officer_for_token(session: Session, token: str) -> Officer | None:
    """The active officer whose unrevoked token this is, or None (no hint why)."""
    officer_id = token_owner(session.connection(), token)
    return session.get(Officer, officer_id) if officer_id is not None else None


def token_owner(conn: Connection, token: str) -> int | None:
    """The id of the active officer holding ``token``: found by its hash, then compared
    in constant time; None for a malformed, unknown or revoked token."""
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    digest = hash_token(token)
    row = conn.exec_driver_sql(_TOKEN_SQL.format(p=_placeholder(conn)), (digest,)).first()
    if row is None or not hmac.compare_digest(str(row[0]), digest):
        return None
    return int(row[1])


# The fast path (every feed request, 304s included) speaks plain SQL through the driver:
# SQLAlchemy's statement machinery costs several times what these indexed lookups do.
# The names are those of ``scheduler.models``; tests run them on SQLite and PostgreSQL.
_TOKEN_SQL = (
    "SELECT t.token_hash, t.officer_id FROM feed_tokens t "
    "JOIN officers o ON o.id = t.officer_id "
    "WHERE t.token_hash = {p} AND t.revoked_at IS NULL AND o.active"
)
_STAMP_SQL = (
    "SELECT (SELECT max(updated_at) FROM events), (SELECT count(*) FROM events), "
    "(SELECT max(id) FROM events), "
    "(SELECT count(*) FROM assignments), (SELECT max(id) FROM assignments), "
    "(SELECT count(*) FROM completions), (SELECT max(id) FROM completions), "
    "(SELECT count(*) FROM units), (SELECT max(id) FROM units)"
)
_OFFICERS_SQL = "SELECT id, name, unit_id, role, active FROM officers ORDER BY id"


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def feed_links(public_url: str, token: str) -> FeedLinks:
    """The personal feed's addresses under ``LICHCT_PUBLIC_URL``."""
    return _links(public_url, f"/feeds/{token}.ics")


def public_links(public_url: str) -> FeedLinks:
    """The public observances feed's addresses."""
    return _links(public_url, PUBLIC_PATH)


def _links(public_url: str, path: str) -> FeedLinks:
    parts = urlsplit(public_url.strip().rstrip("/"))
    full_path = parts.path + path
    https = urlunsplit((parts.scheme or "https", parts.netloc, full_path, "", ""))
    webcal = urlunsplit(("webcal", parts.netloc, full_path, "", ""))
    return FeedLinks(https=https, webcal=webcal)


# --------------------------------------------------------------------------- selection


def cancelled_cutoff(now: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """Items cancelled before this instant are no longer shown: local midnight 30 days ago.

    Whole days, so that a feed's ETag can name the day instead of asking the store.
    """
    day = now.astimezone(tz).date() - CANCELLED_KEPT
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _visible(cutoff: datetime) -> ColumnElement[bool]:
    """Not cancelled, or cancelled since ``cutoff``."""
    removed = func.coalesce(Event.cancelled_at, Event.updated_at)
    return or_(Event.status != "cancelled", removed >= cutoff)


def select_events(
    session: Session, scope: FeedScope, now: datetime, tz: ZoneInfo = LOCAL_TZ
) -> list[Event]:
    """The events of a feed, with what rendering needs loaded (no query per event)."""
    query = (
        select(Event)
        .where(_visible(cancelled_cutoff(now, tz)))
        .options(
            selectinload(Event.assignments).selectinload(Assignment.officer),
            selectinload(Event.assignments).selectinload(Assignment.unit),
            selectinload(Event.completions).selectinload(Completion.officer),
        )
        .order_by(Event.start_date, Event.id)
    )
    if scope.kind == "office":
        return list(session.scalars(query))
    if scope.kind == "observances":
        return list(session.scalars(query.where(Event.source == "observance")))
    officer = session.get(Officer, scope.officer_id)
    if officer is None:
        return []
    roster = _Roster.load(session)
    candidates = session.scalars(query.where(_candidates(officer)))
    return [e for e in candidates if _belongs(e, officer, roster)]


def _candidates(officer: Officer) -> ColumnElement[bool]:
    """A superset, in SQL, of the events in the officer's feed; ``_belongs`` decides."""
    if officer.role == "head" and officer.active:
        # A head receives every item that nobody else would: any event may qualify.
        return Event.id.is_not(None)
    conditions: list[ColumnElement[bool]] = [
        Event.source == "observance",
        exists().where(Assignment.event_id == Event.id, Assignment.officer_id == officer.id),
    ]
    if officer.unit_id is not None:
        conditions.append(
            exists().where(Assignment.event_id == Event.id, Assignment.unit_id == officer.unit_id)
        )
        conditions.append(Event.unit_id == officer.unit_id)
    return or_(*conditions)


@dataclass(frozen=True)
class _Roster:
    """Active officers by unit, and the heads: what ``event_recipients`` looks up."""

    by_unit: dict[int, frozenset[int]]
    heads: frozenset[int]

    @classmethod
    def load(cls, session: Session) -> _Roster:
        by_unit: dict[int, set[int]] = {}
        heads: set[int] = set()
        rows = session.execute(
            select(Officer.id, Officer.unit_id, Officer.role).where(Officer.active.is_(True))
        )
        for oid, unit_id, role in rows:
            if unit_id is not None:
                by_unit.setdefault(unit_id, set()).add(oid)
            if role == "head":
                heads.add(oid)
        return cls({u: frozenset(ids) for u, ids in by_unit.items()}, frozenset(heads))

    def recipients(self, event: Event) -> frozenset[int]:
        """The ids ``services.event_recipients`` returns, from loaded rows (no queries)."""
        officers: set[int] = set()
        unit_ids: list[int] = []
        for assignment in event.assignments:
            if assignment.officer is not None and assignment.officer.active:
                officers.add(assignment.officer.id)
            elif assignment.unit_id is not None:
                unit_ids.append(assignment.unit_id)
        if not officers:
            for unit_id in unit_ids:
                officers |= self.by_unit.get(unit_id, frozenset())
        if not officers and event.unit_id is not None:
            officers |= self.by_unit.get(event.unit_id, frozenset())
        if not officers:
            officers |= self.heads
        return frozenset(officers)


def _belongs(event: Event, officer: Officer, roster: _Roster) -> bool:
    if event.source == "observance":
        return True
    for assignment in event.assignments:
        if assignment.officer_id == officer.id:
            return True
        if (
            officer.unit_id is not None
            and assignment.officer_id is None
            and assignment.unit_id == officer.unit_id
        ):
            return True
    return officer.id in roster.recipients(event)


# --------------------------------------------------------------------------- mapping


def to_ics_event(event: Event) -> IcsEvent:
    """What a calendar client shows of a stored event (see ``calendars.ics.IcsEvent``)."""
    observance = event.source == "observance"
    cancelled = event.status == "cancelled"
    completion = active_completion(event) if event.status == "done" else None
    names = [a.officer.name for a in event.assignments if a.officer is not None]
    names += [a.unit.name for a in event.assignments if a.officer is None and a.unit is not None]
    categories = [KIND_LABELS.get(event.kind, event.kind)]
    if event.observance_key:
        categories += [r for r in _religions(event.observance_key) if r not in categories]
    timed = not event.all_day and event.start_at is not None
    return IcsEvent(
        uid=event.uid,
        title=event.title,
        start_date=event.start_date,
        end_date=event.end_date,
        modified=event.updated_at,
        # A removal must read as an edit: one more than the last published SEQUENCE.
        sequence=event.revision + (1 if cancelled else 0),
        created=event.created_at,
        number=None if observance else event.id,
        text=event.text,
        all_day=not timed,
        start_at=event.start_at if timed else None,
        end_at=event.end_at if timed else None,
        due=event.due_date,
        task=not observance,
        conditional=event.conditional,
        references=tuple(event.references or ()),
        lunar=_lunar(event) if (observance or event.observance_key) else None,
        assignees=tuple(names),
        status=event.status,
        confirmed_by=(
            completion.officer.name if completion and completion.officer is not None else None
        ),
        confirmed_at=completion.at if completion else None,
        cancelled_at=(event.cancelled_at or event.updated_at) if cancelled else None,
        categories=tuple(categories),
        alarm_before=_ALARM_TIMED if timed else _ALARM_ALL_DAY,
    )


def _lunar(event: Event) -> str | None:
    try:
        return format_lunar(solar_to_lunar(event.start_date))
    except ValueError:
        return None


@lru_cache(maxsize=512)
def _religions(key: str) -> tuple[str, ...]:
    """The religions or peoples that keep an observance, as categories; () if unknown."""
    entry = _catalog_entry(key)
    if entry is None or not entry.religion:
        return ()
    return tuple(part.strip() for part in entry.religion.split(",") if part.strip())


def _catalog_entry(key: str) -> Observance | None:
    try:
        return load_catalog().get(key)
    except (LookupError, ValueError, OSError):  # a broken catalog must not break feeds
        return None


# --------------------------------------------------------------------------- rendering


def render_feed(session: Session, scope: FeedScope, now: datetime, tz: ZoneInfo) -> bytes:
    """The feed as bytes: the same store gives the same bytes, at any time of rendering."""
    events = select_events(session, scope, now, tz)
    return render_calendar(feed_name(session, scope), (to_ics_event(e) for e in events), tz)


def event_ics(session: Session, event: Event, tz: ZoneInfo) -> bytes:
    """One event as a calendar file, for an email attachment (METHOD:PUBLISH, one VEVENT)."""
    return render_single_event(to_ics_event(event), tz)


# --------------------------------------------------------------------------- freshness


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


# --------------------------------------------------------------------------- HTTP


class _BodyCache:
    """The last rendered body of each feed, by ETag: a new subscriber of an unchanged
    feed gets bytes without a render. Bounded in bytes, least recently used out first."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[str, bytes, bytes | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, etag: str, compressed: bool, *, make: bool = False) -> bytes | None:
        """The body for ``etag``; a gzip body is made on demand only when ``make`` allows
        (compressing megabytes belongs in a worker thread, not on the event loop)."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != etag:
                return None
            self._items.move_to_end(key)
            if not compressed:
                return item[1]
            if item[2] is not None or not make:
                return item[2]
            plain = item[1]
        gz = gzip.compress(plain, mtime=0)
        with self._lock:
            if key in self._items and self._items[key][0] == etag:
                self._items[key] = (etag, plain, gz)
                self._shrink()
        return gz

    def put(self, key: str, etag: str, body: bytes) -> None:
        with self._lock:
            self._items[key] = (etag, body, None)
            self._items.move_to_end(key)
            self._shrink()

    def _shrink(self) -> None:
        total = sum(len(plain) + len(gz or b"") for _etag, plain, gz in self._items.values())
        while total > self._max_bytes and len(self._items) > 1:
            _key, (_etag, plain, gz) = self._items.popitem(last=False)
            total -= len(plain) + len(gz or b"")


def routes(ctx: AppContext) -> list[BaseRoute]:
    """``GET``/``HEAD`` of the personal and public feeds (paths as in DESIGN.md)."""
    cache = _BodyCache()
    # SQLite answers the fast path in microseconds: doing it on the event loop saves a
    # thread hop. A networked database is asked from a worker thread instead.
    inline = ctx.db.is_sqlite

    def check(request: Request, resolve: _Resolver) -> Response | _Miss:
        """404, 304 or a cached body without rendering; else what to render."""
        now = ctx.clock.now()
        with ctx.db.engine.connect() as conn:
            scope = resolve(conn)
            if scope is None:
                return Response(_NOT_FOUND, status_code=404, media_type="text/plain")
            stamp = store_stamp(conn, now, ctx.tz)
        compressed = _accepts_gzip(request.headers.get("accept-encoding", ""))
        headers = _headers(scope, stamp, compressed)
        if _matches(request.headers.get("if-none-match"), headers["ETag"]):
            return Response(status_code=304, headers=headers)
        body = cache.get(scope.key, feed_etag(scope, stamp), compressed)
        if body is None:
            return _Miss(scope, compressed)
        return _calendar(request, scope, headers, body, compressed)

    def render(request: Request, miss: _Miss) -> Response:
        now = ctx.clock.now()
        with ctx.db.unit_of_work() as session:
            # Stamp and render in one transaction, so the ETag names these very bytes.
            stamp = store_stamp(session.connection(), now, ctx.tz)
            base = feed_etag(miss.scope, stamp)
            body = cache.get(miss.scope.key, base, miss.compressed, make=True)
            if body is None:
                cache.put(miss.scope.key, base, render_feed(session, miss.scope, now, ctx.tz))
                body = cache.get(miss.scope.key, base, miss.compressed, make=True)
        assert body is not None
        headers = _headers(miss.scope, stamp, miss.compressed)
        return _calendar(request, miss.scope, headers, body, miss.compressed)

    async def answer(request: Request, resolve: _Resolver) -> Response:
        if inline:
            outcome = check(request, resolve)
        else:
            outcome = await run_in_threadpool(check, request, resolve)
        if isinstance(outcome, Response):
            return outcome
        return await run_in_threadpool(render, request, outcome)

    async def personal(request: Request) -> Response:
        token = str(request.path_params.get("token", ""))

        def resolve(conn: Connection) -> FeedScope | None:
            officer_id = token_owner(conn, token)
            return FeedScope("officer", officer_id) if officer_id is not None else None

        return await answer(request, resolve)

    async def public(request: Request) -> Response:
        return await answer(request, lambda _conn: FeedScope("observances"))

    return [
        Route(PUBLIC_PATH, public, methods=["GET", "HEAD"]),
        Route("/feeds/{token}.ics", personal, methods=["GET", "HEAD"]),
    ]


_Resolver = Callable[[Connection], FeedScope | None]


@dataclass(frozen=True)
class _Miss:
    """A feed whose current bytes are not in the cache: render them."""

    scope: FeedScope
    compressed: bool


def _calendar(
    request: Request, scope: FeedScope, headers: dict[str, str], body: bytes, compressed: bool
) -> Response:
    headers["Content-Disposition"] = f'inline; filename="{_filename(scope)}"'
    headers["Content-Length"] = str(len(body))
    if compressed:
        headers["Content-Encoding"] = "gzip"
    content = b"" if request.method == "HEAD" else body
    return Response(content, media_type="text/calendar; charset=utf-8", headers=headers)


def _headers(scope: FeedScope, stamp: StoreStamp, compressed: bool) -> dict[str, str]:
    base = feed_etag(scope, stamp)
    headers = {
        # A compressed body is another representation: it needs its own strong ETag.
        "ETag": base[:-1] + '.gz"' if compressed else base,
        "Vary": "Accept-Encoding",
        "Cache-Control": "no-cache" if scope.kind == "observances" else "private, no-cache",
    }
    if stamp.last_modified is not None:
        headers["Last-Modified"] = format_datetime(stamp.last_modified, usegmt=True)
    return headers


def _matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: W/"x" matches "x"."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(_opaque(tag) == etag for tag in _split_tags(header))


def _split_tags(header: str) -> Iterable[str]:
    return (part.strip() for part in header.split(",") if part.strip())


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


def _accepts_gzip(header: str) -> bool:
    """True when ``Accept-Encoding`` names gzip (or ``*``) with a non-zero quality."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match[1])
            except ValueError:
                quality = 0.0
        if quality > 0:
            return True
    return False
