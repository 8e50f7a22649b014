"""The monthly report and the year summary as Word documents (docxtpl over the template).

Code supplies the words, the template the form. What the office must write itself (the
document number, a result nobody noted, the assessment) is a plain "[...]", never invented.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scheduler.clock import LOCAL_TZ
from scheduler.errors import InvalidInput
from scheduler.reports.content import (
    SECTIONS,
    Item,
    MonthContent,
    VisitLine,
    YearContent,
    month_content,
    year_content,
)
from scheduler.reports.settings import ReportSettings
from scheduler.reports.template import build_template
from scheduler.store.models import Unit

BLANK = "[...]"
ROMAN = ("I", "II", "III", "IV", "V")
NOTHING_DONE = "Trong tháng chưa có nội dung nào được xác nhận hoàn thành."


@dataclass(frozen=True)
class Block:
    """One paragraph of the body: ``kind`` picks its look in the template."""

    kind: str  # h1, h2, h3, item, text
    text: str


def vn_date(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def date_line(place: str, day: date) -> str:
    """ "Tây Ninh, ngày 05 tháng 01 năm 2024": days under 10 and months 1-2 take a zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _sentence(text: str) -> str:
    text = " ".join(text.split()).rstrip(" .;,")
    return text[:1].upper() + text[1:] if text else text


def _done_line(item: Item) -> str:
    """The item's wording, then its completion note as the result sentence."""
    result = _sentence(item.note) + "." if item.note else BLANK
    return f"- {_sentence(item.wording)}: {result}"


def _open_line(item: Item) -> str:
    parts = [f"- {_sentence(item.wording)}"]
    if item.due is not None:
        parts.append(f"(hạn {vn_date(item.due)})")
    who = f"; thực hiện: {', '.join(item.assignees)}" if item.assignees else ""
    state = "chưa phát sinh" if item.conditional else "chưa hoàn thành"
    return " ".join(parts) + f": {state}{who}."


def _planned_line(item: Item) -> str:
    due = f" (hạn {vn_date(item.due)})" if item.due is not None else ""
    return f"- {_sentence(item.wording)}{due}."


def _visit_line(line: VisitLine, period: str) -> str:
    text = f"- Đồng chí {line.officer}: {line.days} ngày đi cơ sở {period}"
    if line.communes:
        text += f" ({', '.join(line.communes)})"
    if line.total:
        text += (
            f"; từ đầu năm đã đến {line.reached}/{line.total} xã, phường, thị trấn "
            f"địa bàn phụ trách ({line.percent:g}%)"
        )
    else:
        text += "; chưa được phân công địa bàn"
    return text + "."


def _numbered(blocks: list[Block], counter: list[int], text: str) -> None:
    counter[0] += 1
    blocks.append(Block("h2", f"{counter[0]}. {text}"))


def _items(blocks: list[Block], lines: Iterable[str], empty: str) -> None:
    lines = list(lines)
    blocks.extend(Block("item", line) for line in lines)
    if not lines:
        blocks.append(Block("item", f"- {empty}"))


