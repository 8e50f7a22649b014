"""Plans as offices send them: Word documents exported to PDF, and scans of those pages.

A plan is written with python-docx the way a Vietnamese office types it (Times New Roman
14, justified, real Word list bullets: a numbering definition whose bullet is the Symbol
font's U+F0B7, page numbers in the header, a running footer), converted to PDF by
LibreOffice, and for the scans rendered back to 200-dpi greyscale pictures, turned a
fraction of a degree, sprinkled with noise and wrapped into a PDF with img2pdf.

Two plans: the bundled 2024 plan, rebuilt from its text, and a 2025-shaped plan whose
items are listed here with their month and section, so tests know the exact counts.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

THAM_MUU = "Tham mưu Thường trực Tỉnh ủy, Ban Thường vụ Tỉnh ủy"
CHUYEN_MON = "Nhiệm vụ chuyên môn của Ban"
WORD_BULLET = "\uf0b7"  # what Word writes for the Symbol font's round bullet


def require_tool(command: str, package: str) -> str:
    """The path of ``command``; skip naming the Debian package, or fail under CI."""
    found = shutil.which(command)
    if found:
        return found
    message = f"{command} is missing (apt-get install {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Block:
    """One Word paragraph: ``kind`` is ``heading`` (bold), ``bullet``, ``text`` or ``center``."""

    kind: str
    text: str


def blocks_from_seed(text: str) -> list[Block]:
    """The 2024 plan's text as the Word paragraphs it was typed as.

    The text copy carries page-break cuts (an item's tail on its own line) and footnotes;
    in Word an item is one paragraph, so the tails are joined back and footnotes dropped.
    """
    blocks: list[Block] = []
    recipients = False  # the "Nơi nhận:" list is typed with plain dashes
    for raw in text.splitlines():
        line = raw.strip().replace("**", "").replace("*", "")
        if not line or line[0] in "¹²³⁴⁵⁶⁷⁸⁹":
            continue
        previous = blocks[-1] if blocks else None
        recipients = (recipients or line == "Nơi nhận:") and not line.isupper()
        if line.startswith("- "):
            blocks.append(Block("text", line) if recipients else Block("bullet", line[2:]))
        elif (
            previous is not None
            and previous.kind in ("bullet", "text")
            and not previous.text.endswith((".", ":", ";"))
            and not re.match(r"^\d+(\.\d+)*[.-]", line)
            and (previous.kind == "bullet" or line[0].islower())
        ):
            glue = "" if re.search(r"\w-$", previous.text) else " "  # "24-" + "NQ/TW"
            blocks[-1] = Block(previous.kind, f"{previous.text}{glue}{line}")
        elif re.match(r"^(\d+(\.\d+)*[.-]|[IVX]+\.)\s", line) or line.isupper():
            blocks.append(Block("heading", line))
        else:
            blocks.append(Block("text", line))
    return blocks


@dataclass(frozen=True)
class Item:
    month: int
    section: str
    text: str


# A 2025-shaped programme of 22 items: long items that wrap over several justified lines,
# one month with "Không có.", items that run over page breaks, months with one item.
_ITEMS_2025 = """
1 tham-muu Mời Thường trực Tỉnh ủy thăm, chúc Tết Nguyên đán Ất Tỵ năm 2025 các tổ chức tôn
    giáo, chức sắc tiêu biểu và già làng, người có uy tín trong đồng bào dân tộc thiểu số trên
    địa bàn tỉnh.
1 chuyen-mon Báo cáo công tác dân vận tháng 01/2025.
1 chuyen-mon Kế hoạch tổ chức đoàn thăm, chúc mừng các tổ chức tôn giáo nhân dịp Tết Nguyên
    đán năm 2025.
2 chuyen-mon Báo cáo nhanh tình hình Nhân dân trước, trong và sau Tết Nguyên đán Ất Tỵ 2025.
2 chuyen-mon Phối hợp các ngành liên quan tổ chức đoàn dự Đại lễ Đức Chí Tôn của đạo Cao Đài
    Tây Ninh (ngày 06/02/2025).
3 tham-muu Xây dựng kế hoạch giám sát; quyết định thành lập đoàn giám sát; hướng dẫn báo cáo
    kết quả thực hiện Chỉ thị số 05-CT/TU, ngày 20/7/2021 của Ban Thường vụ Tỉnh ủy về đẩy
    mạnh kỷ luật, kỷ cương, trách nhiệm của cán bộ, đảng viên, công chức, viên chức trong thực
    hiện nhiệm vụ đối với Đảng ủy xã Tân Đông và Đảng ủy phường Long Hoa.
3 chuyen-mon Báo cáo quý I/2025: công tác dân vận, công tác tôn giáo; công tác nội chính,
    phòng chống tham nhũng, lãng phí, tiêu cực.
4 chuyen-mon Thăm già làng, người có uy tín dân tộc Khmer nhân dịp Tết Chol Chnam Thmay (ngày
    14 – 16/4/2025).
4 chuyen-mon Báo cáo công tác dân vận tháng 4/2025.
5 chuyen-mon Kế hoạch thăm, chúc mừng chức sắc Phật giáo tiêu biểu nhân dịp Đại lễ Phật đản PL
    2569 – DL 2025 (ngày 12/5/2025).
6 tham-muu Báo cáo kết quả công tác dân vận; thực hiện dân chủ ở cơ sở 6 tháng đầu năm 2025,
    phương hướng, nhiệm vụ 6 tháng cuối năm 2025 của Ban Thường vụ Tỉnh ủy gửi Ban Dân vận
    Trung ương.
6 chuyen-mon Tổ chức giám sát việc thực hiện Chỉ thị số 05-CT/TU, ngày 20/7/2021 của Ban
    Thường vụ Tỉnh ủy đối với Đảng ủy xã Tân Đông và Đảng ủy phường Long Hoa.
7 chuyen-mon Lập dự toán kinh phí hoạt động của Ban Chỉ đạo 37 tỉnh năm 2026.
8 tham-muu Thông qua kết quả giám sát việc thực hiện Chỉ thị số 05-CT/TU, ngày 20/7/2021 của
    Ban Thường vụ Tỉnh ủy đối với Đảng ủy xã Tân Đông và Đảng ủy phường Long Hoa.
8 chuyen-mon Dự lễ Vu Lan tại các điểm chùa và tịnh xá trong tỉnh (ngày 06/9/2025).
9 chuyen-mon Kế hoạch thăm, chúc mừng người có uy tín dân tộc Khmer nhân dịp lễ Sen Đôn-ta
    (29/8-01/9 âm lịch).
10 tham-muu Báo cáo sơ kết 05 năm thực hiện Kết luận số 65-KL/TW, ngày 30/10/2019 của Bộ Chính
    trị về tiếp tục thực hiện Nghị quyết số 24-NQ/TW, ngày 12/3/2003 của Ban Chấp hành Trung
    ương Đảng (khóa IX) về công tác dân tộc trong tình hình mới.
10 chuyen-mon Tổ chức các hoạt động kỷ niệm 95 năm Ngày truyền thống công tác dân vận của Đảng
    (15/10/1930-15/10/2025).
11 chuyen-mon Báo cáo tổng kết năm: công tác dân vận; xây dựng và thực hiện dân chủ ở cơ sở;
    công tác dân vận chính quyền; công tác vận động đồng bào dân tộc thiểu số; công tác kiểm
    tra, giám sát năm 2025.
12 tham-muu Tham mưu Thường trực Tỉnh ủy họp Ban Chỉ đạo định kỳ quý IV năm 2025 và đề ra
    phương hướng hoạt động năm 2026.
12 chuyen-mon Kế hoạch thăm, chúc mừng chức sắc Công giáo và Tin Lành tiêu biểu nhân dịp lễ
    Giáng sinh (ngày 24/12/2025).
12 chuyen-mon Chương trình công tác năm 2026 của Thường trực Ban Chỉ đạo 37 tỉnh.
"""


def _items(table: str) -> tuple[Item, ...]:
    """One item per line "MONTH SECTION TEXT"; an indented line continues the text."""
    items: list[Item] = []
    for line in table.strip().splitlines():
        if line.startswith(" "):
            last = items[-1]
            items[-1] = Item(last.month, last.section, f"{last.text} {line.strip()}")
        else:
            month, section, text = line.split(" ", 2)
            items.append(Item(int(month), section, text))
    return tuple(items)


ITEMS_2025 = _items(_ITEMS_2025)
NUMBER_2025 = "15-KH/BDVTU"


def blocks_2025() -> list[Block]:
    """The 2025 plan's paragraphs: letterhead, title, introduction, months, closing."""
    blocks = [
        Block("center", "TỈNH ỦY TÂY NINH"),
        Block("center", "BAN DÂN VẬN"),
        Block("center", f"Số {NUMBER_2025}"),
        Block("center", "Tây Ninh, ngày 10 tháng 01 năm 2025"),
        Block("center", "KẾ HOẠCH"),
        Block("center", "Công tác dân vận năm 2025"),
        Block(
            "text",
            "Thực hiện Nghị quyết của Tỉnh ủy về phương hướng, nhiệm vụ năm 2025, Ban Dân vận "
            "Tỉnh ủy xây dựng chương trình công tác năm 2025 với những nội dung cụ thể sau:",
        ),
    ]
    for month in range(1, 13):
        blocks.append(Block("heading", f"{month}. Tháng {month}:"))
        for number, section in enumerate(("tham-muu", "chuyen-mon"), start=1):
            name = THAM_MUU if section == "tham-muu" else CHUYEN_MON
            blocks.append(Block("heading", f"{month}.{number}. {name}"))
            items = [i for i in ITEMS_2025 if i.month == month and i.section == section]
            blocks += [Block("bullet", i.text) for i in items] or [Block("bullet", "Không có.")]
    blocks += [
        Block(
            "text",
            "Trên đây là chương trình công tác năm 2025 của Ban Dân vận Tỉnh ủy, trong quá "
            "trình thực hiện sẽ điều chỉnh cho phù hợp với tình hình thực tế.",
        ),
        Block("text", "Nơi nhận:"),
        Block("text", "- Thường trực Tỉnh ủy (b/c),"),
        Block("text", "- Lưu Văn thư Ban Dân vận Tỉnh ủy."),
        Block("center", "K/T TRƯỞNG BAN"),
        Block("center", "PHÓ TRƯỞNG BAN"),
    ]
    return blocks


# --------------------------------------------------------------------------- Word


def _bullet_numbering(document: docx.document.Document) -> str:
    """Add a Word bullet list whose bullet is Symbol U+F0B7; return its numId."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    level = OxmlElement("w:lvl")
    level.set(qn("w:ilvl"), "0")
    for tag, value in (("w:start", "1"), ("w:numFmt", "bullet"), ("w:lvlText", WORD_BULLET)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        level.append(element)
    ppr = OxmlElement("w:pPr")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), "0")
    ind.set(qn("w:firstLine"), "567")
    ppr.append(ind)
    level.append(ppr)
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:hint"):
        fonts.set(qn(attr), "Symbol" if attr != "w:hint" else "default")
    rpr.append(fonts)
    level.append(rpr)
    abstract.append(level)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    abstract_id = OxmlElement("w:abstractNumId")
    abstract_id.set(qn("w:val"), "90")
    num.append(abstract_id)
    numbering.append(num)
    return "90"


def _page_field(paragraph: docx.text.paragraph.Paragraph) -> None:
    run = paragraph.add_run()
    for tag, attrs in (
        ("w:fldChar", {"w:fldCharType": "begin"}),
        ("w:instrText", {}),
        ("w:fldChar", {"w:fldCharType": "end"}),
    ):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if tag == "w:instrText":
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        run._r.append(element)


def write_word_docx(path: Path, blocks: list[Block], footer: str) -> Path:
    """A .docx typed the office way; ``footer`` is a running footer line on every page."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(6)
    num_id = _bullet_numbering(document)
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header)
    footer_paragraph = section.footer.paragraphs[0]
    footer_paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer_run = footer_paragraph.add_run(footer)
    footer_run.italic = True
    footer_run.font.size = Pt(10)
    for block in blocks:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.kind == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
            continue
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Pt(28)
        if block.kind == "heading":
            run.bold = True
        elif block.kind == "bullet":
            num_pr = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), "0")
            num = OxmlElement("w:numId")
            num.set(qn("w:val"), num_id)
            num_pr.append(ilvl)
            num_pr.append(num)
            paragraph._p.get_or_add_pPr().insert(0, num_pr)
    document.save(str(path))
    return path


