"""The bodies that owe the board reports: add, change, remove, find by a loosely typed name."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from datetime import datetime
from importlib.resources import files
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calendars.periods import PERIOD_KINDS
from calendars.text import fold, nfc
from scheduler import inputs
from scheduler.errors import InvalidInput, NotFound
from scheduler.store.models import BODY_KINDS, InboundReport, ReportingBody, ServiceState

KIND_LABELS = {
    "mttq": "Mặt trận Tổ quốc",
    "ctxh": "Tổ chức chính trị - xã hội",
    "hoi": "Hội quần chúng",
    "bdv-huyen": "Ban Dân vận huyện, thị, thành ủy",
    "dang-uy": "Đảng ủy trực thuộc",
}
SEEDED_KEY = "bodies.seeded"
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_MATCH_SCORE = 85


def _clean_name(name: str, what: str = "Tên đơn vị") -> str:
    """The name as stored: control and bidi characters removed (as every typed text), one
    space between words, at most 255 characters."""
    text = " ".join(inputs.clean_input(nfc(name), what.lower(), 255).split())
    if not text:
        raise InvalidInput(f"{what} không được để trống")
    return text


def _kind(kind: str) -> str:
    value = kind.strip().lower()
    if value not in BODY_KINDS:
        raise InvalidInput(f"Loại đơn vị không hợp lệ: {kind!r} (chọn {', '.join(BODY_KINDS)})")
    return value


def _emails(emails: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in emails:
        for part in re.split(r"[,;\s]+", raw.strip()):
            if not part:
                continue
            if not _EMAIL.match(part) or len(part) > 320:
                raise InvalidInput(f"Địa chỉ email không hợp lệ: {part!r}")
            if part.lower() not in (e.lower() for e in cleaned):
                cleaned.append(part)
    return cleaned


def _owes(owes: Sequence[str]) -> list[str]:
    values = [k.strip() for item in owes for k in item.split(",") if k.strip()]
    wrong = [k for k in values if k not in PERIOD_KINDS]
    if wrong or not values:
        raise InvalidInput(
            f"Kỳ báo cáo không hợp lệ: {', '.join(wrong) or '(trống)'} "
            "(chọn month, quarter, half, year)"
        )
    return [k for k in PERIOD_KINDS if k in values]


def add_body(
    session: Session,
    name: str,
    now: datetime,
    *,
    short_name: str | None = None,
    kind: str = "hoi",
    emails: Sequence[str] = (),
    owes: Sequence[str] = ("month",),
) -> ReportingBody:
    clean = _clean_name(name)
    if session.scalar(select(ReportingBody).where(ReportingBody.search_name == fold(clean))):
        raise InvalidInput(f"Đã có đơn vị {clean!r} trong danh sách")
    body = ReportingBody(
        name=clean,
        short_name=_clean_name(short_name, "Tên viết tắt")[:64] if short_name else "",
        search_name=fold(clean),
        kind=_kind(kind),
        emails=_emails(emails),
        owes=_owes(owes),
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(body)
    session.flush()
    return body


def set_body(
    session: Session,
    body: ReportingBody,
    now: datetime,
    *,
    name: str | None = None,
    short_name: str | None = None,
    kind: str | None = None,
    emails: Sequence[str] | None = None,
    owes: Sequence[str] | None = None,
    active: bool | None = None,
) -> ReportingBody:
    if name is not None:
        clean = _clean_name(name)
        other = session.scalar(
            select(ReportingBody).where(ReportingBody.search_name == fold(clean))
        )
        if other is not None and other.id != body.id:
            raise InvalidInput(f"Đã có đơn vị {clean!r} trong danh sách")
        body.name, body.search_name = clean, fold(clean)
    if short_name is not None:
        body.short_name = _clean_name(short_name, "Tên viết tắt")[:64]
    if kind is not None:
        body.kind = _kind(kind)
    if emails is not None:
        body.emails = _emails(emails)
    if owes is not None:
        body.owes = _owes(owes)
    if active is not None:
        body.active = active
    body.updated_at = now
    session.flush()
    return body


def remove_body(session: Session, body: ReportingBody, now: datetime) -> str:
    """Delete a body; one with reports on record is only deactivated, to keep the history."""
    kept = session.scalar(
        select(func.count()).select_from(InboundReport).where(InboundReport.body_id == body.id)
    )
    if kept:
        body.active = False
        body.updated_at = now
        return f"Đã ngừng theo dõi {body.name} (giữ {kept} báo cáo đã nhận)."
    session.delete(body)
    session.flush()
    return f"Đã xóa {body.name}."


def list_bodies(session: Session, include_inactive: bool = False) -> list[ReportingBody]:
    query = select(ReportingBody)
    if not include_inactive:
        query = query.where(ReportingBody.active.is_(True))
    order = {k: i for i, k in enumerate(BODY_KINDS)}
    return sorted(session.scalars(query), key=lambda b: (order.get(b.kind, 99), b.search_name))


def body_to_dict(body: ReportingBody) -> dict[str, Any]:
    """The JSON contract of ``lichct bodies list``."""
    return {
        "name": body.name,
        "short_name": body.short_name,
        "kind": body.kind,
        "emails": list(body.emails or []),
        "telegram_linked": body.telegram_chat_id is not None,
    }


def resolve_body(session: Session, ref: str) -> ReportingBody:
    """A body by id, by name or short name (diacritics optional), or by a close name."""
    text = " ".join(nfc(ref).split())
    if not text:
        raise InvalidInput("Cần tên đơn vị")
    if text.isdigit() and len(text) < 10:
        body = session.get(ReportingBody, int(text))
        if body is not None:
            return body
    bodies = list(session.scalars(select(ReportingBody)))
    wanted = fold(text)
    exact = [b for b in bodies if wanted in (b.search_name, fold(b.short_name or ""))]
    if len(exact) == 1:
        return exact[0]
    choices = {b.id: b.search_name for b in bodies}
    choices.update({-b.id: fold(b.short_name) for b in bodies if b.short_name})
    from rapidfuzz import fuzz, process

    ranked = process.extract(wanted, choices, scorer=fuzz.token_set_ratio, limit=5)
    good: dict[int, float] = {}
    for _, score, key in ranked:
        if score >= _MATCH_SCORE:
            good[abs(key)] = max(score, good.get(abs(key), 0))
    if good:
        best = max(good.values())
        top = [i for i, s in good.items() if s >= best - 3]
        if len(top) == 1:
            found = session.get(ReportingBody, top[0])
            assert found is not None
            return found
        names = "; ".join(b.name for b in bodies if b.id in top)
        raise InvalidInput(f"{text!r} giống nhiều đơn vị: {names}. Ghi rõ hơn.")
    raise NotFound(
        f"Không tìm thấy đơn vị {text!r} trong danh sách đơn vị báo cáo (xem: lichct bodies list)"
    )


def load_bundled_bodies(session: Session, now: datetime) -> int:
    """Load the bundled list once, into a store that never had one; returns bodies added."""
    if session.get(ServiceState, SEEDED_KEY) is not None:
        return 0
    session.add(ServiceState(key=SEEDED_KEY, value=now.isoformat(), updated_at=now))
    if session.scalar(select(func.count()).select_from(ReportingBody)):
        return 0
    document = tomllib.loads(
        files("lichct_data").joinpath("reporting_bodies.toml").read_text("utf-8")
    )
    added = 0
    for entry in document.get("bodies", []):
        add_body(
            session,
            str(entry["name"]),
            now,
            short_name=entry.get("short_name"),
            kind=str(entry.get("kind", "hoi")),
            emails=list(entry.get("emails", [])),
            owes=list(entry.get("owes", ["month"])),
        )
        added += 1
    return added
