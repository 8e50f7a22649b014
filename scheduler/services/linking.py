"""One-time codes that link a Telegram chat to an officer, or a group chat to a unit.

``lichct link-code`` issues a code; the person sends ``/start CODE`` to the bot. A code is
single use, expires after 24 hours and is stored only as its HMAC-SHA256 under the server
key (:mod:`scheduler.store.secret`). A private chat links an officer; a group chat links a
unit, whose digests then go to that group.

Guessing is slowed: a chat that sends ``CHAT_LIMIT`` wrong codes within ``WINDOW`` is asked
to wait (even a right code is refused meanwhile), every chat waits once ``TOTAL_LIMIT``
wrong codes arrive in one window, and the admins are told. Wrong codes are counted in the
database (``link_attempts``), not in memory: the count follows the clock that callers pass,
survives a restart of the service, and holds for every process that talks to the store.
"""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from scheduler.errors import InvalidInput, NotFound
from scheduler.reminders import outbox
from scheduler.reminders.recipients import usable_channels
from scheduler.store.models import LinkAttempt, LinkCode, Officer, Unit
from scheduler.store.secret import keyed_hash, server_key

log = logging.getLogger("lichct.linking")

CODE_TTL = timedelta(hours=24)
# Wrong codes allowed per chat, and from all chats together, within one sliding window.
CHAT_LIMIT = 5
TOTAL_LIMIT = 50
WINDOW = timedelta(minutes=10)
# No 0/O, 1/I/L: the code is read off a screen and typed on a phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
PRIVATE_CHAT = "private"
GROUP_CHATS = ("group", "supergroup")

_BAD_CODE = (
    "Mã liên kết không đúng, đã dùng hoặc đã hết hạn (mỗi mã dùng một lần, trong 24 giờ). "
    "Xin quản trị cấp mã mới bằng 'lichct link-code'."
)