def month_blocks(content: MonthContent) -> list[Block]:
    """Part I (results) and part II (the next month's tasks) of the monthly report."""
    m, y = content.month, content.year
    blocks = [Block("h1", "I. KẾT QUẢ THỰC HIỆN")]
    done_any = any(i.done for i in (*content.items, *content.adhoc))
    if not done_any:
        blocks.append(Block("text", NOTHING_DONE))
    n = [0]
    for key, label in SECTIONS:
        _numbered(blocks, n, label)
        _items(
            blocks,
            (_done_line(i) for i in content.done(key)),
            "Chưa có nội dung hoàn thành trong tháng.",
        )
    _numbered(blocks, n, "Công việc phát sinh trong tháng")
    _items(
        blocks,
        (_done_line(i) if i.done else _open_line(i) for i in content.adhoc),
        "Không có công việc phát sinh ngoài chương trình.",
    )
    if content.observances:
        _numbered(blocks, n, "Thăm, chúc mừng nhân các ngày lễ trong tháng")
        for obs in content.observances:
            when = vn_date(obs.start) + (f"–{vn_date(obs.end)}" if obs.end != obs.start else "")
            blocks.append(Block("h3", f"{obs.name} ({when})"))
            _items(blocks, (_done_line(i) if i.done else _open_line(i) for i in obs.items), "")
    _numbered(blocks, n, "Công tác đi cơ sở")
    _items(
        blocks,
        (_visit_line(v, "trong tháng") for v in content.visits),
        "Chưa ghi nhận cán bộ nào được phân công địa bàn hay đi cơ sở trong tháng.",
    )
    _numbered(blocks, n, "Những nội dung chưa thực hiện")
    _items(blocks, (_open_line(i) for i in content.not_done()), "Không có.")
    blocks.append(Block("text", f"* Đánh giá chung: {BLANK}"))

    nm, ny = content.next_month, content.next_year
    blocks.append(Block("h1", f"II. PHƯƠNG HƯỚNG NHIỆM VỤ THÁNG {nm}/{ny}"))
    n = [0]
    for key, label in SECTIONS:
        _numbered(blocks, n, label)
        _items(blocks, (_planned_line(i) for i in content.planned(key)), BLANK)
    late = [i for i in content.not_done() if not i.conditional]
    if late:
        _numbered(
            blocks, n, f"Tiếp tục thực hiện các nội dung tháng {m}/{y} chưa hoàn thành nêu trên"
        )
    return blocks


def _count_line(label: str, items: Sequence[Item]) -> str:
    done = sum(1 for i in items if i.done)
    late = sum(1 for i in items if i.state == "overdue")
    share = f" ({round(100 * done / len(items))}%)" if items else ""
    return (
        f"- {label}: {len(items)} nội dung; hoàn thành {done}{share}; "
        f"quá hạn chưa hoàn thành {late}; chưa đến hạn hoặc chưa phát sinh "
        f"{len(items) - done - late}."
    )


def year_blocks(content: YearContent) -> list[Block]:
    """Totals, results month by month, coverage, what was not done, next year's blank."""
    blocks = [Block("h1", "I. KẾT QUẢ THỰC HIỆN")]
    n = [0]
    _numbered(blocks, n, "Tổng quát")
    blocks.append(Block("item", _count_line("Toàn bộ", content.items)))
    for key, label in SECTIONS:
        blocks.append(
            Block("item", _count_line(label, [i for i in content.items if i.section == key]))
        )
    adhoc = [i for i in content.items if not i.section]
    blocks.append(Block("item", _count_line("Công việc phát sinh", adhoc)))

    _numbered(blocks, n, "Kết quả theo tháng")
    for month in range(1, 13):
        items = content.of_month(month)
        done = [i for i in items if i.done]
        blocks.append(Block("h3", f"Tháng {month}: hoàn thành {len(done)}/{len(items)} nội dung"))
        blocks.extend(Block("item", _done_line(i)) for i in done)

    _numbered(blocks, n, "Công tác đi cơ sở")
    _items(
        blocks,
        (_visit_line(v, "trong năm") for v in content.visits),
        "Chưa ghi nhận cán bộ nào được phân công địa bàn hay đi cơ sở trong năm.",
    )
    _numbered(blocks, n, "Những nội dung chưa thực hiện")
    _items(blocks, (_open_line(i) for i in content.items if not i.done), "Không có.")
    blocks.append(Block("text", f"* Đánh giá chung: {BLANK}"))
    blocks.append(Block("h1", f"II. PHƯƠNG HƯỚNG NHIỆM VỤ NĂM {content.year + 1}"))
    blocks.append(Block("item", f"- {BLANK}"))
    return blocks


