"""``/dia-ban`` (everyone signed in): each officer's communes and wards, the year's coverage
with the communes not yet reached, and logging a day at the grassroots.

Admins, and heads for the officers of their unit, assign and remove areas (the same fuzzy
matching as ``lichct areas assign``); an officer logs their own visits, an editor logs
for the officers they edit (``lichct visits add``). Every change is audited.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from scheduler import services
from scheduler.errors import InvalidInput, LichctError, NotFound, PermissionDenied
from scheduler.fieldwork.areas import (
    area_assignments,
    area_units,
    assign_area,
    expand_unit,
    no_area_message,
    unassign_area,
)
from scheduler.fieldwork.coverage_report import coverage, officers_without_area, reference_month
from scheduler.fieldwork.loading import ensure_units
from scheduler.fieldwork.matching import resolve_unit
from scheduler.fieldwork.names import unit_label
from scheduler.fieldwork.units import AREA_KINDS, province_setting
from scheduler.fieldwork.visits import in_area, list_visits, log_visit
from scheduler.services import audit
from scheduler.services.visibility import sees_everything
from scheduler.store.models import Officer, Unit, Visit
from scheduler.web.framework import Page, nav, page

nav("Địa bàn", "/dia-ban", order=50)

RECENT_VISITS = 30
_SPLIT = re.compile(r"[;\n]+")


def _year(p: Page, value: str) -> int:
    if not value:
        return p.today.year
    if not value.isdigit() or not 1900 <= int(value) <= 2200:
        raise InvalidInput(f"Năm không hợp lệ: {value[:10]!r}")
    return int(value)


def may_edit(viewer: Officer, officer: Officer) -> bool:
    """Admins (and the board's head) edit everyone's area; a head edits their unit's."""
    if sees_everything(viewer):
        return True
    return (
        viewer.role == "head" and viewer.unit_id is not None and viewer.unit_id == officer.unit_id
    )


def _may_log_for(viewer: Officer, officer: Officer) -> bool:
    return viewer.id == officer.id or may_edit(viewer, officer)


def _active_officers(p: Page) -> list[Officer]:
    return list(
        p.db.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.name))
    )


def _officer(p: Page, ref: str) -> Officer:
    if not ref.isdigit():
        raise InvalidInput("Hãy chọn cán bộ.")
    officer = p.db.get(Officer, int(ref))
    if officer is None or not officer.active:
        raise NotFound(f"Không có cán bộ mã {ref}")
    return officer


def _render(
    p: Page,
    year: int,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    flash: str | None = None,
) -> Response:
    officers = _active_officers(p)
    by_id = {o.id: o for o in officers}
    areas: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for assignment in area_assignments(p.db):
        officer = by_id.get(assignment.officer_id)
        unit = p.db.get(Unit, assignment.unit_id)
        if officer is None or unit is None:
            continue
        communes = len(expand_unit(p.db, unit, year))
        areas[officer.id].append({"unit": unit, "label": unit_label(unit), "communes": communes})
    rows = coverage(p.db, year, p.today)
    start, _end = reference_month(year, p.today)
    editable = [o for o in officers if may_edit(p.me, o)]
    loggable = [o for o in officers if _may_log_for(p.me, o)]
    visits = list_visits(p.db, None, year)
    visits = [v for v in visits if v.officer_id in by_id][-RECENT_VISITS:][::-1]
    return p.render(
        "areas.html",
        status=400 if error else 200,
        title="Địa bàn",
        year=year,
        month=start,
        officers=officers,
        areas=areas,
        rows=rows,
        without=officers_without_area(p.db, year),
        editable=editable,
        editable_ids={o.id for o in editable},
        loggable=loggable,
        visits=visits,
        by_id=by_id,
        places={v.id: p.db.get(Unit, v.unit_id) for v in visits},
        error=error,
        flash=flash,
        f=form or {},
    )


@page("/dia-ban")
def areas_page(p: Page) -> Response:
    year = _year(p, p.query("nam"))
    flash = None
    if p.query("ok") == "visit" and p.query("v").isdigit():
        flash = _visit_message(p, int(p.query("v")), again=p.query("lai") == "1")
    elif p.query("ok") == "assigned" and p.query("can_bo").isdigit():
        who = p.db.get(Officer, int(p.query("can_bo")))
        if who is not None:
            flash = f"Đã phân công địa bàn cho {who.name}."
    elif p.query("ok") == "removed":
        flash = "Đã bỏ đơn vị khỏi địa bàn."
    return _render(p, year, flash=flash)


