"""The server secret that keys the hashes of short one-time codes (HMAC-SHA256).

``LICHCT_SECRET_KEY`` (or ``secret_key`` in lichct.toml) is the key; set it in production,
so that a copy of the database alone is not enough to test guesses offline. Without it,
a random key is generated once and kept in ``service_state``: codes are then still keyed
and unique per installation, but a database copy holds the key too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.store.models import ServiceState

__all__ = ["SECRET_STATE_KEY", "keyed_hash", "server_key"]

SECRET_STATE_KEY = "secret_key"


def server_key(session: Session, now: datetime, configured: str | None = None) -> bytes:
    """The configured key, or the installation's generated one (created on first use)."""
    if configured:
        return configured.encode("utf-8")
    row = session.get(ServiceState, SECRET_STATE_KEY)
    if row is None:
        value = secrets.token_urlsafe(32)
        try:
            with session.begin_nested():
                session.add(ServiceState(key=SECRET_STATE_KEY, value=value, updated_at=now))
        except IntegrityError:  # another process created it first: use theirs
            row = session.get(ServiceState, SECRET_STATE_KEY, populate_existing=True)
            assert row is not None
            value = row.value
        return value.encode("utf-8")
    return row.value.encode("utf-8")


def keyed_hash(key: bytes, value: str, purpose: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` for ``purpose`` (a link code is not a session token)."""
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
