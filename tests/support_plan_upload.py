"""The 2024 plan as a Word file and an amended copy of it, for the upload tests."""

from __future__ import annotations

import io
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parent.parent
PLAN_TXT = ROOT / "data" / "plans" / "2024_100-KH-BDVTU.txt"

# One item reworded a little (the importer keeps it as the same item, edited) ...
CHANGED_OLD = "Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025."
CHANGED_NEW = "Lập dự toán kinh phí hoạt động của Ban Chỉ đạo 37 tỉnh năm 2025."
# ... and one item added to July.
ADDED = "Báo cáo nhanh tình hình Nhân dân trước, trong và sau kỳ nghỉ lễ Quốc khánh 2/9/2024."
ADDED_AFTER = "- Báo cáo công tác dân vận tháng 7/2024."


def plan_text(amended: bool = False) -> str:
    text = PLAN_TXT.read_text(encoding="utf-8")
    if amended:
        assert CHANGED_OLD in text and ADDED_AFTER in text
        text = text.replace(CHANGED_OLD, CHANGED_NEW, 1)
        text = text.replace(ADDED_AFTER, f"{ADDED_AFTER}\n\n- {ADDED}", 1)
    return text


def docx_bytes(text: str) -> bytes:
    """Each line of the text file as one Word paragraph."""
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def plan_docx(amended: bool = False) -> bytes:
    return docx_bytes(plan_text(amended))


def no_month_docx() -> bytes:
    return docx_bytes(
        "BAN DÂN VẬN TỈNH ỦY\nCông văn về việc tổ chức hội nghị\n"
        "Kính gửi các đơn vị: đề nghị cử cán bộ dự hội nghị.\nNơi nhận: như trên."
    )


# A small PNG (1x1, transparent): what a phone photo upload looks like to the reader.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
