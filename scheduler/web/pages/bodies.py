"""``/don-vi-bao-cao`` (admins): the bodies that owe the board reports, and who reported.

The list (add, edit addresses, kind and periods owed, stop or resume following a body) and,
for a chosen period, the status table with a form that records a report received with its
file: the same functions as ``lichct bodies`` and ``lichct inbound received``.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select
from starlette.responses import Response

from calendars.periods import PERIOD_KINDS, Period
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, LichctError, NotFound
from scheduler.inbound import bodies as bodies_mod
from scheduler.inbound import receipts
from scheduler.reminders.inbound_rules import InboundPolicy, load_inbound_policy
from scheduler.services import audit, parse_date
from scheduler.store.models import BODY_KINDS, InboundReport, ReportingBody
from scheduler.web.framework import Page, nav, page
from scheduler.web.pages.reports import download

nav("Đơn vị báo cáo", "/don-vi-bao-cao", role="admin", order=65)

PATH = "/don-vi-bao-cao"
PERIOD_NAMES = {"month": "tháng", "quarter": "quý", "half": "6 tháng", "year": "năm"}
FLASH = {
    "added": "Đã thêm đơn vị.",
    "saved": "Đã lưu thay đổi.",
    "stopped": "Đã ngừng theo dõi đơn vị (giữ các báo cáo đã nhận).",
    "resumed": "Đã theo dõi lại đơn vị.",
    "received": "Đã ghi nhận báo cáo; các lời nhắc chưa gửi cho kỳ này đã được hủy.",
}


def _policy(p: Page) -> InboundPolicy:
    return load_inbound_policy(p.ctx.settings.extra)


def _upload_limit(ctx: AppContext) -> int:
    return load_inbound_policy(ctx.settings.extra).max_file_bytes


def _period(text: str, today: date) -> Period:
    if not text:
        return Period(today.year, "month", today.month)
    return receipts.period_arg(text)


def _render(
    p: Page,
    *,
    error: str | None = None,
    done: str | None = None,
    form_period: str | None = None,
) -> Response:
    policy = _policy(p)
    try:
        period = _period(form_period or p.query("ky"), p.today)
    except InvalidInput as exc:
        error = error or str(exc)
        period = _period("", p.today)
    rows = receipts.status(p.db, period, p.today, policy)
    report_ids = dict(
        p.db.execute(
            select(ReportingBody.name, InboundReport.id)
            .join(InboundReport, InboundReport.body_id == ReportingBody.id)
            .where(InboundReport.period == period.key, InboundReport.file_name.is_not(None))
        ).all()
    )
    for row in rows:
        row["words"] = receipts.state_words(row, p.today)
        row["due_day"] = date.fromisoformat(row["due"])
        row["received_day"] = date.fromisoformat(row["received"]) if row["received"] else None
        row["report_id"] = report_ids.get(row["body"])
    everyone = bodies_mod.list_bodies(p.db, include_inactive=True)
    return p.render(
        "bodies.html",
        status=400 if error else 200,
        title="Đơn vị báo cáo",
        error=error,
        done=done or FLASH.get(p.query("ok")),
        period=period,
        rows=rows,
        bodies=everyone,
        active=[b for b in everyone if b.active],
        kinds=BODY_KINDS,
        kind_labels=bodies_mod.KIND_LABELS,
        period_kinds=PERIOD_KINDS,
        period_names=PERIOD_NAMES,
        max_mb=policy.max_file_bytes // (1024 * 1024),
        form=p.form,
    )


@page(PATH, role="admin")
def bodies_page(p: Page) -> Response:
    return _render(p)


def _back(p: Page, ok: str, period: str = "") -> Response:
    query = {"ok": ok, **({"ky": period} if period else {})}
    return p.redirect(f"{PATH}?{urlencode(query)}")


def _owes(p: Page) -> list[str]:
    return [k for k in PERIOD_KINDS if p.form.get(f"owes_{k}")]


def _body(p: Page) -> ReportingBody:
    body = p.db.get(ReportingBody, int(p.request.path_params["id"]))
    if body is None:
        raise NotFound("Không tìm thấy đơn vị này.")
    return body


@page(f"{PATH}/them", methods=("POST",), role="admin")
def add_body(p: Page) -> Response:
    try:
        body = bodies_mod.add_body(
            p.db,
            p.form.get("name", ""),
            p.now,
            short_name=p.form.get("short_name") or None,
            kind=p.form.get("kind", "hoi"),
            emails=[p.form.get("emails", "")],
            owes=_owes(p) or ["month"],
        )
    except LichctError as exc:
        return _render(p, error=str(exc))
    audit.record(
        p.db,
        p.me,
        "body.add",
        f"Thêm đơn vị báo cáo {body.name}",
        p.now,
        target=f"body:{body.id}",
        details=bodies_mod.body_to_dict(body),
    )
    return _back(p, "added")


@page(PATH + "/{id:int}/sua", methods=("POST",), role="admin")
def edit_body(p: Page) -> Response:
    body = _body(p)
    before = bodies_mod.body_to_dict(body) | {"owes": list(body.owes)}
    try:
        bodies_mod.set_body(
            p.db,
            body,
            p.now,
            name=p.form.get("name") or None,
            short_name=p.form.get("short_name") or None,
            kind=p.form.get("kind") or None,
            emails=[p.form.get("emails", "")],
            owes=_owes(p),
        )
    except LichctError as exc:
        p.db.rollback()
        return _render(p, error=f"{body.name}: {exc}")
    audit.record(
        p.db,
        p.me,
        "body.edit",
        f"Sửa đơn vị báo cáo {body.name}",
        p.now,
        target=f"body:{body.id}",
        details={"before": before, "after": bodies_mod.body_to_dict(body) | {"owes": body.owes}},
    )
    return _back(p, "saved")


@page(PATH + "/{id:int}/ngung", methods=("POST",), role="admin")
def stop_body(p: Page) -> Response:
    body = _body(p)
    resume = p.form.get("resume") == "1"
    bodies_mod.set_body(p.db, body, p.now, active=resume)
    verb = "Theo dõi lại" if resume else "Ngừng theo dõi"
    audit.record(
        p.db,
        p.me,
        "body.resume" if resume else "body.stop",
        f"{verb} {body.name}",
        p.now,
        target=f"body:{body.id}",
    )
    return _back(p, "resumed" if resume else "stopped")


@page(f"{PATH}/da-nhan", methods=("POST",), role="admin", upload=_upload_limit)
def record_received(p: Page) -> Response:
    policy = _policy(p)
    period_text = p.form.get("period", "")
    try:
        period = receipts.period_arg(period_text)
        body = bodies_mod.resolve_body(p.db, p.form.get("body", ""))
        received_on = (
            parse_date(p.form["received_on"], "ngày nhận") if p.form.get("received_on") else p.today
        )
        upload = p.files.get("file")
        content = None
        if upload is not None and (upload.name or upload.size):  # a file was chosen
            receipts.check_file_size(upload.size, policy)
            content = (upload.name or "bao-cao", upload.data)
        done = receipts.record_received(
            p.db,
            body,
            period,
            received_on,
            p.now,
            policy,
            today=p.today,
            officer=p.me,
            channel="http",
            note=p.form.get("note") or None,
            file=content,
        )
    except LichctError as exc:
        p.db.rollback()
        return _render(p, error=str(exc), form_period=period_text)
    when = "đúng hạn" if done.late_days == 0 else f"trễ {done.late_days} ngày"
    audit.record(
        p.db,
        p.me,
        "inbound.received",
        f"Ghi nhận {body.name} gửi báo cáo {period.label} ({when})",
        p.now,
        target=f"body:{body.id}",
        details={"period": period.key, "file": done.report.file_name},
    )
    return _back(p, "received", period.key)


@page(PATH + "/tep/{id:int}", role="admin")
def received_file(p: Page) -> Response:
    report = p.db.get(InboundReport, int(p.request.path_params["id"]))
    if report is None or report.file_data is None:
        raise NotFound("Không có tệp này.")
    name = report.file_name or "bao-cao"
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return download(report.file_data, name, kind)
