"""``/nhac-viec`` (admins; heads for their unit's rows): the reminder outbox with filters,
the error of a failed reminder and "Gửi lại", and a head's "Nhắc ngay" for an item
(``lichct remind``). Every change is audited (on the item's history when it has one).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from scheduler import services
from scheduler.errors import InvalidInput, NotFound, PermissionDenied
from scheduler.reminders import outbox
from scheduler.services import audit
from scheduler.services.visibility import sees_everything
from scheduler.store.models import CHANNELS, Officer, Reminder
from scheduler.web.framework import Page, nav, page

nav("Nhắc việc", "/nhac-viec", role="head", order=70)

LIST_LIMIT = 300
STATES = {
    "pending": "Chờ gửi",
    "sending": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Gửi lỗi",
    "cancelled": "Đã hủy",
}
KINDS = {
    "lead": "nhắc trước hạn",
    "due": "đến hạn",
    "overdue": "quá hạn",
    "escalation": "báo trưởng đơn vị",
    "nudge": "nhắc ngay",
    "snooze": "nhắc lại",
    "digest": "bản tin",
    "summary": "tổng hợp",
    "alert": "cảnh báo",
    "inbound": "báo cáo cơ sở",
    "visit": "đi cơ sở",
}
FILTERS = ("trang_thai", "kenh", "can_bo", "tu", "den")


def _scope(p: Page) -> ColumnElement[bool] | None:
    """The rows a viewer may see: all for an admin, their unit's for a head."""
    if sees_everything(p.me):
        return None
    if p.me.unit_id is None:
        return Reminder.id < 0  # a head of no unit is the board's head: handled above
    unit_officers = select(Officer.id).where(Officer.unit_id == p.me.unit_id)
    return or_(Reminder.officer_id.in_(unit_officers), Reminder.unit_id == p.me.unit_id)


def _day(value: str, what: str) -> date | None:
    return services.parse_date(value, what) if value else None


def _local_start(p: Page, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=p.ctx.tz)


def _filters(
    p: Page,
) -> tuple[dict[str, Any], list[ColumnElement[bool]], ColumnElement[bool] | None]:
    """The filters as shown, the conditions besides the state, and the state's condition."""
    f: dict[str, Any] = {name: p.query(name) for name in FILTERS}
    where: list[ColumnElement[bool]] = []
    state = None
    if f["trang_thai"] in STATES:
        state = Reminder.state == f["trang_thai"]
    else:
        f["trang_thai"] = ""
    if f["kenh"] in CHANNELS:
        where.append(Reminder.channel == f["kenh"])
    else:
        f["kenh"] = ""
    if f["can_bo"].isdigit():
        where.append(Reminder.officer_id == int(f["can_bo"]))
        f["can_bo"] = int(f["can_bo"])
    else:
        f["can_bo"] = ""
    start, end = _day(f["tu"], "từ ngày"), _day(f["den"], "đến ngày")
    if start is not None:
        where.append(Reminder.due_at >= _local_start(p, start))
    if end is not None:
        where.append(Reminder.due_at < _local_start(p, end + timedelta(days=1)))
    scope = _scope(p)
    if scope is not None:
        where.append(scope)
    return f, where, state


