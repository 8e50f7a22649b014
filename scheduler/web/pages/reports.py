"""``/bao-cao``: the board's report drafts as downloads, for heads and admins.

The monthly report (.docx; an admin may choose a unit, a head gets their own unit's), the
year summary (.docx), the progress workbook (.xlsx) and the notice of who reported for a
month (.docx): the same builders as ``lichct report``.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from sqlalchemy import select
from starlette.responses import Response

from calendars.text import fold
from scheduler import services
from scheduler.errors import InvalidInput, LichctError
from scheduler.services.visibility import sees_everything
from scheduler.store.models import Unit
from scheduler.web.framework import Page, nav, page

nav("Báo cáo", "/bao-cao", role="head", order=60)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, filename: str, media_type: str) -> Response:
    """A file download: an ASCII name for old clients and the Vietnamese one (RFC 6266)."""
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^a-z0-9]+", "-", fold(stem).replace("đ", "d")).strip("-") or "tep"
    disposition = (
        f'attachment; filename="{ascii_stem}{dot}{ext}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def _month(text: str, today: date) -> tuple[int, int]:
    from scheduler.reports import parse_month

    return parse_month(text) if text else (today.year, today.month)


def _year(text: str, today: date) -> int:
    if not text:
        return today.year
    if not text.isdigit() or not 1900 <= int(text) <= 2200:
        raise InvalidInput(f"Năm không hợp lệ: {text!r} (ví dụ 2024)")
    return int(text)


def _departments(p: Page) -> list[Unit]:
    return list(p.db.scalars(select(Unit).where(Unit.kind == "department").order_by(Unit.name)))


def _unit(p: Page) -> Unit | None:
    """A head's own unit; the unit an admin chose (none: the whole board)."""
    if not sees_everything(p.me):
        return p.me.unit
    chosen = p.query("don_vi")
    if not chosen:
        return None
    return services.find_unit(p.db, chosen)


def _render(p: Page, error: str | None = None) -> Response:
    everything = sees_everything(p.me)
    return p.render(
        "reports.html",
        status=400 if error else 200,
        title="Báo cáo",
        error=error,
        month=p.query("thang") or f"{p.today.year:04d}-{p.today.month:02d}",
        year=p.query("nam") or str(p.today.year),
        unit_choice=p.query("don_vi"),
        units=_departments(p) if everything else [],
        own_unit=None if everything else p.me.unit,
    )


@page("/bao-cao", role="head")
def reports(p: Page) -> Response:
    return _render(p)


def _build(p: Page, what: str) -> Response:
    """Build one file; a wrong month, year or unit, or a year with no plan, is one line on
    the page instead."""
    from calendars.periods import Period
    from scheduler.inbound.notice import inbound_notice_docx
    from scheduler.reminders.inbound_rules import load_inbound_policy
    from scheduler.reports import (
        load_report_settings,
        month_report_docx,
        progress_workbook,
        year_report_docx,
    )

    tz = p.ctx.tz
    try:
        settings = load_report_settings(p.ctx.settings.extra)
        if what == "notice":
            year, month = _month(p.query("thang"), p.today)
            data = inbound_notice_docx(
                p.db,
                Period(year, "month", month),
                today=p.today,
                policy=load_inbound_policy(p.ctx.settings.extra),
                settings=settings,
            )
            return download(
                data, f"Thông báo tình hình báo cáo tháng {month:02d}-{year}.docx", DOCX
            )
        unit = _unit(p)
        whose = f" - {unit.name}" if unit is not None else ""
        if what == "month":
            year, month = _month(p.query("thang"), p.today)
            data = month_report_docx(
                p.db, year, month, today=p.today, settings=settings, unit=unit, tz=tz
            )
            return download(data, f"Báo cáo tháng {month:02d}-{year}{whose}.docx", DOCX)
        year = _year(p.query("nam"), p.today)
        if what == "year":
            data = year_report_docx(p.db, year, today=p.today, settings=settings, unit=unit, tz=tz)
            return download(data, f"Báo cáo năm {year}{whose}.docx", DOCX)
        data = progress_workbook(p.db, year, today=p.today, tz=tz, unit=unit)
        return download(data, f"Tiến độ {year}{whose}.xlsx", XLSX)
    except LichctError as exc:
        return _render(p, str(exc))


@page("/bao-cao/thang", role="head")
def month_report(p: Page) -> Response:
    return _build(p, "month")


@page("/bao-cao/nam", role="head")
def year_report(p: Page) -> Response:
    return _build(p, "year")


@page("/bao-cao/tien-do", role="head")
def progress(p: Page) -> Response:
    return _build(p, "progress")


@page("/bao-cao/thong-bao", role="head")
def inbound_notice(p: Page) -> Response:
    return _build(p, "notice")
