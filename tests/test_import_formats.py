"""Plans in other shapes (.txt with • bullets, .docx with Word lists, PDF) give the same items."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from calendars.observances import load_catalog
from calendars.plan_parser import ParsedPlan, parse_plan
from calendars.plan_reader import DocumentError, read_document
from tests.support_import import (
    ITEMS_2025,
    NUMBER_2025,
    find_font,
    write_docx_plan,
    write_pdf_plan,
    write_scanned_pdf,
    write_text_plan,
)

EXPECTED = [(s.month, s.section, s.text) for s in ITEMS_2025]


def found(plan: ParsedPlan) -> list[tuple[int, str, str]]:
    return [(i.month, i.section, i.text) for i in plan.items]


@pytest.fixture
def text_plan(tmp_path: Path) -> ParsedPlan:
    return parse_plan(read_document(write_text_plan(tmp_path / "kh2025.txt")).paragraphs)


def test_a_text_plan_with_bullets_and_month_year_headings_gives_every_item(
    text_plan: ParsedPlan,
) -> None:
    assert found(text_plan) == EXPECTED
    assert text_plan.number == NUMBER_2025
    assert text_plan.year == 2025


def test_a_utf8_file_with_a_byte_order_mark_reads_like_one_without(tmp_path: Path) -> None:
    with_bom = write_text_plan(tmp_path / "bom.txt")
    assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
    plain = tmp_path / "plain.txt"
    plain.write_bytes(with_bom.read_bytes()[3:])
    assert read_document(with_bom).paragraphs == read_document(plain).paragraphs
    assert read_document(with_bom).paragraphs[0].text == "TỈNH ỦY TÂY NINH"


def test_a_word_plan_with_list_bullets_and_tables_gives_the_same_items(tmp_path: Path) -> None:
    document = read_document(write_docx_plan(tmp_path / "kh2025.docx"))
    bullets = [p for p in document.paragraphs if p.list_item]
    assert bullets and not any(p.text.startswith(("-", "•")) for p in bullets)
    plan = parse_plan(document.paragraphs)
    assert found(plan) == EXPECTED
    assert (plan.number, plan.year) == (NUMBER_2025, 2025)


def test_a_pdf_plan_gives_the_same_items(tmp_path: Path) -> None:
    font = find_font()
    if font is None:
        pytest.skip("no TTF font with Vietnamese glyphs (apt-get install fonts-dejavu-core)")
    plan = parse_plan(read_document(write_pdf_plan(tmp_path / "kh2025.pdf", font)).paragraphs)
    assert found(plan) == EXPECTED
    assert (plan.number, plan.year) == (NUMBER_2025, 2025)


def test_the_2025_plan_dates_follow_the_2025_calendar(text_plan: ParsedPlan) -> None:
    by_text = {i.text: i for i in text_plan.items}
    catalog = load_catalog()

    sen_don_ta = next(i for t, i in by_text.items() if "Sen Đôn-ta" in t)
    # The plan writes "29/8-01/9 âm lịch"; the festival keeps the Khmer calendar, whose
    # 14 roach Bhadrapada is 21/9/2025, a month before 29/8 âm lịch (issue #12).
    assert (sen_don_ta.start, sen_don_ta.end) == (date(2025, 9, 21), date(2025, 9, 23))

    chol = next(i for t, i in by_text.items() if "Chol Chnam Thmay" in t)
    assert (chol.start, chol.end) == (date(2025, 4, 14), date(2025, 4, 16))

    anniversary = next(i for t, i in by_text.items() if "kỷ niệm 95 năm" in t)
    assert anniversary.start == date(2025, 10, 15)

    tet = catalog.occurrence("tet-nguyen-dan", 2025)
    assert tet is not None and tet.start == date(2025, 1, 29)
    visit = text_plan.items[0]
    assert (visit.kind, visit.observance, visit.start) == ("visit", "tet-nguyen-dan", tet.start)

    christmas = next(i for t, i in by_text.items() if "Giáng sinh" in t)
    occurrence = catalog.occurrence("giang-sinh", 2025)
    assert occurrence is not None
    assert christmas.start == occurrence.start and christmas.due < occurrence.start


def test_the_2025_plan_keeps_references_and_conditional_flags(text_plan: ParsedPlan) -> None:
    by_month = {(i.month, i.text[:20]): i for i in text_plan.items}
    assert by_month[(10, "Báo cáo sơ kết 05 nă")].references == ("65-KL/TW", "24-NQ/TW")
    assert by_month[(3, "Xây dựng kế hoạch gi")].references == ("05-CT/TU",)
    assert by_month[(3, "Xây dựng kế hoạch gi")].kind == "supervision"
    assert [i.conditional for i in text_plan.items].count(True) == 1


def test_a_scanned_pdf_without_text_says_so(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="không có lớp chữ"):
        read_document(write_scanned_pdf(tmp_path / "scan.pdf"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.docx", b"PK\x03\x04 not really a zip", "bị hỏng"),
        ("plan.pdf", b"%PDF-1.4\n garbage without objects", "PDF"),
        ("plan.txt", b"\x00\x01\x02binary\xff\xfe" * 50, "không phải văn bản"),
        ("plan.txt", "Kế hoạch".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
        ("plan.txt", b"   \n\n  ", "rỗng"),
        ("plan.odt", b"whatever", "Không hỗ trợ loại tệp .odt"),
    ],
)
def test_unreadable_documents_give_one_clear_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        read_document(path)


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    with pytest.raises(DocumentError, match="Word"):
        read_document(path)


def test_a_missing_file_is_named_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="Không tìm thấy tệp"):
        read_document(tmp_path / "nowhere.txt")


def test_a_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("calendars.plan_reader.MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text("Tháng 1\n" * 500, encoding="utf-8")
    with pytest.raises(DocumentError, match="quá lớn"):
        read_document(path)