def _render(p: Page, *, flash: str | None = None, error: str | None = None) -> Response:
    f, where, state = _filters(p)
    listed = [*where, state] if state is not None else where
    pending_first = f["trang_thai"] in ("pending", "sending")
    order = (
        (Reminder.due_at, Reminder.id) if pending_first else (Reminder.due_at.desc(), Reminder.id)
    )
    rows = list(
        p.db.scalars(
            select(Reminder)
            .options(selectinload(Reminder.officer), selectinload(Reminder.event))
            .where(*listed)
            .order_by(*order)
            .limit(LIST_LIMIT)
        )
    )
    total = p.db.scalar(select(func.count(Reminder.id)).where(*listed)) or 0
    counts = dict(
        p.db.execute(
            select(Reminder.state, func.count(Reminder.id)).where(*where).group_by(Reminder.state)
        ).all()
    )
    officers = select(Officer).order_by(Officer.name)
    if not sees_everything(p.me):
        officers = officers.where(Officer.unit_id == p.me.unit_id)
    return p.render(
        "outbox.html",
        status=400 if error else 200,
        title="Nhắc việc",
        rows=rows,
        total=total,
        counts=counts,
        f=f,
        states=STATES,
        kinds=KINDS,
        channels=CHANNELS,
        officers=list(p.db.scalars(officers)),
        back=_back(f),
        query_without_state=urlencode(
            {k: v for k, v in f.items() if v != "" and k != "trang_thai"}
        ),
        flash=flash,
        error=error,
    )


def _back(f: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in f.items() if v != ""})
    return "/nhac-viec" + (f"?{query}" if query else "")


def _return_to(p: Page, ok: str) -> Response:
    back = p.form.get("back", "")
    if not back.startswith("/nhac-viec"):
        back = "/nhac-viec"
    return p.redirect(back + ("&" if "?" in back else "?") + ok)


FLASH = {"retried": "Đã đặt lại lời nhắc: hệ thống gửi lại ngay trong vài giây."}


@page("/nhac-viec", role="head")
def outbox_page(p: Page) -> Response:
    flash = FLASH.get(p.query("ok"))
    if p.query("ok") == "reminded" and p.query("viec").isdigit():
        flash = f"Đã xếp lời nhắc cho việc #{p.query('viec')}; hệ thống gửi ngay trong vài giây."
    return _render(p, flash=flash)


def _row_in_scope(p: Page, rid: int) -> Reminder:
    row = p.db.get(Reminder, rid)
    if row is None:
        raise NotFound(f"Không có lời nhắc mã {rid}")
    scope = _scope(p)
    if scope is not None and not p.db.scalar(
        select(func.count(Reminder.id)).where(Reminder.id == rid, scope)
    ):
        raise PermissionDenied("Lời nhắc này không thuộc đơn vị của bạn.")
    return row


@page("/nhac-viec/{id:int}/gui-lai", methods=("POST",), role="head")
def outbox_retry(p: Page) -> Response:
    rid = int(p.request.path_params["id"])
    row = _row_in_scope(p, rid)
    error = row.last_error or ""
    outbox.retry(p.db, rid, p.now)
    who = row.officer.name if row.officer else "nhóm đơn vị"
    audit.record(
        p.db,
        p.me,
        "reminder.retry",
        f"Gửi lại lời nhắc #{rid} ({row.channel}) cho {who}",
        p.now,
        event_id=row.event_id,
        target=f"reminder:{rid}",
        details={"previous_error": error[:500]},
    )
    return _return_to(p, "ok=retried")


@page("/nhac-viec/nhac-ngay", methods=("POST",), role="head")
def outbox_remind_now(p: Page) -> Response:
    ref = p.form.get("item", "").strip().lstrip("#")
    if not ref:
        raise InvalidInput("Hãy ghi mã việc cần nhắc (số sau dấu #).")
    event = services.get_event(p.db, ref)
    if not p.visibility.manages(event):
        raise PermissionDenied(
            f"Việc #{event.id} không thuộc đơn vị của bạn: chỉ trưởng đơn vị phụ trách "
            "hoặc quản trị mới nhắc được."
        )
    rows = outbox.remind_now(p.db, event.id, p.now)
    names = sorted({r.officer.name for r in rows if r.officer is not None})
    audit.record(
        p.db,
        p.me,
        "event.remind_now",
        f"Nhắc ngay việc #{event.id} cho {', '.join(names)}",
        p.now,
        event_id=event.id,
        target=f"event:{event.id}",
        details={"reminders": [r.id for r in rows]},
    )
    return _return_to(p, f"ok=reminded&viec={event.id}")