def _visit_message(p: Page, visit_id: int, *, again: bool) -> str | None:
    visit = p.db.get(Visit, visit_id)
    if visit is None:
        return None
    officer, unit = p.db.get(Officer, visit.officer_id), p.db.get(Unit, visit.unit_id)
    if officer is None or unit is None:
        return None
    label = unit_label(unit)
    text = (
        f"Đã ghi từ trước: {officer.name} đi cơ sở {label} ngày {visit.visit_date:%d/%m/%Y} "
        "(tính một lần)."
        if again
        else f"Đã ghi: {officer.name} đi cơ sở {label} ngày {visit.visit_date:%d/%m/%Y}."
    )
    if not in_area(p.db, officer, unit, visit.visit_date.year):
        text += (
            f" Lưu ý: {label} không thuộc địa bàn của {officer.name}; tính là ngày đi cơ sở, "
            "không tính vào tỷ lệ xã, phường đã đến."
        )
    return text


@page("/dia-ban/phan-cong", methods=("POST",))
def areas_assign(p: Page) -> Response:
    year = _year(p, p.form.get("nam", ""))
    officer = _officer(p, p.form.get("officer", ""))
    if not may_edit(p.me, officer):
        raise PermissionDenied(
            "Chỉ quản trị, hoặc trưởng đơn vị của cán bộ này, mới phân công địa bàn được."
        )
    refs = [r.strip() for r in _SPLIT.split(p.form.get("units", "")) if r.strip()]
    form = {"officer": str(officer.id), "units": p.form.get("units", "")}
    if not refs:
        return _render(p, year, error="Hãy ghi ít nhất một xã, phường hoặc huyện.", form=form)
    ensure_units(p.db, province_setting(p.ctx.settings.extra), year)
    try:
        found = [resolve_unit(p.db, ref, year, AREA_KINDS) for ref in refs]
    except LichctError as exc:
        return _render(p, year, error=str(exc), form=form)
    result = assign_area(p.db, officer, found, p.now)
    added = [unit_label(u) for u, created in result if created]
    if added:
        audit.record(
            p.db,
            p.me,
            "area.assign",
            f"Phân công địa bàn cho {officer.name}: {', '.join(added)}",
            p.now,
            target=f"officer:{officer.id}",
            details={"year": year, "units": [u.code for u, created in result if created]},
        )
    return p.redirect(f"/dia-ban?nam={year}&ok=assigned&can_bo={officer.id}")


@page("/dia-ban/bo", methods=("POST",))
def areas_remove(p: Page) -> Response:
    year = _year(p, p.form.get("nam", ""))
    officer = _officer(p, p.form.get("officer", ""))
    if not may_edit(p.me, officer):
        raise PermissionDenied(
            "Chỉ quản trị, hoặc trưởng đơn vị của cán bộ này, mới sửa địa bàn được."
        )
    unit_id = p.form.get("unit", "")
    unit = p.db.get(Unit, int(unit_id)) if unit_id.isdigit() else None
    if unit is None:
        raise NotFound("Không có đơn vị này")
    if unassign_area(p.db, officer, [unit]):
        audit.record(
            p.db,
            p.me,
            "area.remove",
            f"Bỏ {unit_label(unit)} khỏi địa bàn của {officer.name}",
            p.now,
            target=f"officer:{officer.id}",
            details={"unit": unit.code},
        )
    return p.redirect(f"/dia-ban?nam={year}&ok=removed")


@page("/dia-ban/di-co-so", methods=("POST",))
def visit_add(p: Page) -> Response:
    officer = _officer(p, p.form.get("officer", "") or str(p.me.id))
    if not _may_log_for(p.me, officer):
        raise PermissionDenied("Bạn chỉ ghi được chuyến đi cơ sở của chính mình.")
    form = {k: p.form.get(k, "") for k in ("officer", "place", "date", "note")}
    year = p.today.year
    try:
        day = services.parse_date(form["date"], "ngày đi") if form["date"] else p.today
        year = day.year
        if not area_units(p.db, officer, day.year):
            raise InvalidInput(no_area_message(officer, day.year) + " trước khi ghi chuyến đi")
        if not form["place"].strip():
            raise InvalidInput("Hãy ghi tên xã, phường hoặc thị trấn đã đến.")
        place = resolve_unit(p.db, form["place"], day.year)
        visit, created = log_visit(
            p.db, officer, place, day, p.now, form["note"] or None, "http", tz=p.ctx.tz
        )
    except LichctError as exc:
        return _render(p, year, error=str(exc), form=form)
    if created:
        audit.record(
            p.db,
            p.me,
            "visit.add",
            f"Ghi chuyến đi cơ sở của {officer.name}: {unit_label(place)} ngày {day:%d/%m/%Y}",
            p.now,
            target=f"officer:{officer.id}",
            details={"visit": visit.id, "unit": place.code, "date": day.isoformat()},
        )
    again = "" if created else "&lai=1"
    return p.redirect(f"/dia-ban?nam={day.year}&ok=visit&v={visit.id}{again}")