def to_pdf(docx_path: Path) -> Path:
    """Convert with LibreOffice (its own profile folder, so parallel runs do not collide)."""
    soffice = require_tool("soffice", "libreoffice-writer-nogui")
    profile = docx_path.parent / f".lo-profile-{os.getpid()}"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(docx_path.parent),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = docx_path.with_suffix(".pdf")
    assert pdf.is_file(), f"LibreOffice did not write {pdf}"
    return pdf


# --------------------------------------------------------------------------- scans


def scan(pdf: Path, out: Path, pages: str | None = None, seed: int = 7) -> Path:
    """Pages of ``pdf`` as a 200-dpi greyscale scan: slightly turned, noisy, img2pdf-wrapped.

    ``pages`` ("3-9") limits the scan to some pages, to keep OCR time modest.
    """
    from PIL import Image, ImageFilter

    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    img2pdf = require_tool("img2pdf", "img2pdf")
    folder = out.parent / f"{out.stem}-pages"
    folder.mkdir(exist_ok=True)
    command = [pdftoppm, "-r", "200", "-gray", "-png"]
    if pages:
        first, last = pages.split("-")
        command += ["-f", first, "-l", last]
    subprocess.run([*command, str(pdf), str(folder / "p")], check=True, timeout=240)
    rng = random.Random(seed)
    images = []
    for index, page in enumerate(sorted(folder.glob("p-*.png"))):
        picture = Image.open(page).convert("L")
        angle = rng.choice((-1, 1)) * rng.uniform(0.2, 0.6)
        picture = picture.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
        noise = Image.effect_noise(picture.size, 24).filter(ImageFilter.GaussianBlur(0.6))
        picture = Image.blend(picture, noise, 0.12)
        target = folder / f"s-{index:03d}.jpg"
        picture.save(target, quality=80, dpi=(200, 200))
        images.append(str(target))
    subprocess.run([img2pdf, *images, "-o", str(out)], check=True, timeout=240)
    return out


FOOTER_2024 = "Kế hoạch công tác dân vận năm 2024"
FOOTER_2025 = "Kế hoạch công tác dân vận năm 2025"


def word_pdf_2024(folder: Path, seed: Path) -> Path:
    """The bundled 2024 plan typed in Word and exported to PDF."""
    blocks = blocks_from_seed(seed.read_text("utf-8"))
    return to_pdf(write_word_docx(folder / "kh2024.docx", blocks, FOOTER_2024))


def word_pdf_2025(folder: Path) -> Path:
    """The 2025-shaped plan typed in Word and exported to PDF."""
    return to_pdf(write_word_docx(folder / "kh2025.docx", blocks_2025(), FOOTER_2025))
