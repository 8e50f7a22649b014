"""ICS feeds: secret per-officer addresses, the public observances feed, and their routes.

A feed's scope is one officer, the observances only, or the whole office. A personal
feed holds what the officer must see: items given to them or to their unit, items for
which they are a recipient (``store.queries.event_recipients``: the fallbacks included), and
every observance. Removed items stay for 30 days as STATUS:CANCELLED, then disappear.
Tokens are 128 random bits; the store keeps only their SHA-256.

An answer carries a strong ETag taken from a cheap stamp of the whole store (a handful
of index lookups, the same cost for 10 or 10,000 events), so ``If-None-Match`` gets its
304 without loading or rendering anything. The stamp changes whenever anything a feed
shows may have changed; it may also change for edits that do not touch a given feed,
which costs that client one download, never a stale calendar.

Modules, each importing only those above it:

- ``scopes``: ``FeedScope`` and the name and file name a client shows for a feed.
- ``tokens``: issuing, revoking and resolving tokens (hashed), and the feed addresses.
- ``selection``: which events a feed holds, and the 30-day cancelled cutoff.
- ``rendering``: stored events as calendar entries, feeds and single events as ICS bytes.
- ``freshness``: the store stamp and the strong ETag of a feed.
- ``http``: the routes (``scheduler.feeds.http.routes``, not re-exported here), with
  conditional requests, gzip and the rendered-body cache; it renders through this
  package's ``render_feed``, looked up when a render is due.
"""

from __future__ import annotations

from scheduler.feeds.freshness import StoreStamp, feed_etag, store_stamp
from scheduler.feeds.rendering import event_ics, render_feed, to_ics_event
from scheduler.feeds.scopes import FeedScope
from scheduler.feeds.selection import CANCELLED_KEPT, select_events
from scheduler.feeds.tokens import (
    PUBLIC_PATH,
    FeedLinks,
    active_token,
    feed_links,
    hash_token,
    issue_token,
    officer_for_token,
    public_links,
    token_owner,
)

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
    "select_events",
    "store_stamp",
    "to_ics_event",
    "token_owner",
]
