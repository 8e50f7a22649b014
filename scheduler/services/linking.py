"""One-time codes that link a Telegram chat to an officer, or a group chat to a unit.

``lichct link-code`` issues a code; the person sends ``/start CODE`` to the bot. A code is
single use, expires after 24 hours and is stored only as its SHA-256. A private chat
links an officer; a group chat links a unit, whose digests then go to that group.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from scheduler.errors import InvalidInput, NotFound
from scheduler.store.models import LinkCode, Officer, Unit

CODE_TTL = timedelta(hours=24)
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


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


def issue_link_code(
    session: Session, now: datetime, officer: Officer | None = None, unit: Unit | None = None
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
            code_hash=hash_code(code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
    )
    session.flush()
    return code


def redeem_link_code(
    session: Session, code: str, chat_id: int, chat_type: str, now: datetime
) -> Officer | Unit:
    """Use ``code`` from ``chat_id``: link the officer (private chat) or the unit (group).

    Any unknown, used or expired code gets the same answer, so guessing learns nothing.
    A chat that was linked to someone else is moved to the new owner.
    """
    if not normalize_code(code):
        raise InvalidInput(_BAD_CODE)
    row = session.scalar(select(LinkCode).where(LinkCode.code_hash == hash_code(code)))
    if row is None or row.used_at is not None or row.expires_at <= now:
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
