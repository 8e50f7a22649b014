"""``lichct import``: read a plan document, show what it holds, store it unless --dry-run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler.cli.app import app, unit_of_work
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit, render_table, vn_date
from scheduler.config import load_settings
from scheduler.errors import InvalidInput

if TYPE_CHECKING:
    from calendars.plan_parser import DuePolicy, ParsedPlan, PlanItem
    from calendars.plan_reader import Document
    from scheduler.plans.importing import ImportSummary

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


def _policy() -> DuePolicy:
    """Bundled due-date policies, with the ``[import]`` table of lichct.toml on top."""
    from calendars.plan_parser import load_due_policy

    overrides = load_settings().extra.get("import", {})
    try:
        return load_due_policy(overrides)
    except ValueError as exc:
        raise InvalidInput(f"Mục [import] của lichct.toml không hợp lệ: {exc}") from exc


def read_plan(path: Path, year: int | None) -> tuple[Document, ParsedPlan]:
    """Read and parse ``path``; any problem with the document becomes one clear error."""
    from calendars.plan_parser import parse_plan
    from calendars.plan_reader import DocumentError, read_document

    try:
        document = read_document(path)
        parsed = parse_plan(
            document.paragraphs, year=year, policy=_policy(), fallback_number=path.stem
        )
    except DocumentError as exc:
        raise InvalidInput(str(exc)) from exc
    return document, parsed


def _observance_names() -> dict[str, str]:
    from calendars.observances import load_catalog

    return {o.key: o.name for o in load_catalog()}


def _dates(item: PlanItem) -> str:
    """The days an item takes place on, when it is more than "during its month"."""
    if item.start.day == 1 and item.start.month == item.month and item.end == item.due:
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


def _summary_line(parsed: ParsedPlan, summary: ImportSummary | None) -> str:
    line = (
        f"{len(parsed.items)} việc: {parsed.count('tham-muu')} tham mưu, "
        f"{parsed.count('chuyen-mon')} chuyên môn"
    )
    if summary is None:
        return line + " · xem trước, chưa lưu (bỏ --dry-run để lưu)."
    return (
        f"{line} · mới {summary.created}, cập nhật {summary.updated}, "
        f"không đổi {summary.unchanged}, hủy {summary.cancelled}."
    )


@app.command("import")
def import_cmd(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Tệp kế hoạch: .txt, .docx hoặc .pdf.")
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
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Đọc kế hoạch công tác năm (.txt, .docx, .pdf), hiển thị các việc tìm thấy và lưu lại."""
    from scheduler.plans.importing import import_plan

    document, parsed = read_plan(path, year)
    summary: ImportSummary | None = None
    if not dry_run:
        with unit_of_work() as (ctx, session):
            summary = import_plan(
                session, parsed, document.name, document.sha256, ctx.clock.now(), year=year
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
    typer.echo(_summary_line(parsed, summary))
