"""Feed tokens: the secrets in personal feed addresses, and the addresses themselves.

A token is 128 random bits; the store keeps only its SHA-256, and a lookup compares the
hash in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from scheduler.store.models import FeedToken, Officer

__all__ = [
    "PUBLIC_PATH",
    "TOKEN_BYTES",
    "FeedLinks",
    "active_token",
    "feed_links",
    "hash_token",
    "issue_token",
    "officer_for_token",
    "public_links",
    "token_owner",
]

PUBLIC_PATH = "/feeds/public/observances.ics"
TOKEN_BYTES = 16
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


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
# SQLAlchemy's statement machinery costs several times what this indexed lookup does.
# The names are those of ``scheduler.store.models``; tests run it on SQLite and PostgreSQL.
_TOKEN_SQL = (
    "SELECT t.token_hash, t.officer_id FROM feed_tokens t "
    "JOIN officers o ON o.id = t.officer_id "
    "WHERE t.token_hash = {p} AND t.revoked_at IS NULL AND o.active"
)


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
