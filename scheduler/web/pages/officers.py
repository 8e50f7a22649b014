"""``/can-bo`` (admins): officers (add, edit, deactivate), Telegram linking of an officer or
of a unit's group chat, and a new feed address; the same service functions as
``lichct officers``, ``lichct link-code`` and ``lichct feed-reset``. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from scheduler import services
from scheduler.errors import InvalidInput, NotFound
from scheduler.feeds.tokens import active_token, feed_links, issue_token
from scheduler.services import audit, linking
from scheduler.store.models import CHANNELS, AuditEntry, Officer, Unit
from scheduler.web import telegram_link
from scheduler.web.framework import Page, nav, page

nav("Cán bộ", "/can-bo", role="admin", order=60)

ROLE_NAMES = {"officer": "Cán bộ", "head": "Trưởng đơn vị", "admin": "Quản trị"}
FLASH = {
    "added": "Đã thêm cán bộ.",
    "saved": "Đã lưu thay đổi.",
    "deactivated": "Đã ngừng hoạt động: cán bộ không còn nhận nhắc việc; địa chỉ lịch, "
    "mã liên kết và các phiên đăng nhập của người này đã bị thu hồi.",
    "reactivated": "Đã cho hoạt động lại. Địa chỉ lịch cũ không dùng lại được; "
    "hãy cấp địa chỉ mới nếu cần.",
}
HISTORY_LIMIT = 50


def _officer(p: Page) -> Officer:
    officer = p.db.get(Officer, p.request.path_params["id"])
    if officer is None:
        raise NotFound(f"Không có cán bộ mã {p.request.path_params['id']}")
    return officer


OFFICE_KINDS = ("board", "department")


def _units(p: Page) -> list[Unit]:
    """The board and its departments: where officers work, whose group chats get digests."""
    units = p.db.scalars(select(Unit).where(Unit.kind.in_(OFFICE_KINDS)))
    return sorted(units, key=lambda u: (OFFICE_KINDS.index(u.kind), u.name))


def _channels(p: Page) -> str:
    chosen = [c for c in CHANNELS if p.form.get(f"ch_{c}")]
    if not chosen:
        raise InvalidInput("Hãy chọn ít nhất một kênh nhận nhắc việc (Telegram hoặc email).")
    return ",".join(chosen)


def _describe(officer: Officer) -> dict[str, Any]:
    return {
        "email": officer.email or "",
        "unit": officer.unit.name if officer.unit else "",
        "role": officer.role,
        "channels": officer.channels,
        "active": officer.active,
    }


def _target(officer: Officer) -> str:
    return f"officer:{officer.id}"


def _render_list(p: Page, **extra: Any) -> Response:
    officers = list(
        p.db.scalars(
            select(Officer)
            .options(selectinload(Officer.unit))
            .order_by(Officer.active.desc(), Officer.name)
        )
    )
    return p.render(
        "officers.html",
        title="Cán bộ",
        officers=officers,
        units=_units(p),
        roles=ROLE_NAMES,
        flash=FLASH.get(p.query("ok")),
        **extra,
    )


@page("/can-bo", role="admin")
def officer_list(p: Page) -> Response:
    return _render_list(p)


@page("/can-bo/them", methods=("POST",), role="admin")
def officer_add(p: Page) -> Response:
    email = p.form.get("email", "").strip() or None
    officer = services.add_officer(
        p.db,
        p.form.get("name", ""),
        p.now,
        email=email,
        unit=p.form.get("unit") or None,
        role=p.form.get("role", "officer"),
        channels=_channels(p),
    )
    audit.record(
        p.db,
        p.me,
        "officer.add",
        f"Thêm cán bộ {officer.name}",
        p.now,
        target=_target(officer),
        details=_describe(officer),
    )
    return p.redirect(f"/can-bo/{officer.id}?ok=added")


def _render_officer(p: Page, officer: Officer, **extra: Any) -> Response:
    history = list(
        p.db.scalars(
            select(AuditEntry)
            .options(selectinload(AuditEntry.officer))
            .where(AuditEntry.target == _target(officer))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    return p.render(
        "officer.html",
        title=officer.name,
        o=officer,
        units=_units(p),
        roles=ROLE_NAMES,
        channels=CHANNELS,
        has_feed=active_token(p.db, officer) is not None,
        history=history,
        flash=FLASH.get(p.query("ok")),
        **extra,
    )


@page("/can-bo/{id:int}", role="admin")
def officer_detail(p: Page) -> Response:
    return _render_officer(p, _officer(p))


@page("/can-bo/{id:int}/sua", methods=("POST",), role="admin")
def officer_edit(p: Page) -> Response:
    officer = _officer(p)
    if officer.id == p.me.id and p.form.get("role", officer.role) != officer.role:
        raise InvalidInput(
            "Bạn không thể tự đổi vai trò của mình (để không ai tự khóa mình khỏi trang quản trị)."
        )
    before = _describe(officer)
    services.update_officer(
        p.db,
        officer,
        email=p.form.get("email", ""),
        unit=p.form.get("unit") or None,
        role=p.form.get("role") or None,
        channels=_channels(p),
        now=p.now,
    )
    p.db.refresh(officer)
    after = _describe(officer)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            p.db,
            p.me,
            "officer.update",
            f"Sửa thông tin {officer.name}: " + ", ".join(_FIELD_NAMES[k] for k in changed),
            p.now,
            target=_target(officer),
            details=changed,
        )
    return p.redirect(f"/can-bo/{officer.id}?ok=saved")


_FIELD_NAMES = {
    "email": "email",
    "unit": "đơn vị",
    "role": "vai trò",
    "channels": "kênh nhận nhắc",
    "active": "trạng thái",
}


@page("/can-bo/{id:int}/ngung", methods=("POST",), role="admin")
def officer_deactivate(p: Page) -> Response:
    officer = _officer(p)
    if officer.id == p.me.id:
        raise InvalidInput("Bạn không thể tự ngừng hoạt động tài khoản của mình.")
    services.update_officer(p.db, officer, active=False, now=p.now)
    audit.record(
        p.db,
        p.me,
        "officer.deactivate",
        f"Ngừng hoạt động {officer.name} (thu hồi địa chỉ lịch, mã liên kết, phiên đăng nhập)",
        p.now,
        target=_target(officer),
    )
    return p.redirect(f"/can-bo/{officer.id}?ok=deactivated")


@page("/can-bo/{id:int}/kich-hoat", methods=("POST",), role="admin")
def officer_reactivate(p: Page) -> Response:
    officer = _officer(p)
    services.update_officer(p.db, officer, active=True, now=p.now)
    audit.record(
        p.db,
        p.me,
        "officer.reactivate",
        f"Cho {officer.name} hoạt động lại",
        p.now,
        target=_target(officer),
    )
    return p.redirect(f"/can-bo/{officer.id}?ok=reactivated")


def _link(p: Page, code: str, *, group: bool) -> dict[str, Any]:
    """What the page shows for a fresh code: a deep link and its QR code, or the command."""
    username = telegram_link.bot_username(p.ctx.settings)
    expires = p.now + linking.CODE_TTL
    shown: dict[str, Any] = {"code": code, "expires": expires, "group": group, "bot": username}
    if username:
        url = telegram_link.deep_link(username, code, group=group)
        shown.update(url=url, qr=telegram_link.qr_svg(url))
    return shown


@page("/can-bo/{id:int}/telegram", methods=("POST",), role="admin")
def officer_link_code(p: Page) -> Response:
    # The code is shown on this response only: the store keeps just its keyed hash.
    officer = _officer(p)
    if not officer.active:
        raise InvalidInput(f"{officer.name} đã ngừng hoạt động: hãy cho hoạt động lại trước.")
    code = linking.issue_link_code(p.db, p.now, officer=officer, secret=p.ctx.settings.secret_key)
    audit.record(
        p.db,
        p.me,
        "officer.link_code",
        f"Cấp mã liên kết Telegram cho {officer.name}",
        p.now,
        target=_target(officer),
    )
    return _render_officer(p, officer, link=_link(p, code, group=False))


@page("/can-bo/{id:int}/lich-moi", methods=("POST",), role="admin")
def officer_feed_reset(p: Page) -> Response:
    # The new address is shown on this response only: the store keeps just its hash.
    officer = _officer(p)
    if not officer.active:
        raise InvalidInput(f"{officer.name} đã ngừng hoạt động: hãy cho hoạt động lại trước.")
    token = issue_token(p.db, officer, p.now)
    audit.record(
        p.db,
        p.me,
        "officer.feed_reset",
        f"Cấp địa chỉ lịch mới cho {officer.name} (địa chỉ cũ ngừng hoạt động)",
        p.now,
        target=_target(officer),
    )
    return _render_officer(p, officer, feed=feed_links(p.ctx.settings.public_url, token))


@page("/can-bo/don-vi/{id:int}/telegram", methods=("POST",), role="admin")
def unit_link_code(p: Page) -> Response:
    unit = p.db.get(Unit, p.request.path_params["id"])
    if unit is None or unit.kind not in OFFICE_KINDS:
        raise NotFound(f"Không có đơn vị mã {p.request.path_params['id']}")
    code = linking.issue_link_code(p.db, p.now, unit=unit, secret=p.ctx.settings.secret_key)
    audit.record(
        p.db,
        p.me,
        "unit.link_code",
        f"Cấp mã liên kết nhóm Telegram cho {unit.name}",
        p.now,
        target=f"unit:{unit.id}",
    )
    return _render_list(p, unit_link=_link(p, code, group=True), linked_unit=unit)
