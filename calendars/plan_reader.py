"""Plan documents (.txt, .docx, .pdf) -> the ordered paragraphs a parser reads.

Reading knows nothing about plans: it only turns each format into the same thing, a list
of ``Paragraph`` in reading order, and says clearly when a file cannot be read (a scanned
PDF without a text layer, a broken Word file, binary junk, a file far too large).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calendars import pdf_text, plan_bounds
from calendars.text import clean_text

# A yearly plan is a few dozen pages; anything far bigger is not one. A scan (a PDF of
# pictures, or a photo) is bigger for the same pages.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_SCAN_BYTES = 100 * 1024 * 1024
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", *IMAGE_SUFFIXES)

_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocumentError(ValueError):
    """A document that cannot be read as a plan; the message is Vietnamese, for the user."""


class NeedsOcr(DocumentError):
    """A scan or a photo: it has no text to read until it is recognised (``calendars.ocr``)."""


@dataclass(frozen=True)
class Paragraph:
    """One line of reading-order text.

    ``list_item`` is true for Word list paragraphs, whose bullet or number is formatting
    (``w:numPr``) rather than a character in the text.
    """

    text: str
    list_item: bool = False


@dataclass(frozen=True)
class Document:
    """What was read from one file: its paragraphs and the SHA-256 of its bytes.

    ``ocr`` is true when the text was recognised from a scan, and a person should check it.
    """

    name: str
    paragraphs: list[Paragraph]
    sha256: str
    ocr: bool = False
    pages: int = 0


def read_document(path: Path | str) -> Document:
    """Read a .txt, .docx or .pdf plan; raise ``DocumentError`` with a clear message."""
    path = Path(path)
    if path.is_dir():
        raise DocumentError(f"{path} là một thư mục, không phải tệp kế hoạch")
    if not path.is_file():
        raise DocumentError(f"Không tìm thấy tệp: {path}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"Không hỗ trợ loại tệp {suffix or '(không có đuôi)'}: chỉ đọc được .txt, .docx, "
            ".pdf và ảnh chụp .jpg, .png"
        )
    size = path.stat().st_size
    limit = MAX_SCAN_BYTES if suffix in (".pdf", *IMAGE_SUFFIXES) else MAX_DOCUMENT_BYTES
    if size > limit:
        raise DocumentError(
            f"Tệp {path.name} quá lớn ({size // (1024 * 1024)} MB); "
            f"giới hạn là {limit // (1024 * 1024)} MB"
        )
    if suffix in IMAGE_SUFFIXES:
        raise NeedsOcr(f"Tệp {path.name} là ảnh chụp: cần nhận dạng chữ (OCR) để đọc")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp {path.name}: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DocumentError(f"Tệp {path.name} rỗng")
    try:
        if suffix == ".txt":
            paragraphs = _read_text(data, path.name)
        elif suffix == ".docx":
            paragraphs = _read_docx(path)
        else:
            paragraphs = _read_pdf(path)
        paragraphs = [p for p in paragraphs if p.text]
        plan_bounds.check_text_size(path.name, sum(len(p.text) for p in paragraphs))
    except plan_bounds.BoundsError as exc:
        raise DocumentError(str(exc)) from exc
    if not paragraphs:
        raise DocumentError(f"Tệp {path.name} không có nội dung chữ")
    return Document(name=path.name, paragraphs=paragraphs, sha256=hashlib.sha256(data).hexdigest())


def document_from_ocr(name: str, text: str, sha256: str, pages: int = 0) -> Document:
    """A document from text recognised in a scan (pages separated by form feeds)."""
    paragraphs = [
        Paragraph(_clean(p.text), p.bullet) for p in pdf_text.ocr_paragraphs(text) if _clean(p.text)
    ]
    if not paragraphs:
        raise DocumentError(f"Không nhận dạng được chữ nào trong bản scan {name}")
    return Document(name=name, paragraphs=paragraphs, sha256=sha256, ocr=True, pages=pages)


def read_paragraphs(path: Path | str) -> list[Paragraph]:
    """The paragraphs of a plan document, in reading order."""
    return read_document(path).paragraphs


def _clean(text: str) -> str:
    # Non-breaking and odd spaces become plain ones; lines are stripped; NFC throughout.
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return " ".join(clean_text(text).split())


def _lines(text: str, list_item: bool = False) -> Iterator[Paragraph]:
    """Split on line breaks; only the first line of a list paragraph carries the bullet."""
    first = True
    for line in text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").split("\n"):
        cleaned = _clean(line)
        if cleaned:
            yield Paragraph(cleaned, list_item and first)
            first = False


def _read_text(data: bytes, name: str) -> list[Paragraph]:
    text = plan_bounds.decode_text(data, name)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > max(8, len(text) // 100):
        raise DocumentError(f"Tệp {name} không phải văn bản (có vẻ là tệp nhị phân)")
    return list(_lines(text.replace("\f", "\n")))


# --------------------------------------------------------------------------- Word


def _read_docx(path: Path) -> list[Paragraph]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    package = plan_bounds.docx_package(path)
    try:
        document = docx.Document(package)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(f"Tệp Word {path.name} bị hỏng hoặc không phải .docx") from exc
    except Exception as exc:  # lxml and zip errors of a damaged package
        raise DocumentError(f"Tệp Word {path.name} bị hỏng: {exc}") from exc
    numbered_styles = _numbered_styles(document)
    paragraphs: list[Paragraph] = []
    for block in document.iter_inner_content():
        paragraphs.extend(_docx_block(block, numbered_styles))
    return paragraphs


def _docx_block(block: Any, numbered_styles: dict[str | None, bool]) -> Iterator[Paragraph]:
    from docx.table import Table

    if isinstance(block, Table):
        yield from _docx_table(block, numbered_styles)
        return
    yield from _lines(block.text, _is_list_paragraph(block, numbered_styles))


def _docx_table(table: Any, numbered_styles: dict[str | None, bool]) -> Iterator[Paragraph]:
    """Cells in row order; a merged cell that python-docx repeats is read once."""
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for inner in cell.iter_inner_content():
                yield from _docx_block(inner, numbered_styles)


def _numbered_styles(document: Any) -> dict[str | None, bool]:
    """Paragraph style id -> whether Word numbering comes with the style (None: default).

    Computed once per document: python-docx resolves a paragraph's style slowly.
    """
    from docx.enum.style import WD_STYLE_TYPE

    result: dict[str | None, bool] = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        result[style.style_id] = _style_numbered(style)
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    result[None] = _style_numbered(default) if default is not None else False
    return result


def _style_numbered(style: Any) -> bool:
    while style is not None:
        style_ppr = style.element.pPr
        if style_ppr is not None and style_ppr.numPr is not None:
            return _num_id(style_ppr.numPr) != "0"
        style = style.base_style
    return False


def _is_list_paragraph(paragraph: Any, numbered_styles: dict[str | None, bool]) -> bool:
    """True when Word numbering (on the paragraph or its style chain) draws a bullet."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    if num_pr is not None:
        return _num_id(num_pr) != "0"
    style_id = p_pr.style if p_pr is not None else None
    return numbered_styles.get(style_id, numbered_styles.get(None, False))


