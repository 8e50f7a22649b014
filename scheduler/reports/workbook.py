"""The leaders' progress workbook (.xlsx, openpyxl): every item, progress, field visits.

Each sheet has a frozen header row and a filter; dates are real dates, so Excel sorts
and filters them as dates.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.clock import LOCAL_TZ
from scheduler.reports.content import SECTIONS, Item, year_content
from scheduler.store.models import Unit

ITEM_HEADERS = (
    "Mã",
    "Tháng",
    "Mảng",
    "Loại",
    "Nội dung",
    "Hạn",
    "Người/đơn vị thực hiện",
    "Trạng thái",
    "Xác nhận bởi",
    "Xác nhận lúc",
    "Ghi chú",
)
TALLY_HEADERS = ("Tổng", "Đã xong", "Chưa đến hạn", "Quá hạn", "Tỉ lệ xong (%)")
SHEETS = ("Danh sách việc", "Theo tháng", "Theo đơn vị", "Đi cơ sở")


def _tally(items: Sequence[Item]) -> list[Any]:
    done = sum(1 for i in items if i.done)
    late = sum(1 for i in items if i.state == "overdue")
    share = round(100 * done / len(items), 1) if items else 0
    return [len(items), done, len(items) - done - late, late, share]


def _sheet(book: Any, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, header in enumerate(headers, start=1):
        longest = max(
            (len(str(c.value)) for c in sheet[get_column_letter(index)] if c.value is not None),
            default=len(header),
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 8) + 2, 60)
    return sheet


def progress_workbook(
    session: Session,
    year: int,
    *,
    today: date,
    tz: ZoneInfo = LOCAL_TZ,
    unit: Unit | None = None,
) -> bytes:
    """The year's workbook as .xlsx bytes (only ``unit``'s items and officers with it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    content = year_content(session, year, today, unit=unit, tz=tz)
    book = Workbook()
    book.remove(book.active)

    items = _sheet(
        book,
        SHEETS[0],
        ITEM_HEADERS,
        (
            [
                i.id,
                i.month,
                i.section_label,
                i.kind,
                i.wording,
                i.due,
                ", ".join(i.assignees),
                i.status_label,
                i.confirmed_by,
                i.confirmed_at.replace(tzinfo=None) if i.confirmed_at else None,
                i.note,
            ]
            for i in content.items
        ),
    )
    items.column_dimensions["E"].width = 80
    items.column_dimensions["K"].width = 50
    for row in items.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
        row[10].alignment = Alignment(wrap_text=True, vertical="top")
        row[5].number_format = "DD/MM/YYYY"
        row[9].number_format = "DD/MM/YYYY HH:MM"

    labels = [label for _key, label in SECTIONS] + ["Phát sinh"]
    by_month: dict[tuple[int, str], list[Item]] = defaultdict(list)
    for item in content.items:
        by_month[(item.month, item.section_label)].append(item)
    _sheet(
        book,
        SHEETS[1],
        ("Tháng", "Mảng", *TALLY_HEADERS),
        (
            [month, label, *_tally(by_month[(month, label)])]
            for month in range(1, 13)
            for label in labels
            if by_month[(month, label)]
        ),
    )

    by_unit: dict[int | None, list[Item]] = defaultdict(list)
    for item in content.items:
        for unit_id in item.unit_ids or {None}:
            by_unit[unit_id].append(item)
    names = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_(by_unit)))}
    _sheet(
        book,
        SHEETS[2],
        ("Đơn vị", *TALLY_HEADERS),
        sorted(
            [names.get(uid, "Chưa giao đơn vị") if uid else "Chưa giao đơn vị", *_tally(group)]
            for uid, group in by_unit.items()
        ),
    )

    _sheet(
        book,
        SHEETS[3],
        (
            "Cán bộ",
            "Xã, phường phụ trách",
            "Đã đến",
            "Tỉ lệ (%)",
            "Ngày đi cơ sở (năm)",
            *(f"T{m}" for m in range(1, 13)),
        ),
        (
            [
                v.officer,
                v.total,
                v.reached,
                v.percent,
                v.days,
                *content.monthly_days.get(v.officer, [0] * 12),
            ]
            for v in content.visits
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
