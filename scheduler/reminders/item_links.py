"""Item links in email reminders: ``PUBLIC_URL/viec/ID?t=TOKEN`` opens that one item for
its officer, until a week after the item's due date (the web checks the rest).

Only the SHA-256 of a token is stored (``login_tokens`` with ``event_id`` set).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.orm import Session

from scheduler.store.models import Event, LoginToken, Officer

ITEM_LINK_GRACE = timedelta(days=7)
MIN_LIFETIME = timedelta(minutes=15)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def page_url(public_url: str, path: str) -> str:
    """An address on the site: ``PUBLIC_URL`` (with any path prefix) + ``path``."""
    parts = urlsplit(public_url.strip().rstrip("/"))
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    return urlunsplit((parts.scheme or "https", parts.netloc, parts.path + path, query, ""))


def issue_item_link(
    session: Session, officer: Officer, event: Event, public_url: str, now: datetime
) -> str:
    """A new link to ``event`` for ``officer``, valid until a week after the item is due."""
    token = secrets.token_urlsafe(24)
    due = event.due_date or event.end_date
    expires = datetime.combine(due + ITEM_LINK_GRACE, datetime.min.time(), tzinfo=now.tzinfo)
    session.add(
        LoginToken(
            token_hash=hash_token(token),
            officer_id=officer.id,
            event_id=event.id,
            created_at=now,
            expires_at=max(expires, now + MIN_LIFETIME),
        )
    )
    session.flush()
    return page_url(public_url, f"/viec/{event.id}?t={token}")