def render(settings: ReportSettings, context: dict[str, Any]) -> bytes:
    """Fill the template (the office's, if configured) with ``context``; .docx bytes."""
    from docxtpl import DocxTemplate

    path = settings.template_path
    if path is not None:
        try:
            source: io.BytesIO = io.BytesIO(path.read_bytes())
        except OSError as exc:
            raise InvalidInput(f"Không đọc được mẫu báo cáo {path}: {exc}") from exc
    else:
        source = io.BytesIO(build_template())
    template = DocxTemplate(source)
    template.render(
        {
            "superior": settings.superior,
            "issuer": settings.issuer,
            "party": settings.party,
            "number": f"{BLANK}-{settings.number_suffix}",
            "title": "BÁO CÁO",
            "recipients": list(settings.recipients),
            "signer_on_behalf": settings.signer_on_behalf,
            "signer_title": settings.signer_title,
            "signer_name": settings.signer_name or BLANK,
            **context,
        },
        autoescape=True,
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _plan_ref(number: str | None, year: int) -> str:
    return f"Kế hoạch số {number}" if number else f"kế hoạch công tác năm {year}"


def month_report_docx(
    session: Session,
    year: int,
    month: int,
    *,
    today: date,
    settings: ReportSettings,
    unit: Unit | None = None,
    report_date: date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> bytes:
    """The monthly report draft for ``year``-``month`` (one unit's items with ``unit``)."""
    content = month_content(session, year, month, today, unit=unit, tz=tz)
    return render(settings, month_context(content, settings, report_date or today))


def month_context(
    content: MonthContent, settings: ReportSettings, report_date: date
) -> dict[str, Any]:
    m, y, nm, ny = content.month, content.year, content.next_month, content.next_year
    whose = f" của {content.unit}" if content.unit else ""
    period = f"tháng {m} năm {y}"
    # Two lines, each sentence part whole: docxtpl turns the newline into a line break.
    subject = (
        f"Kết quả công tác dân vận {period}{whose},\nphương hướng nhiệm vụ tháng {nm} năm {ny}"
    )
    return {
        "date_line": date_line(settings.place, report_date),
        "subject": subject,
        "intro": (
            f"Thực hiện {_plan_ref(content.plan_number, y)} về công tác dân vận năm {y}, "
            f"{settings.issuer_name} báo cáo kết quả công tác dân vận {period}{whose} "
            "như sau:"
        ),
        "body": [vars(b) for b in month_blocks(content)],
        "closing": (
            f"Trên đây là báo cáo kết quả công tác dân vận {period} và phương hướng nhiệm vụ "
            f"tháng {nm} năm {ny} của {settings.issuer_name}{whose}."
        ),
    }


def year_report_docx(
    session: Session,
    year: int,
    *,
    today: date,
    settings: ReportSettings,
    unit: Unit | None = None,
    report_date: date | None = None,
    tz: ZoneInfo = LOCAL_TZ,
) -> bytes:
    """The year summary draft: results by month, totals, coverage, what was not done."""
    content = year_content(session, year, today, unit=unit, tz=tz)
    whose = f" của {content.unit}" if content.unit else ""
    context = {
        "date_line": date_line(settings.place, report_date or today),
        "subject": f"Tổng kết công tác dân vận năm {year}{whose},\nphương hướng nhiệm vụ năm "
        f"{year + 1}",
        "intro": (
            f"Thực hiện {_plan_ref(content.plan_number, year)} về công tác dân vận năm {year}, "
            f"{settings.issuer_name} báo cáo kết quả công tác dân vận năm {year}{whose} như sau:"
        ),
        "body": [vars(b) for b in year_blocks(content)],
        "closing": (
            f"Trên đây là báo cáo tổng kết công tác dân vận năm {year} và phương hướng nhiệm vụ "
            f"năm {year + 1} của {settings.issuer_name}{whose}."
        ),
    }
    return render(settings, context)
