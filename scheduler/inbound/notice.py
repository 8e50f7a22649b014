"""The monthly notice "Thông báo tình hình thông tin báo cáo": who reported, late, not at all.

The same letterhead, template and signature as the board's own reports
(:mod:`scheduler.reports`); only the title, the number's type (TB) and the body differ.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from calendars.periods import Period
from scheduler.inbound.bodies import KIND_LABELS
from scheduler.inbound.receipts import status
from scheduler.reminders.inbound_rules import InboundPolicy
from scheduler.reports.documents import BLANK, Block, date_line, render, vn_date
from scheduler.reports.settings import ReportSettings

# How the subject line names each kind of body.
_SUBJECT_NAMES = {
    "mttq": "Mặt trận Tổ quốc",
    "ctxh": "các tổ chức chính trị - xã hội",
    "hoi": "hội quần chúng tỉnh",
    "bdv-huyen": "Ban Dân vận huyện, thị, thành ủy",
    "dang-uy": "các đảng ủy trực thuộc",
}
_SUBJECT_WIDTH = 52


def subject(kinds: list[str], period: Period) -> str:
    """The subject, naming the kinds of bodies in the list, in lines that break at commas."""
    names = [_SUBJECT_NAMES.get(k, k) for k in kinds] or ["các đơn vị"]
    joined = ", ".join(names[:-1]) + (" và " if len(names) > 1 else "") + names[-1]
    words = f"Tình hình thông tin báo cáo của {joined} {period.label}".split(" ")
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > _SUBJECT_WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _grouped(blocks: list[Block], rows: list[dict[str, Any]], line: Any) -> None:
    kinds = list(dict.fromkeys(r["kind"] for r in rows))
    for kind in kinds:
        group = [r for r in rows if r["kind"] == kind]
        blocks.append(Block("h3", f"{KIND_LABELS.get(kind, kind)} ({len(group)})"))
        blocks.extend(Block("item", line(r)) for r in group)


def notice_blocks(rows: list[dict[str, Any]], period: Period, due: date) -> list[Block]:
    on_time = [r for r in rows if r["received"] is not None and r["late_days"] == 0]
    late = [r for r in rows if r["received"] is not None and r["late_days"] > 0]
    missing = [r for r in rows if r["received"] is None]
    total = len(rows)
    blocks = [
        Block(
            "text",
            f"Tổng số đơn vị phải báo cáo {period.label}: {total}; đúng hạn: {len(on_time)}; "
            f"trễ hạn: {len(late)}; chưa gửi: {len(missing)}.",
        ),
        Block("h2", f"1. Các đơn vị gửi báo cáo đúng hạn ({len(on_time)})"),
    ]
    _grouped(blocks, on_time, lambda r: f"- {r['body']} (ngày {vn_date(_d(r['received']))}).")
    if not on_time:
        blocks.append(Block("item", "- Không có."))
    blocks.append(Block("h2", f"2. Các đơn vị gửi báo cáo trễ hạn ({len(late)})"))
    _grouped(
        blocks,
        late,
        lambda r: (
            f"- {r['body']}: nhận ngày {vn_date(_d(r['received']))}, trễ {r['late_days']} ngày."
        ),
    )
    if not late:
        blocks.append(Block("item", "- Không có."))
    blocks.append(Block("h2", f"3. Các đơn vị chưa gửi báo cáo ({len(missing)})"))
    _grouped(blocks, missing, lambda r: f"- {r['body']}.")
    if not missing:
        blocks.append(Block("item", "- Không có."))
    return blocks


def _d(iso: str) -> date:
    return date.fromisoformat(iso)


def inbound_notice_docx(
    session: Session,
    period: Period,
    *,
    today: date,
    policy: InboundPolicy,
    settings: ReportSettings,
    report_date: date | None = None,
) -> bytes:
    """The notice for ``period`` as a Word document (the office fills the number)."""
    rows = status(session, period, today, policy)
    due = policy.due(period)
    suffix = settings.number_suffix.replace("BC/", "TB/", 1)
    missing = sum(1 for r in rows if r["received"] is None)
    closing = (
        f"{settings.issuer_name} đề nghị các đơn vị chưa gửi báo cáo khẩn trương gửi về Ban; "
        "các đơn vị thực hiện nghiêm chế độ thông tin, báo cáo định kỳ theo quy định."
        if missing
        else f"{settings.issuer_name} ghi nhận các đơn vị đã thực hiện tốt chế độ thông tin, "
        "báo cáo định kỳ."
    )
    context = {
        "title": "THÔNG BÁO",
        "number": f"{BLANK}-{suffix}",
        "date_line": date_line(settings.place, report_date or today),
        "subject": subject(list(dict.fromkeys(r["kind"] for r in rows)), period),
        "intro": (
            f"Thực hiện chế độ thông tin, báo cáo định kỳ, {settings.issuer_name} thông báo "
            f"tình hình gửi báo cáo {period.label} (hạn gửi ngày {vn_date(due)}) như sau:"
        ),
        "body": [vars(b) for b in notice_blocks(rows, period, due)],
        "closing": closing,
    }
    return render(settings, context)