def normalize_code(code: str) -> str:
    """What the user typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class TooManyAttempts(InvalidInput):
    """Too many wrong codes lately: the chat (or everyone) must wait before trying again."""


def hash_code(code: str, key: bytes) -> str:
    """The keyed hash under which a code is stored."""
    return keyed_hash(key, normalize_code(code), "link-code")


def issue_link_code(
    session: Session,
    now: datetime,
    officer: Officer | None = None,
    unit: Unit | None = None,
    *,
    secret: str | None = None,
) -> str:
    """A fresh code for ``officer`` (private chat) or ``unit`` (group chat); older unused
    codes for the same target stop working."""
    if officer is None and unit is None:
        raise InvalidInput("Cần một cán bộ hoặc một đơn vị để cấp mã liên kết")
    target: list[ColumnElement[bool]]
    if unit is not None:
        target = [LinkCode.unit_id == unit.id]
    else:
        assert officer is not None
        target = [LinkCode.officer_id == officer.id, LinkCode.unit_id.is_(None)]
    session.execute(
        update(LinkCode)
        .where(*target, LinkCode.used_at.is_(None), LinkCode.expires_at > now)
        .values(expires_at=now)
    )
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        LinkCode(
            officer_id=officer.id if officer else None,
            unit_id=unit.id if unit else None,
            code_hash=hash_code(code, server_key(session, now, secret)),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    session.flush()
    return code


def redeem_link_code(
    session: Session,
    code: str,
    chat_id: int,
    chat_type: str,
    now: datetime,
    *,
    secret: str | None = None,
) -> Officer | Unit:
    """Use ``code`` from ``chat_id``: link the officer (private chat) or the unit (group).

    Any unknown, used or expired code gets the same answer, so guessing learns nothing.
    A chat that was linked to someone else is moved to the new owner. A wrong code is
    recorded in ``session`` before :class:`InvalidInput` is raised: the caller commits
    the session even when it shows the error (the bot does), or the guess is not counted.
    Raises :class:`TooManyAttempts` while the chat must wait.
    """
    _check_throttle(session, chat_id, now)
    digest = hash_code(code, server_key(session, now, secret)) if normalize_code(code) else None
    row = (
        session.scalar(select(LinkCode).where(LinkCode.code_hash == digest))
        if digest is not None
        else None
    )
    if row is None or row.used_at is not None or row.expires_at <= now:
        _record_wrong_code(session, chat_id, now)
        raise InvalidInput(_BAD_CODE)
    if row.unit_id is not None:
        if chat_type not in GROUP_CHATS:
            raise InvalidInput(
                "Mã này dùng để liên kết nhóm của đơn vị: hãy thêm bot vào nhóm rồi gửi "
                "/start MÃ trong nhóm."
            )
        unit = session.get(Unit, row.unit_id)
        if unit is None:
            raise NotFound("Đơn vị của mã này không còn tồn tại")
        _release(session, Unit, chat_id, keep=unit.id)
        unit.telegram_chat_id = chat_id
        row.used_at = now
        session.flush()
        return unit
    if chat_type != PRIVATE_CHAT:
        raise InvalidInput(
            "Mã này dùng cho trò chuyện riêng: hãy nhắn riêng cho bot /start MÃ "
            "(không gửi trong nhóm)."
        )
    officer = session.get(Officer, row.officer_id) if row.officer_id is not None else None
    if officer is None or not officer.active:
        raise NotFound("Cán bộ của mã này không còn hoạt động")
    _release(session, Officer, chat_id, keep=officer.id)
    officer.telegram_chat_id = chat_id
    row.used_at = now
    session.flush()
    return officer


def _release(session: Session, model: type[Officer] | type[Unit], chat_id: int, keep: int) -> None:
    """Unlink ``chat_id`` from whoever else holds it (the column is unique)."""
    others: list[Officer | Unit] = list(
        session.scalars(select(model).where(model.telegram_chat_id == chat_id))
    )
    for other in others:
        if other.id != keep:
            other.telegram_chat_id = None
    session.flush()


def officer_for_chat(session: Session, user_id: int) -> Officer | None:
    """The active officer who linked this Telegram user (private chat id = user id)."""
    officer = session.scalar(select(Officer).where(Officer.telegram_chat_id == user_id))
    return officer if officer is not None and officer.active else None


def unit_for_chat(session: Session, chat_id: int) -> Unit | None:
    """The unit whose group chat this is."""
    return session.scalar(select(Unit).where(Unit.telegram_chat_id == chat_id))


def _check_throttle(session: Session, chat_id: int, now: datetime) -> None:
    """Refuse (politely) while this chat, or everyone, has had too many wrong codes."""
    since = now - WINDOW
    mine = list(
        session.scalars(
            select(LinkAttempt.attempted_at)
            .where(LinkAttempt.chat_id == chat_id, LinkAttempt.attempted_at > since)
            .order_by(LinkAttempt.attempted_at.desc())
            .limit(CHAT_LIMIT)
        )
    )
    if len(mine) >= CHAT_LIMIT:
        # The chat may try again once the oldest of its last CHAT_LIMIT wrong codes ages out.
        minutes = _minutes(mine[-1] + WINDOW - now)
        raise TooManyAttempts(
            f"Bạn đã nhập sai mã liên kết {CHAT_LIMIT} lần. Vì an toàn, xin vui lòng đợi "
            f"khoảng {minutes} phút rồi thử lại. Nếu chưa có mã đúng, hãy nhờ quản trị "
            "cấp mã mới."
        )
    recent = list(
        session.scalars(
            select(LinkAttempt.attempted_at)
            .where(LinkAttempt.attempted_at > since)
            .order_by(LinkAttempt.attempted_at.desc())
            .limit(TOTAL_LIMIT)
        )
    )
    if len(recent) >= TOTAL_LIMIT:
        minutes = _minutes(recent[-1] + WINDOW - now)
        raise TooManyAttempts(
            "Hệ thống đang tạm ngừng nhận mã liên kết vì có quá nhiều mã sai được gửi tới. "
            f"Xin vui lòng thử lại sau khoảng {minutes} phút."
        )


def _minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def _record_wrong_code(session: Session, chat_id: int, now: datetime) -> None:
    """Count a wrong code; tell the admins when a chat, or everyone, reaches the limit."""
    session.execute(delete(LinkAttempt).where(LinkAttempt.attempted_at <= now - WINDOW))
    session.add(LinkAttempt(chat_id=chat_id, attempted_at=now))
    session.flush()
    since = now - WINDOW
    mine = session.scalar(
        select(func.count())
        .select_from(LinkAttempt)
        .where(LinkAttempt.chat_id == chat_id, LinkAttempt.attempted_at > since)
    )
    if mine == CHAT_LIMIT:
        text = (
            f"Cuộc trò chuyện Telegram {chat_id} đã gửi {CHAT_LIMIT} mã liên kết sai trong "
            f"{_minutes(WINDOW)} phút; bot tạm ngừng nhận mã từ cuộc trò chuyện này."
        )
        _alert_admins(session, now, f"link-guess:{chat_id}", text)
    total = session.scalar(
        select(func.count()).select_from(LinkAttempt).where(LinkAttempt.attempted_at > since)
    )
    if total == TOTAL_LIMIT:
        text = (
            f"Bot đã nhận {TOTAL_LIMIT} mã liên kết sai trong {_minutes(WINDOW)} phút; "
            "tạm ngừng nhận mã liên kết từ mọi cuộc trò chuyện."
        )
        _alert_admins(session, now, "link-guess:all", text)


def _alert_admins(session: Session, now: datetime, key: str, text: str) -> None:
    """A WARNING in the log and an alert to every active admin through the outbox: at most
    one alert a day for each ``key`` (the outbox ignores a key it holds already)."""
    log.warning("Nghi dò mã liên kết: %s", text)
    subject = "❗ Có người đang dò mã liên kết Telegram"
    body = "\n".join([subject, text, "Nếu không phải cán bộ của Ban, không cần làm gì thêm."])
    admins = session.scalars(
        select(Officer).where(Officer.role == "admin", Officer.active.is_(True))
    )
    rows = [
        outbox.new_row(
            f"alert:{key}:{now.date().isoformat()}:of:{admin.id}:{channel}",
            channel=channel,
            kind="alert",
            due_at=now,
            now=now,
            officer_id=admin.id,
            lead="alert:link-guess",
            payload={"subject": subject, "text": body},
        )
        for admin in admins
        for channel in usable_channels(admin)
    ]
    if rows:
        outbox.enqueue(session, rows)
