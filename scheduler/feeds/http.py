"""Feed routes: ``GET``/``HEAD`` of the feeds, answering 304 or a cached body before rendering.

Each request resolves its scope and stamps the store (``freshness``); a matching
``If-None-Match`` gets a 304, a body already rendered for this ETag is served from a
bounded cache, and only a miss renders, in a worker thread. Bodies are gzipped on demand
for clients that ask, under their own strong ETag.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import format_datetime

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from scheduler import feeds
from scheduler.context import AppContext
from scheduler.feeds.freshness import StoreStamp, feed_etag, store_stamp
from scheduler.feeds.scopes import FeedScope, feed_filename
from scheduler.feeds.tokens import PUBLIC_PATH, token_owner

__all__ = ["routes"]

_NOT_FOUND = b"Not Found\n"


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
        # Rendering goes through the package's public ``feeds.render_feed``, looked up at
        # call time: the one seam through which a feed is rendered (tests replace it to
        # prove that a 304 or a cached body renders nothing).
        now = ctx.clock.now()
        with ctx.db.unit_of_work() as session:
            # Stamp and render in one transaction, so the ETag names these very bytes.
            stamp = store_stamp(session.connection(), now, ctx.tz)
            base = feed_etag(miss.scope, stamp)
            body = cache.get(miss.scope.key, base, miss.compressed, make=True)
            if body is None:
                cache.put(miss.scope.key, base, feeds.render_feed(session, miss.scope, now, ctx.tz))
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
    headers["Content-Disposition"] = f'inline; filename="{feed_filename(scope)}"'
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
