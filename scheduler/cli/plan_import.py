"""``lichct import``: read a plan document, show what it holds, store it unless --dry-run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler.cli.app import app, open_context, unit_of_work
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit, render_table, vn_date
from scheduler.config import load_settings

if TYPE_CHECKING:
    from calendars.plan_parser import ParsedPlan, PlanItem
    from calendars.plan_reader import Document
    from scheduler.plans.importing import CancelCheck, ImportSummary

SECTION_NAMES = {"tham-muu": "Tham mưu", "chuyen-mon": "Chuyên môn"}
KIND_NAMES = {
    "report": "Báo cáo",
    "plan": "Kế hoạch",
    "directive": "Chỉ đạo",
    "supervision": "Giám sát",
    "inspection": "Kiểm tra",
    "meeting": "Họp",
    "visit": "Thăm",
    "ceremony": "Dự lễ",
    "bulletin": "Thông báo",
    "other": "Khác",
}
STATUS_NAMES = {"created": "mới", "updated": "cập nhật", "unchanged": "không đổi"}


def _ocr_progress(done: int, total: int) -> None:
    typer.echo(f"Nhận dạng chữ (OCR): trang {done}/{total}…", err=True)


def _read(path: Path) -> Document:
    """The document; a scan is recognised (progress per page) or its kept text reused."""
    from scheduler.plans.scans import read_plan_document

    ctx = open_context(check_schema=False)
    try:
        return read_plan_document(path, ctx.db, ctx.clock.now(), _ocr_progress)
    finally:
        ctx.db.dispose()


def read_plan(path: Path, year: int | None) -> tuple[Document, ParsedPlan]:
    """Read (a scan through OCR, with progress) and parse ``path`` with the ``[import]``
    settings of lichct.toml and the office's days off: the same path as the web upload."""
    from scheduler.context import apply_days_off
    from scheduler.plans import reading

    settings = load_settings()
    apply_days_off(settings)  # the office's own days off move deadlines too
    return reading.read_plan(path, year, settings.extra.get("import", {}), read=_read)


def _observance_names() -> dict[str, str]:
    from calendars.observances import load_catalog

    return {o.key: o.name for o in load_catalog()}


def _dates(item: PlanItem) -> str:
    """The days an item takes place on, when it has days of its own besides its deadline."""
    if not item.dated:
        return ""
    if item.start == item.end:
        return vn_date(item.start.isoformat())
    return f"{item.start:%d/%m}–{vn_date(item.end.isoformat())}"


def _cut(text: str, width: int) -> str:
    """Shorten for a table cell at a word boundary, with an ellipsis."""
    if len(text) <= width:
        return text
    head = text[: width - 1]
    if " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:–-") + "…"


def _table(parsed: ParsedPlan, summary: ImportSummary | None, items: list[PlanItem]) -> str:
    names = _observance_names()
    headers = ["Mảng", "Loại", "Hạn", "Diễn ra", "Ghi chú", "Nội dung"]
    if summary is not None:
        headers.insert(0, "Lưu")
    rows: list[list[Any]] = []
    for item in items:
        notes = []
        if item.conditional:
            notes.append("nếu có")
        if item.chain:
            notes.append(f"bước {item.step}/{item.steps}")
        if item.observance:
            notes.append(names.get(item.observance, item.observance))
        row: list[Any] = [
            SECTION_NAMES.get(item.section, item.section),
            KIND_NAMES.get(item.kind, item.kind),
            vn_date(item.due.isoformat()),
            _dates(item),
            _cut("; ".join(notes), 26),
            _cut(item.title, 66),
        ]
        if summary is not None:
            row.insert(0, STATUS_NAMES.get(summary.status.get(item.uid, ""), ""))
        rows.append(row)
    lines = render_table(headers, rows, max_width=80).split("\n")
    out = lines[:2]
    month = None
    for item, line in zip(items, lines[2:], strict=True):
        if item.month != month:
            month = item.month
            out.append(f"── Tháng {month}/{parsed.year} " + "─" * 20)
        out.append(line)
    return "\n".join(out)


def _summary_line(
    parsed: ParsedPlan, summary: ImportSummary | None, check: CancelCheck | None = None
) -> str:
    line = (
        f"{len(parsed.items)} việc: {parsed.count('tham-muu')} tham mưu, "
        f"{parsed.count('chuyen-mon')} chuyên môn"
    )
    if summary is None:
        if check is not None:
            line += f" · sẽ hủy {len(check.cancel)}"
        return line + " · xem trước, chưa lưu (bỏ --dry-run để lưu)."
    return (
        f"{line} · mới {summary.created}, cập nhật {summary.updated}, "
        f"không đổi {summary.unchanged}, hủy {summary.cancelled}."
    )


