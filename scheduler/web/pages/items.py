"""``/viec`` the list with filters and search; ``/viec/{id}`` one item, its history and the
actions the viewer may take (the same service functions as ``lichct`` and the bot)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from calendars.kinds import EVENT_KINDS
from scheduler import services
from scheduler.errors import NotFound, PermissionDenied
from scheduler.reminders import outbox
from scheduler.services import audit, bulk_assign
from scheduler.services.item_list import ItemFilter, find_items
from scheduler.services.visibility import is_observance
from scheduler.store.models import Assignment, Event, Officer, Plan, Reminder, Unit
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

# Audit actions the history already shows from their own records (completions).
SHOWN_ELSEWHERE = ("event.done", "event.undo")


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


FILTER_KEYS = (
    "thang",
    "phan",
    "loai",
    "trang_thai",
    "q",
    "don_vi",
    "can_bo",
    "ke_hoach",
    "chua_giao",
)


def _filters(values: Mapping[str, str]) -> dict[str, Any]:
    """The list's filters from a query string or the bulk form's hidden copies of it."""
    f: dict[str, Any] = {key: (values.get(key) or "").strip() for key in FILTER_KEYS}
    for key in ("don_vi", "can_bo", "ke_hoach"):
        f[key] = _int(f[key])
    f["chua_giao"] = f["chua_giao"] == "1"
    return f


def _item_filter(p: Page, f: Mapping[str, Any]) -> ItemFilter:
    start = end = None
    if f["thang"]:
        year, m = parse_month(f["thang"], p.today)
        from scheduler.services.progress import month_bounds

        start, end = month_bounds(year, m)
    return ItemFilter(
        start,
        end,
        f["phan"],
        f["loai"],
        f["trang_thai"],
        f["q"],
        f["don_vi"],
        f["can_bo"],
        plan_id=f["ke_hoach"],
        unassigned=f["chua_giao"],
    )


def _events(p: Page, ids: list[int]) -> list[Event]:
    """The items ``ids`` as full records with their assignees, in the order given."""
    if not ids:
        return []
    rows = p.db.scalars(
        select(Event)
        .where(Event.id.in_(ids))
        .options(
            selectinload(Event.assignments).selectinload(Assignment.officer),
            selectinload(Event.assignments).selectinload(Assignment.unit),
        )
    )
    by_id = {e.id: e for e in rows}
    return [by_id[i] for i in ids if i in by_id]


def _filtered(p: Page, f: Mapping[str, Any]) -> list[Event]:
    """Every item the viewer sees that matches the filters ``f``, by deadline."""
    found = find_items(p.db, p.visibility, _item_filter(p, f), p.today, page_size=0)
    return _events(p, [e.id for e in found.items])


def _targets(p: Page) -> tuple[list[Officer], list[Unit]]:
    """Whom the viewer may give items to: everyone (admin) or their own unit (head)."""
    officers = select(Officer).where(Officer.active.is_(True)).order_by(Officer.name)
    units = select(Unit).where(Unit.kind == "department").order_by(Unit.name)
    if not p.visibility.everything:
        if p.me.role != "head" or p.me.unit_id is None:
            return [], []
        officers = officers.where(Officer.unit_id == p.me.unit_id)
        units = select(Unit).where(Unit.id == p.me.unit_id)
    return list(p.db.scalars(officers)), list(p.db.scalars(units))


@page("/viec")
def item_list(p: Page) -> Response:
    f = _filters(p.request.query_params)
    found = find_items(p.db, p.visibility, _item_filter(p, f), p.today, _int(p.query("trang")) or 1)
    shown = _events(p, [e.id for e in found.items])
    bulk_officers, bulk_units = _targets(p)
    flash = FLASH.get(p.query("ok"))
    if p.query("ok") == "giao-nhieu":
        flash = f"✅ Đã giao {p.query('n') or 0} việc."
    return p.render(
        "items.html",
        title="Công việc",
        items=shown,
        found=found,
        page_link=lambda n: "/viec?" + urlencode({**p.request.query_params, "trang": n}),
        total=found.total,
        overdue={e.id for e in found.items if e.overdue(p.today)},
        f=f,
        hidden={k: v for k, v in p.request.query_params.items() if k in FILTER_KEYS and v},
        kinds=EVENT_KINDS,
        statuses=STATUSES,
        units=list(p.db.scalars(select(Unit).where(Unit.kind == "department").order_by(Unit.name))),
        officers=list(
            p.db.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.name))
        ),
        plans=list(p.db.scalars(select(Plan).order_by(Plan.year.desc()))),
        manageable={e.id for e in shown if not is_observance(e) and p.visibility.manages(e)}
        if bulk_officers or bulk_units
        else set(),
        bulk_officers=bulk_officers,
        bulk_units=bulk_units,
        flash=flash,
    )


@page("/viec/giao-nhieu", methods=("POST",), role="head")
def item_bulk_assign(p: Page) -> Response:
    """Give the ticked items, or every item of the current filter, to officers or a unit."""
    f = _filters(p.form)
    if p.form.get("tat_ca") == "1":
        events = [e for e in _filtered(p, f) if not is_observance(e)]
    else:
        wanted = {int(v) for v in p.lists.get("viec", []) if v.isdigit()}
        events = [services.get_event(p.db, event_id) for event_id in sorted(wanted)]
    officers = [
        services.resolve_officer(p.db, v) for v in dict.fromkeys(p.lists.get("can_bo_giao", []))
    ]
    unit_ref = p.form.get("don_vi_giao", "")
    unit = p.db.get(Unit, int(unit_ref)) if unit_ref.isdigit() else None
    if unit_ref and unit is None:
        raise NotFound("Không có đơn vị này.")
    given = bulk_assign.assign_many(p.db, p.me, events, p.now, officers=officers, unit=unit)
    query = {k: v for k, v in p.form.items() if k in FILTER_KEYS and v}
    return p.redirect("/viec?" + urlencode({**query, "ok": "giao-nhieu", "n": given}))


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
        officers=_targets(p)[0] if manages else [],
        flash=FLASH.get(p.query("ok")),
        changes=[e for e in audit.for_event(p.db, event.id) if e.action not in SHOWN_ELSEWHERE],
        is_date=lambda v: isinstance(v, date),
    )


@page("/viec/{id:int}/xong", methods=("POST",), item_scope=True)
def item_done(p: Page) -> Response:
    event = _visible_event(p)
    result = services.mark_done(
        p.db, event.id, p.now, actor=p.me, note=p.form.get("note"), channel="http"
    )
    if not result.already:
        audit.record(p.db, p.me, "event.done", "xác nhận hoàn thành", p.now, event_id=event.id)
    return p.redirect(f"/viec/{event.id}?ok={'already' if result.already else 'done'}")


@page("/viec/{id:int}/hoan-tac", methods=("POST",), item_scope=True)
def item_undo(p: Page) -> Response:
    event = _visible_event(p)
    services.undo_done(p.db, event.id, p.now, actor=p.me)
    audit.record(p.db, p.me, "event.undo", "hủy xác nhận hoàn thành", p.now, event_id=event.id)
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
    bulk_assign.assign_many(p.db, p.me, [event], p.now, officers=[officer])
    return p.redirect(f"/viec/{event.id}?ok=assigned")


@page("/viec/{id:int}/nhac", methods=("POST",), role="head")
def item_remind(p: Page) -> Response:
    event = _managed_event(p)
    outbox.remind_now(p.db, event.id, p.now)
    audit.record(p.db, p.me, "event.remind", "gửi “Nhắc ngay”", p.now, event_id=event.id)
    return p.redirect(f"/viec/{event.id}?ok=reminded")
