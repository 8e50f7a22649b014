"""Plan documents of other shapes, generated for the import tests.

One programme (a 2025 plan that speaks of communes and wards, after the district level was
abolished) written out as a text file, a Word file and a PDF, each in the habits of a
different office: other heading variants, Word list bullets, a page break inside an item,
page numbers, a recipients list and a signature block.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)

THAM_MUU = "Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy"
CHUYEN_MON = "Nhiệm vụ chuyên môn của Ban"


@dataclass(frozen=True)
class Spec:
    month: int
    section: str
    text: str
    # Where a page break cuts the item (the text before it), to test joining.
    break_after: str | None = None


ITEMS_2025: tuple[Spec, ...] = (
    Spec(
        1,
        "tham-muu",
        "Mời Thường trực Tỉnh ủy thăm, chúc Tết Nguyên đán Ất Tỵ năm 2025 các tổ chức tôn giáo.",
    ),
    Spec(1, "chuyen-mon", "Báo cáo công tác dân vận tháng 01/2025."),
    Spec(
        1,
        "chuyen-mon",
        "Kế hoạch thăm, chúc mừng chức sắc Cao Đài nhân dịp Đại lễ Đức Chí Tôn năm 2025.",
    ),
    Spec(
        2,
        "chuyen-mon",
        "Báo cáo nhanh tình hình Nhân dân trước, trong và sau Tết Nguyên đán Ất Tỵ 2025.",
    ),
    Spec(
        2,
        "chuyen-mon",
        "Hướng dẫn Ban Dân vận các xã, phường báo cáo kết quả thực hiện dân chủ ở cơ sở (nếu có).",
    ),
    Spec(3, "tham-muu", "Tham mưu Thường trực Tỉnh ủy họp Ban Chỉ đạo 37 định kỳ quý I năm 2025."),
    Spec(
        3,
        "chuyen-mon",
        "Xây dựng kế hoạch giám sát việc thực hiện Chỉ thị số 05-CT/TU, ngày 20/7/2021 của "
        "Ban Thường vụ Tỉnh ủy đối với Đảng ủy xã Tân Đông và Đảng ủy phường Long Hoa.",
        break_after="đối với Đảng ủy",
    ),
    Spec(
        4,
        "chuyen-mon",
        "Thăm già làng, người có uy tín dân tộc Khmer nhân dịp Tết Chol Chnam Thmay "
        "(ngày 14 – 16/4/2025).",
    ),
    Spec(
        9,
        "chuyen-mon",
        "Kế hoạch thăm, chúc mừng người có uy tín dân tộc Khmer nhân dịp lễ Sen Đôn-ta "
        "(29/8-01/9 âm lịch).",
    ),
    Spec(
        10,
        "tham-muu",
        "Báo cáo sơ kết 05 năm thực hiện Kết luận số 65-KL/TW, ngày 30/10/2019 của Bộ Chính trị "
        "về tiếp tục thực hiện Nghị quyết số 24-NQ/TW, ngày 12/3/2003 về công tác dân tộc.",
        break_after="Nghị quyết số 24-",
    ),
    Spec(
        10,
        "chuyen-mon",
        "Tổ chức các hoạt động kỷ niệm 95 năm Ngày truyền thống công tác dân vận của Đảng "
        "(15/10/1930-15/10/2025).",
    ),
    Spec(
        12, "tham-muu", "Tham mưu Thường trực Tỉnh ủy họp Ban Chỉ đạo 37 định kỳ quý IV năm 2025."
    ),
    Spec(
        12,
        "chuyen-mon",
        "Kế hoạch thăm, chúc mừng chức sắc Công giáo và Tin Lành nhân dịp lễ Giáng sinh năm 2025.",
    ),
    Spec(12, "chuyen-mon", "Báo cáo tổng kết công tác dân vận năm 2025 của các xã, phường."),
)
MONTHS_2025 = (1, 2, 3, 4, 9, 10, 12)
NUMBER_2025 = "12-KH/BDVTU"

HEADER = ("TỈNH ỦY TÂY NINH", "BAN DÂN VẬN", f"Số {NUMBER_2025}")
HEADER_RIGHT = ("ĐẢNG CỘNG SẢN VIỆT NAM", "Tây Ninh, ngày 20 tháng 12 năm 2024")
TITLE = ("KẾ HOẠCH", "Công tác dân vận năm 2025")
INTRO = (
    "Căn cứ Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2025, Ban Dân vận Tỉnh ủy xây dựng "
    "chương trình công tác năm 2025 như sau:"
)
ENDING = (
    "Trên đây là chương trình công tác năm 2025 của Ban Dân vận Tỉnh ủy.",
    "Nơi nhận:",
    "- Thường trực Tỉnh ủy (b/c),",
    "- Ban Dân vận các xã, phường (t/h),",
    "- Lưu Văn thư.",
    "K/T TRƯỞNG BAN",
    "PHÓ TRƯỞNG BAN",
    "Nguyễn Văn A",
)


def _sections(month: int) -> dict[str, list[Spec]]:
    return {
        section: [s for s in ITEMS_2025 if s.month == month and s.section == section]
        for section in ("tham-muu", "chuyen-mon")
    }


def _split(spec: Spec) -> tuple[str, str | None]:
    if spec.break_after is None:
        return spec.text, None
    cut = spec.text.index(spec.break_after) + len(spec.break_after)
    return spec.text[:cut].rstrip(), spec.text[cut:].lstrip()


def write_text_plan(path: Path) -> Path:
    """``•`` bullets, ``Tháng 01/2025:`` headings, ``a)``/``b)`` sections, a run-together line."""
    lines = [*HEADER, *HEADER_RIGHT, "", *TITLE, "", INTRO, ""]
    for month in MONTHS_2025:
        lines += [f"Tháng {month:02d}/2025:", ""]
        for letter, (section, specs) in zip("ab", _sections(month).items(), strict=True):
            lines.append(f"{letter}) {THAM_MUU if section == 'tham-muu' else CHUYEN_MON}")
            if not specs:
                lines.append("• Không có.")
            if month == 2 and section == "chuyen-mon":
                # Two items on one line, as a careless edit leaves them.
                lines.append(f"• {specs[0].text} • {specs[1].text}")
                specs = specs[2:]
            for spec in specs:
                head, tail = _split(spec)
                lines.append(f"• {head}")
                if tail:
                    lines += ["", "2", "", tail]  # a page number between the halves
            lines.append("")
    lines += list(ENDING)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def _list_paragraph(document: docx.document.Document, text: str, direct: bool) -> None:
    """A Word list paragraph: numbering from the style, or a direct ``w:numPr``."""
    if not direct:
        document.add_paragraph(text, style="List Bullet")
        return
    paragraph = document.add_paragraph(text)
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num_id = OxmlElement("w:numId")
    num_id.set(qn("w:val"), "1")
    num_pr.append(ilvl)
    num_pr.append(num_id)
    paragraph._p.get_or_add_pPr().append(num_pr)


def write_docx_plan(path: Path) -> Path:
    """Header in a table, ``THÁNG 1`` headings, Word list bullets without bullet characters,
    a page break inside an item, December's part inside a table cell."""
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "\n".join(HEADER)
    header.cell(0, 1).text = "\n".join(HEADER_RIGHT)
    for line in TITLE:
        document.add_paragraph(line)
    document.add_paragraph(INTRO)
    direct = False
    for month in MONTHS_2025:
        if month == 12:
            break
        document.add_heading(f"THÁNG {month}", level=2)
        for number, (section, specs) in enumerate(_sections(month).items(), start=1):
            name = THAM_MUU if section == "tham-muu" else CHUYEN_MON
            document.add_paragraph(f"{month}.{number}. {name}")
            if not specs:
                document.add_paragraph("Không có.")
            for spec in specs:
                head, tail = _split(spec)
                _list_paragraph(document, head, direct)
                direct = not direct
                if tail:
                    document.add_page_break()
                    document.add_paragraph(tail)
    table = document.add_table(rows=1, cols=1)
    cell = table.cell(0, 0)
    cell.paragraphs[0].text = "THÁNG 12"
    for number, (section, specs) in enumerate(_sections(12).items(), start=1):
        cell.add_paragraph(f"12.{number}. {THAM_MUU if section == 'tham-muu' else CHUYEN_MON}")
        for spec in specs:
            cell.add_paragraph(f"- {spec.text}")
    for line in ENDING:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def find_font() -> Path | None:
    return next((p for p in FONT_CANDIDATES if p.is_file()), None)


def write_pdf_plan(path: Path, font: Path) -> Path:
    """fpdf2 output: ``Tháng 1:`` headings, ``-`` bullets, wrapped lines, a page break
    inside an item, page numbers in the footer."""
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.cell(0, 10, str(self.page_no()), align="C")

    pdf = _Pdf(format="A4")
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()

    def line(text: str) -> None:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    for text in (*HEADER, *TITLE, INTRO):
        line(text)
    for month in MONTHS_2025:
        line(f"Tháng {month}:")
        for number, (section, specs) in enumerate(_sections(month).items(), start=1):
            line(f"{month}.{number}. {THAM_MUU if section == 'tham-muu' else CHUYEN_MON}")
            if not specs:
                line("- Không có.")
            for spec in specs:
                head, tail = _split(spec)
                line(f"- {head}")
                if tail:
                    pdf.add_page()
                    line(tail)
    for text in ENDING:
        line(text)
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF with pictures only (a scan): no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for row in range(20):
        pdf.rect(10, 10 + row * 12, 190, 8, style="F")
    pdf.output(str(path))
    return path
