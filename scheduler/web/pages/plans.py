"""``/ke-hoach`` (admin): the stored plans with their progress; upload a plan document,
see what it holds and what it would change, then "Lưu kế hoạch"; copy last year's
assignments onto a new year's plan. The same reader and importer as ``lichct import``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from starlette.responses import Response

from calendars.plan_reader import MAX_DOCUMENT_BYTES
from scheduler.errors import InvalidInput, NotFound
from scheduler.plans.importing import CancellationRefused
from scheduler.services import bulk_assign, plan_uploads
from scheduler.services.progress import tally
from scheduler.store.models import Event, Plan
from scheduler.web.framework import Page, nav, page

nav("Kế hoạch", "/ke-hoach", role="admin", order=60)

FLASH = {
    "luu": "✅ Đã lưu kế hoạch.",
    "da-luu": "Tài liệu này đã được lưu từ trước; không lưu lại lần nữa.",
    "sao-chep": "✅ Đã sao chép phân công năm trước.",
}


def _overrides(p: Page) -> dict[str, Any]:
    return dict(p.ctx.settings.extra.get("import", {}))


def _plan_rows(p: Page) -> list[dict[str, Any]]:
    rows = []
    for plan in plan_uploads.plans(p.db):
        events = list(
            p.db.scalars(
                select(Event).where(
                    Event.plan_id == plan.id,
                    Event.source == "plan",
                    Event.status != "cancelled",
                )
            )
        )
        rows.append(
            {
                "plan": plan,
                "tally": tally(events, p.today),
                "unassigned": sum(1 for e in events if not e.assignments),
                "previous": bulk_assign.previous_plan(p.db, plan),
            }
        )
    return rows


def _index(p: Page, error: str | None = None, status: int = 200) -> Response:
    flash = FLASH.get(p.query("ok"))
    stored_line = None
    plan_id = p.query("kh")
    if plan_id.isdigit():
        stored_line = plan_uploads.last_import(p.db, int(plan_id))
    return p.render(
        "plans.html",
        status=status,
        title="Kế hoạch",
        rows=_plan_rows(p),
        flash=flash,
        stored_line=stored_line if p.query("ok") == "luu" else None,
        error=error,
        limit_mb=MAX_DOCUMENT_BYTES // (1024 * 1024),
        given=p.query("n"),
    )


@page("/ke-hoach", role="admin")
def plans_index(p: Page) -> Response:
    return _index(p)


def _year(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 1901 <= int(value) <= 2099:
        raise InvalidInput(f"Năm không hợp lệ: {value[:10]!r} (ví dụ 2025)")
    return int(value)


@page("/ke-hoach/tai-len", methods=("POST",), role="admin", upload=MAX_DOCUMENT_BYTES)
def plans_upload(p: Page) -> Response:
    upload = p.files.get("tep")
    try:
        if upload is None:
            raise InvalidInput("Chưa chọn tệp: hãy chọn tệp kế hoạch .docx, .pdf hoặc .txt")
        plan_uploads.check_size(upload.name or "tải lên", upload.size)
        staged = plan_uploads.stage(
            p.db,
            p.me,
            upload.name,
            upload.data,
            p.now,
            year=_year(p.form.get("nam", "")),
            overrides=_overrides(p),
        )
    except InvalidInput as exc:
        return _index(p, error=f"{exc} Không có gì được lưu.", status=400)
    return p.redirect(f"/ke-hoach/xem/{staged.upload.token}")


def _by_month(changes: list[Any]) -> list[tuple[int, list[Any]]]:
    months: dict[int, list[Any]] = defaultdict(list)
    for change in changes:
        months[change.item.month].append(change)
    return sorted(months.items())


@page("/ke-hoach/xem/{token}", role="admin")
def plans_preview(p: Page) -> Response:
    return _preview(p, p.request.path_params["token"])


def _preview(p: Page, token: str, error: str | None = None, status: int = 200) -> Response:
    upload = plan_uploads.find(p.db, token)
    if upload.consumed_at is not None:
        return p.render(
            "plan_stored.html",
            title="Kế hoạch đã lưu",
            upload=upload,
            plan=p.db.get(Plan, upload.plan_id) if upload.plan_id else None,
        )
    try:
        parsed, preview = plan_uploads.preview(p.db, upload, _overrides(p))
    except InvalidInput as exc:
        return _index(p, error=f"{exc} Không có gì được lưu.", status=400)
    return p.render(
        "plan_preview.html",
        status=status,
        title=f"Xem trước kế hoạch {parsed.number}",
        upload=upload,
        parsed=parsed,
        preview=preview,
        months=_by_month(preview.changes),
        stored=preview.plan is not None,
        created=preview.count("created"),
        updated=preview.count("updated"),
        unchanged=preview.count("unchanged"),
        error=error,
    )


@page("/ke-hoach/luu", methods=("POST",), role="admin")
def plans_store(p: Page) -> Response:
    token = p.form.get("token", "")
    try:
        stored = plan_uploads.store(
            p.db,
            p.me,
            token,
            p.form.get("sha256", ""),
            p.now,
            allow_cancel=p.form.get("cho_huy") == "1",
            overrides=_overrides(p),
        )
    except CancellationRefused:
        p.db.rollback()  # the upload stays waiting: nothing was stored
        message = (
            "Tài liệu này sẽ hủy nhiều việc đã lưu hơn mức được tự động hủy. Xem danh sách "
            "“Sẽ hủy” bên dưới; nếu đúng là cần hủy, đánh dấu ô “Đồng ý hủy” rồi bấm "
            "“Lưu kế hoạch” lần nữa."
        )
        return _preview(p, token, error=message, status=400)
    if stored.already:
        return p.redirect(f"/ke-hoach?ok=da-luu&kh={stored.plan_id or ''}")
    return p.redirect(f"/ke-hoach?ok=luu&kh={stored.plan_id}")


def _plan(p: Page) -> Plan:
    plan = p.db.get(Plan, p.request.path_params["id"])
    if plan is None:
        raise NotFound("Không có kế hoạch này.")
    return plan


@page("/ke-hoach/{id:int}/sao-chep", role="admin")
def copy_preview(p: Page) -> Response:
    plan = _plan(p)
    previous, pairs = bulk_assign.propose_copy(p.db, plan)
    return p.render(
        "plan_copy.html",
        title=f"Sao chép phân công năm trước · {plan.number}",
        plan=plan,
        previous=previous,
        pairs=pairs,
    )


@page("/ke-hoach/{id:int}/sao-chep", methods=("POST",), role="admin")
def copy_apply(p: Page) -> Response:
    plan = _plan(p)
    chosen = {int(v) for v in p.lists.get("viec", []) if v.isdigit()}
    if not chosen:
        raise InvalidInput("Chưa chọn cặp nào để sao chép.")
    given = bulk_assign.apply_copy(p.db, p.me, plan, chosen, p.now)
    return p.redirect(f"/ke-hoach?ok=sao-chep&n={given}")
