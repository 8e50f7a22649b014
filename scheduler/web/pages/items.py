"""``/viec`` the list with filters and search; ``/viec/{id}`` one item, its history and the
actions the viewer may take (the same service functions as ``lichct`` and the bot)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from calendars.kinds import EVENT_KINDS
from scheduler import services
from scheduler.errors import PermissionDenied
from scheduler.reminders import outbox
from scheduler.services.item_list import ItemFilter, find_items
from scheduler.services.visibility import is_observance
from scheduler.store.models import Event, Officer, Reminder, Unit
from scheduler.web.framework import Page, nav, page
from scheduler.web.pages.calendar import parse_month

nav("Công việc", "/viec", order=30)

STATUSES = {"planned": "Chưa xong", "done": "Đã xong", "overdue": "Quá hạn"}
FLASH = {
    "done": "✅ Đã ghi nhận hoàn thành.",
    "already": "Việc này đã được xác nhận hoàn thành từ trước.",
    "undone": "Đã hủy xác nhận hoàn thành.",
    "assigned": "Đã giao việc.",
    "reminded": "Đã xếp lời nhắc; hệ thống gửi ngay trong vài giây.",
}


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@page("/viec")
def item_list(p: Page) -> Response:
    month = p.query("thang")
    section, kind, status, text = (
        p.query("phan"),
        p.query("loai"),
        p.query("trang_thai"),
        p.query("q"),
    )
    unit_id, officer_id = _int(p.query("don_vi")), _int(p.query("can_bo"))
    start = end = None
    if month:
        year, m = parse_month(month, p.today)
        from scheduler.services.progress import month_bounds

        start, end = month_bounds(year, m)
    wanted = ItemFilter(start, end, section, kind, status, text, unit_id, officer_id)
    found = find_items(p.db, p.visibility, wanted, p.today, _int(p.query("trang")) or 1)
    return p.render(
        "items.html",
        title="Công việc",
        items=found.items,
        found=found,
        page_link=lambda n: "/viec?" + urlencode({**p.request.query_params, "trang": n}),
        total=found.total,
        overdue={e.id for e in found.items if e.overdue(p.today)},
        f={
            "thang": month,
            "phan": section,
            "loai": kind,
            "trang_thai": status,
            "q": text,
            "don_vi": unit_id,
            "can_bo": officer_id,
        },
        kinds=EVENT_KINDS,
        statuses=STATUSES,
        units=list(p.db.scalars(select(Unit).where(Unit.kind == "department").order_by(Unit.name))),
        officers=list(
            p.db.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.name))
        ),
    )


def _visible_event(p: Page) -> Event:
    event = services.get_event(p.db, p.request.path_params["id"])
    if not p.visibility.sees(event):
        raise PermissionDenied(f"Việc #{event.id} không thuộc phạm vi của bạn.")
    return event


@page("/viec/{id:int}", item_scope=True)
def item_detail(p: Page) -> Response:
    event = _visible_event(p)
    reminders = list(
        p.db.scalars(
            select(Reminder)
            .options(selectinload(Reminder.officer))
            .where(Reminder.event_id == event.id, Reminder.state == "sent")
            .order_by(Reminder.sent_at)
        )
    )
    recipients = services.event_recipients(p.db, event)
    manages = not p.item_only and p.visibility.manages(event)
    confirmer = {c.id: c.officer.name if c.officer else "" for c in event.completions}
    withdrawer = {
        o.id: o.name
        for o in p.db.scalars(
            select(Officer).where(
                Officer.id.in_([c.withdrawn_by_id for c in event.completions if c.withdrawn_by_id])
            )
        )
    }
    due = event.due_date or event.end_date
    return p.render(
        "item.html",
        title=f"#{event.id} {event.title}",
        e=event,
        due=due,
        observance=is_observance(event),
        overdue=services.is_overdue(event, p.today),
        recipients=recipients,
        reminders=reminders,
        confirmer=confirmer,
        withdrawer=withdrawer,
        can_confirm=not is_observance(event) and services.can_confirm(p.db, event, p.me),
        manages=manages,
        officers=list(
            p.db.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.name))
        )
        if manages
        else [],
        flash=FLASH.get(p.query("ok")),
        is_date=lambda v: isinstance(v, date),
    )


@page("/viec/{id:int}/xong", methods=("POST",), item_scope=True)
def item_done(p: Page) -> Response:
    event = _visible_event(p)
    result = services.mark_done(
        p.db, event.id, p.now, actor=p.me, note=p.form.get("note"), channel="http"
    )
    return p.redirect(f"/viec/{event.id}?ok={'already' if result.already else 'done'}")


@page("/viec/{id:int}/hoan-tac", methods=("POST",), item_scope=True)
def item_undo(p: Page) -> Response:
    event = _visible_event(p)
    services.undo_done(p.db, event.id, p.now, actor=p.me)
    return p.redirect(f"/viec/{event.id}?ok=undone")


def _managed_event(p: Page) -> Event:
    event = _visible_event(p)
    if not p.visibility.manages(event):
        raise PermissionDenied("Chỉ trưởng đơn vị phụ trách hoặc quản trị mới làm được việc này.")
    return event


@page("/viec/{id:int}/giao", methods=("POST",), role="head")
def item_assign(p: Page) -> Response:
    event = _managed_event(p)
    officer = services.resolve_officer(p.db, p.form.get("officer", ""))
    services.assign(p.db, event, p.now, officer=officer)
    return p.redirect(f"/viec/{event.id}?ok=assigned")


@page("/viec/{id:int}/nhac", methods=("POST",), role="head")
def item_remind(p: Page) -> Response:
    event = _managed_event(p)
    outbox.remind_now(p.db, event.id, p.now)
    return p.redirect(f"/viec/{event.id}?ok=reminded")
