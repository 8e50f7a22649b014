"""Plans read through OCR or a PDF layout: month headings with their list number lost or
garbled, bullets as Tesseract reads them, running footers, and a month that came out empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from calendars.pdf_text import ocr_paragraphs
from calendars.plan_parser import parse_plan
from calendars.plan_reader import Paragraph, document_from_ocr
from tests.cli_support import run_cli

INTRO = ["KẾ HOẠCH", "Công tác dân vận năm 2024", "Số 7-KH/BDVTU"]


def programme(headings: dict[int, str], items: dict[int, list[str]]) -> list[Paragraph]:
    lines = list(INTRO)
    for month in range(1, 13):
        if month in headings:
            lines.append(headings[month])
        lines.append("Nhiệm vụ chuyên môn của Ban")
        lines += [f"- {text}" for text in items.get(month, [f"Báo cáo tháng {month}/2024."])]
    return [Paragraph(line) for line in lines]


@pytest.mark.parametrize(
    "heading",
    ["8. Tháng 8:", "Tháng 8:", ". Tháng 8:", "THÁNG 8", "Thang 8", "§. Tháng 8;", "8 Tháng 8:"],
)
def test_a_month_heading_is_known_by_its_word_and_number_whatever_befalls_its_list_number(
    heading: str,
) -> None:
    headings = {m: f"{m}. Tháng {m}:" for m in range(1, 13)}
    headings[8] = heading
    plan = parse_plan(programme(headings, {}))
    assert [i.month for i in plan.items] == list(range(1, 13))
    assert plan.warnings == ()


def test_an_item_never_runs_over_a_month_heading() -> None:
    paragraphs = [
        *map(Paragraph, INTRO),
        Paragraph("Tháng 7:"),
        Paragraph("Báo cáo công tác dân vận", list_item=True),
        Paragraph("tháng 7/2024."),  # a wrapped line: the item goes on
        Paragraph(". Tháng 8:"),
        Paragraph("Dự lễ Vu Lan (ngày 18/8/2024).", list_item=True),
    ]
    plan = parse_plan(paragraphs)
    assert [(i.month, i.text) for i in plan.items] == [
        (7, "Báo cáo công tác dân vận tháng 7/2024."),
        (8, "Dự lễ Vu Lan (ngày 18/8/2024)."),
    ]


def test_a_month_that_came_out_empty_between_others_is_flagged() -> None:
    headings = {m: f"{m}. Tháng {m}:" for m in range(1, 13)}
    del headings[8]  # lost: August's item folds into July
    plan = parse_plan(programme(headings, {}))
    assert plan.warnings == ("Tháng 8: không tìm thấy việc nào — kiểm tra lại bản gốc",)
    assert [i.month for i in plan.items].count(7) == 2


def test_a_month_that_says_it_has_nothing_is_not_flagged() -> None:
    headings = {m: f"{m}. Tháng {m}:" for m in range(1, 13)}
    plan = parse_plan(programme(headings, {2: ["Không có."]}))
    assert 2 not in {i.month for i in plan.items}
    assert plan.warnings == ()


def test_the_import_summary_shows_the_empty_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]
) -> None:
    lines = [
        *INTRO,
        "7. Tháng 7:",
        "- Báo cáo công tác dân vận tháng 7/2024.",
        "8. Tháng 8:",
        "9. Tháng 9:",
        "- Báo cáo công tác dân vận tháng 9/2024.",
    ]
    path = tmp_path / "kh.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_cli(capsys, "import", str(path), "--dry-run")
    assert result.code == 0, result.err
    assert "Chú ý: Tháng 8: không tìm thấy việc nào — kiểm tra lại bản gốc" in result.err


OCR_TEXT = (
    "1\n\nTỈNH ỦY TÂY NINH\nBAN DÂN VẬN\nKẾ HOẠCH\nCông tác dân vận năm 2024\n\n"
    "1. Tháng 1:\n1.1. Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy\n"
    "e Mời Thường trực Tỉnh ủy thăm, chúc Tết Nguyên đán Giáp Thìn năm 2024 các tổ chức\n"
    "tôn giáo.\n\n"
    "1.2. Nhiệm vụ chuyên môn của Ban\n\n"
    "Kế hoạch công tác dân vận năm 2024\n\f"
    "® Báo cáo công tác dân vận tháng 01/2024.\n"
    "s Không có.\n\n"
    "2. Tháng 2:\n2.1. Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy\n"
    "©Báo cáo nhanh tình hình Nhân dân trước, trong và sau Tết Nguyên đán Giáp Thìn\n"
    "2024.\n\n2.2. Nhiệm vụ chuyên môn của Ban\n\n"
    "Kế hoạch công tác dân vận năm 2024\n\f"
    "« Báo cáo công tác dân vận tháng 02/2024.\n\n"
    "Kế hoạch công tác dân vận năm 2024\n"
)


def test_recognised_text_reads_bullets_as_tesseract_writes_them_and_drops_footers() -> None:
    paragraphs = ocr_paragraphs(OCR_TEXT)
    texts = [p.text for p in paragraphs]
    assert "Kế hoạch công tác dân vận năm 2024" not in texts
    assert "1" not in texts
    assert "2.2. Nhiệm vụ chuyên môn của Ban" in texts  # a heading at a page end stays
    bullets = [p.text for p in paragraphs if p.bullet]
    assert bullets == [
        "Mời Thường trực Tỉnh ủy thăm, chúc Tết Nguyên đán Giáp Thìn năm 2024 các tổ chức "
        "tôn giáo.",
        "Báo cáo công tác dân vận tháng 01/2024.",
        "Không có.",
        "Báo cáo nhanh tình hình Nhân dân trước, trong và sau Tết Nguyên đán Giáp Thìn 2024.",
        "Báo cáo công tác dân vận tháng 02/2024.",
    ]


def test_a_recognised_plan_is_marked_and_parses_into_its_months() -> None:
    document = document_from_ocr("scan.pdf", OCR_TEXT, "0" * 64, pages=3)
    assert document.ocr and document.pages == 3
    plan = parse_plan(document.paragraphs)
    assert [(i.month, i.section) for i in plan.items] == [
        (1, "tham-muu"),
        (1, "chuyen-mon"),
        (2, "tham-muu"),
        (2, "chuyen-mon"),
    ]
    assert not [i for i in plan.items if "Không có" in i.text or i.title[:1] in "e®©«s"]
