"""Web sign-in: passwords, one-time links, item links, sessions and the guessing limits.

Every secret (session cookie, link token) is 128+ random bits of which only the SHA-256 is
stored. The CLI (``login-link``, ``officers set --password``), the bot (``/dangnhap``) and
the web pages call these functions; none of them reads the clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scheduler.errors import InvalidInput, PermissionDenied
from scheduler.reminders import item_links
from scheduler.store.models import (
    LoginFailure,
    LoginToken,
    Officer,
    WebCredential,
    WebSession,
)

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20
MIN_PASSWORD_LENGTH = 8


class TooManyAttempts(PermissionDenied):
    """Sign-in refused because of recent wrong passwords (right password or not)."""


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value (shown once) and its row."""

    cookie: str
    session: WebSession


_hash = item_links.hash_token
issue_item_link = item_links.issue_item_link


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher  # imported here: the CLI must start fast

    return PasswordHasher()


# --- passwords ---------------------------------------------------------------------------


def set_password(session: Session, officer: Officer, password: str, now: datetime) -> None:
    """Store an argon2 hash of ``password``; every open session of the officer ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    digest = _hasher().hash(password)
    row = session.get(WebCredential, officer.id)
    if row is None:
        session.add(WebCredential(officer_id=officer.id, password_hash=digest, changed_at=now))
    else:
        row.password_hash = digest
        row.changed_at = now
    end_sessions(session, officer, now)
    session.flush()


def _failures(session: Session, now: datetime, **where: object) -> int:
    query = select(func.count(LoginFailure.id)).where(LoginFailure.at > now - FAILURE_WINDOW)
    for column, value in where.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return int(session.scalar(query) or 0)


def check_password(
    session: Session, officer: Officer | None, password: str, client: str, now: datetime
) -> bool:
    """True when ``password`` is the officer's; a wrong one is recorded.

    After 5 wrong passwords for one account, or 20 from one client address, within 15
    minutes, :class:`TooManyAttempts` is raised before the password is even looked at.
    """
    client = client[:64]
    if _failures(session, now, client=client) >= MAX_FAILURES_PER_CLIENT:
        raise TooManyAttempts(
            "Máy của bạn đã nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau 15 phút."
        )
    if (
        officer is not None
        and _failures(session, now, officer_id=officer.id) >= MAX_FAILURES_PER_ACCOUNT
    ):
        raise TooManyAttempts(
            f"Tài khoản này đã nhập sai mật khẩu {MAX_FAILURES_PER_ACCOUNT} lần trong 15 phút. "
            "Hãy thử lại sau 15 phút, hoặc đăng nhập bằng liên kết một lần (/dangnhap trên "
            "Telegram)."
        )
    ok = False
    if officer is not None and officer.active:
        row = session.get(WebCredential, officer.id)
        if row is not None:
            from argon2.exceptions import InvalidHashError, VerificationError

            try:
                ok = bool(_hasher().verify(row.password_hash, password))
            except (VerificationError, InvalidHashError):
                ok = False
    if not ok:
        session.add(LoginFailure(officer_id=officer.id if officer else None, client=client, at=now))
        session.flush()
    return ok


def has_password(session: Session, officer: Officer) -> bool:
    return session.get(WebCredential, officer.id) is not None


# --- sign-in links -----------------------------------------------------------------------


def issue_login_link(session: Session, officer: Officer, public_url: str, now: datetime) -> str:
    """``PUBLIC_URL/dang-nhap/TOKEN``: signs the officer in once, within 15 minutes."""
    if not officer.active:
        raise PermissionDenied(f"{officer.name} đã nghỉ công tác, không cấp liên kết đăng nhập")
    token = secrets.token_urlsafe(24)
    session.add(
        LoginToken(
            token_hash=_hash(token),
            officer_id=officer.id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    return item_links.page_url(public_url, f"/dang-nhap/{token}")


def redeem_login_link(session: Session, token: str, now: datetime) -> Officer | None:
    """The officer of a valid one-time link, which is used up; None for anything else."""
    row = session.scalar(
        select(LoginToken).where(
            LoginToken.token_hash == _hash(token), LoginToken.event_id.is_(None)
        )
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    officer = session.get(Officer, row.officer_id)
    session.flush()
    return officer if officer is not None and officer.active else None


def redeem_item_link(session: Session, token: str, event_id: int, now: datetime) -> Officer | None:
    """The officer of a valid item link for ``event_id``; the link stays usable."""
    row = session.scalar(
        select(LoginToken).where(
            LoginToken.token_hash == _hash(token), LoginToken.event_id == event_id
        )
    )
    if row is None or row.expires_at <= now:
        return None
    officer = session.get(Officer, row.officer_id)
    return officer if officer is not None and officer.active else None


# --- sessions ----------------------------------------------------------------------------


def start_session(
    session: Session, officer: Officer, now: datetime, *, event_id: int | None = None
) -> SignedIn:
    cookie = secrets.token_urlsafe(32)
    lifetime = SESSION_LIFETIME if event_id is None else timedelta(days=1)
    row = WebSession(
        token_hash=_hash(cookie),
        officer_id=officer.id,
        event_id=event_id,
        csrf_token=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    session.flush()
    return SignedIn(cookie=cookie, session=row)


def find_session(session: Session, cookie: str, now: datetime) -> WebSession | None:
    """The live session of an active officer for this cookie, or None."""
    if not cookie or len(cookie) > 128:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(cookie)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.officer.active:
        return None
    return row


def end_session(session: Session, row: WebSession, now: datetime) -> None:
    row.revoked_at = now
    session.flush()


def end_sessions(session: Session, officer: Officer, now: datetime) -> int:
    """End every open web session of ``officer`` (deactivation, new password)."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.officer_id == officer.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