@app.command("import")
def import_cmd(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="Tệp kế hoạch: .txt, .docx, .pdf (cả bản scan) hoặc ảnh chụp."
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=1901,
            max=2099,
            help="Năm của kế hoạch (mặc định: năm ghi trong tài liệu).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ xem trước, không lưu gì.")
    ] = False,
    allow_cancel: Annotated[
        bool,
        typer.Option(
            "--allow-cancel",
            help="Cho phép hủy nhiều việc đã lưu, kể cả việc của các tháng tài liệu không có.",
        ),
    ] = False,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Đọc kế hoạch công tác năm (.txt, .docx, .pdf), hiển thị các việc tìm thấy và lưu lại."""
    from scheduler.plans.importing import import_plan

    document, parsed = read_plan(path, year)
    if document.ocr:
        typer.echo(
            f"Chú ý: nội dung đọc bằng nhận dạng chữ (OCR) từ bản scan {document.name} "
            f"({document.pages} trang) — hãy đối chiếu từng việc với bản gốc.",
            err=True,
        )
    summary: ImportSummary | None = None
    check: CancelCheck | None = None
    if dry_run:
        check = _stored_check(parsed, year, allow_cancel)
    else:
        with unit_of_work() as (ctx, session):
            summary = import_plan(
                session,
                parsed,
                document.name,
                document.sha256,
                ctx.clock.now(),
                year=year,
                allow_cancel=allow_cancel,
            )
    if fmt is OutputFormat.json:
        records = []
        for item in parsed.items:
            record = item.to_dict()
            if summary is not None:
                record = {"id": summary.event_ids[item.uid], **record}
                record["uid"] = summary.stored_uids[item.uid]
            records.append(record)
        emit(fmt, records, [], lambda r: r)
        return
    for warning in parsed.warnings:
        typer.echo(f"Chú ý: {warning}", err=True)
    heading = f"Kế hoạch số {parsed.number} · năm {parsed.year}"
    if parsed.title:
        heading += f" · {parsed.title}"
    typer.echo(heading)
    items = list(parsed.items)
    if summary is not None and summary.unchanged:
        # The plan was imported before: show the difference, not the whole plan again.
        items = [i for i in items if summary.status.get(i.uid) != "unchanged"]
        if not items and not summary.cancelled:
            typer.echo("Không có thay đổi so với lần nhập trước.")
    if items:
        typer.echo(_table(parsed, summary, items))
    if summary is not None and summary.cancelled_items:
        typer.echo(f"Đã hủy {summary.cancelled} việc không còn trong kế hoạch:")
        for month, title in summary.cancelled_items:
            typer.echo(f"  - Tháng {month}: {title}")
    if check is not None and check.cancel:
        typer.echo(f"Sẽ hủy {len(check.cancel)} việc không còn trong kế hoạch:")
        for month, title in check.items:
            typer.echo(f"  - Tháng {month}: {title}")
        if check.needs_permission:
            typer.echo(
                f"Chú ý: quá {check.limit} việc; khi nhập thật cần thêm --allow-cancel.",
                err=True,
            )
    kept = summary.kept_outside if summary is not None else len(check.kept) if check else 0
    if kept:
        months = ", ".join(str(m) for m in sorted(_months(parsed)))
        typer.echo(
            f"Tài liệu chỉ có tháng {months}: giữ nguyên {kept} việc đã lưu của các tháng "
            "khác (thêm --allow-cancel để hủy chúng)."
        )
    typer.echo(_summary_line(parsed, summary, check))


def _months(parsed: ParsedPlan) -> set[int]:
    return {item.month for item in parsed.items}


def _stored_check(parsed: ParsedPlan, year: int | None, allow_cancel: bool) -> CancelCheck | None:
    """What a real import would cancel, when a database holds the plan; a dry run works
    without one (then there is nothing to compare with)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from scheduler.errors import LichctError
    from scheduler.plans.importing import check_cancellations

    settings = load_settings()
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return None
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_disk and not Path(str(url.database)).is_file():
        return None  # never create a database file for a preview
    try:
        with unit_of_work() as (_ctx, session):
            return check_cancellations(session, parsed, year, allow_cancel)
    except (LichctError, SQLAlchemyError):
        return None