def _num_id(num_pr: Any) -> str:
    num_id = num_pr.find(f"{_W_NS}numId")
    return "" if num_id is None else str(num_id.get(f"{_W_NS}val", ""))


# --------------------------------------------------------------------------- PDF


def _read_pdf(path: Path) -> list[Paragraph]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        with plan_bounds.quiet_pypdf():
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise DocumentError(
                    f"Tệp PDF {path.name} có mật khẩu; hãy gỡ mật khẩu rồi nhập lại"
                )
            if not reader.pages:
                raise DocumentError(f"Tệp PDF {path.name} không có trang nào")
            plan_bounds.check_pdf_pages(path.name, len(reader.pages))
        # Lines, bullets and paragraphs as Word and LibreOffice lay them out.
        paragraphs = [Paragraph(_clean(p.text), p.bullet) for p in pdf_text.pdf_paragraphs(path)]
        plan_bounds.check_text_size(path.name, sum(len(p.text) for p in paragraphs))
    except (DocumentError, plan_bounds.BoundsError):
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"Tệp PDF {path.name} bị hỏng hoặc không đọc được") from exc
    except Exception as exc:  # pdfminer's own errors of a damaged file
        raise DocumentError(f"Tệp PDF {path.name} bị hỏng: {exc}") from exc
    if sum(len(p.text) for p in paragraphs) < 20:
        raise NeedsOcr(
            f"Tệp PDF {path.name} không có lớp chữ (có vẻ là bản scan); "
            "hãy dùng bản .docx hoặc .pdf xuất từ Word"
        )
    return paragraphs
