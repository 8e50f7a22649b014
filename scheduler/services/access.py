"""What an officer can open without a password: revoked together when they leave.

:func:`revoke_officer_access` is the one place that lists those keys: feed addresses and
unused Telegram link codes, web sign-in sessions, and sign-in links (one-time and item
links). Reactivating an officer issues nothing: ``lichct feed-url`` (or the
bot's ``/lich``) makes a new address when asked, and the old one stays dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from scheduler.services.web_access import end_sessions
from scheduler.store.models import FeedToken, LinkCode, LoginToken, Officer


@dataclass(frozen=True)
class Revoked:
    """How many keys of each kind stopped working."""

    feed_tokens: int = 0
    link_codes: int = 0
    web_sessions: int = 0
    login_links: int = 0


def revoke_officer_access(session: Session, officer: Officer, now: datetime) -> Revoked:
    """Revoke every feed token, unused link code, web session and sign-in link of
    ``officer`` (idempotent)."""
    tokens = session.execute(
        update(FeedToken)
        .where(FeedToken.officer_id == officer.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    codes = session.execute(
        update(LinkCode)
        .where(
            LinkCode.officer_id == officer.id,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .values(expires_at=now)
    )
    links = session.execute(
        update(LoginToken)
        .where(LoginToken.officer_id == officer.id, LoginToken.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    sessions = end_sessions(session, officer, now)
    session.flush()
    return Revoked(
        feed_tokens=_count(tokens),
        link_codes=_count(codes),
        web_sessions=sessions,
        login_links=_count(links),
    )


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
