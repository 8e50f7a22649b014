"""The text of a PDF with a text layer, as the paragraphs its author typed.

Word and LibreOffice write a list bullet as a glyph of the Symbol or Wingdings font, which
comes out of the PDF as a private-use character (U+F0B7 "", U+F0A7 "", U+F076 "",
U+F0D8 "" ...). Those glyphs are bullets: the paragraph is a list item and the glyph is
dropped. A paragraph is rebuilt from its lines: the next line continues it unless the line
before ended short of the right margin (its first word would have fitted there), or it
starts with a bullet, a numbered heading or an indent. Page breaks are no different: an
item continues on the next page until the next bullet or heading. Running headers and
footers (a line repeated at the top or bottom of the pages) and page numbers are dropped.

Only the layout is read here; what the paragraphs mean is the parser's business.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from calendars.text import fold, nfc

# Bullets as characters: the private-use area where Symbol/Wingdings glyphs land, and the
# bullet characters proper. A dash stays in the text: the parser knows "- " items, and a
# dash may as well be the "chính trị - xã hội" of a wrapped line.
_PRIVATE_USE = re.compile(r"^[\ue000-\uf8ff]")
_BULLET_CHARS = "•●○◦▪■□➢➤►✓❖◆◇·"
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\s*\.\s*\d{1,2})*\s*[.):-]|[IVX]{1,5}\s*[.)]|[a-dđ]\))\s")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–]?\s*\d{1,3}\s*[-–]?|trang\s+\d{1,3}(?:\s*/\s*\d{1,3})?|\d{1,3}\s*/\s*\d{1,3})$"
)


@dataclass(frozen=True)
class Line:
    """One text line of a page, with its position (PDF points, top-down)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int

    @property
    def char_width(self) -> float:
        return (self.x1 - self.x0) / max(len(self.text), 1)


@dataclass(frozen=True)
class TextParagraph:
    """A rebuilt paragraph; ``bullet`` when it began with a bullet glyph (now removed)."""

    text: str
    bullet: bool = False


def bullet_glyph(text: str) -> str | None:
    """The bullet a line starts with, if it is a glyph bullet (not a dash or a number)."""
    if not text:
        return None
    if _PRIVATE_USE.match(text) or text[0] in _BULLET_CHARS:
        return text[0]
    return None


def strip_bullet(text: str) -> str:
    """The text without its leading glyph bullets and the space after them."""
    while text and bullet_glyph(text):
        text = text[1:].lstrip()
    return text


def read_lines(path: Path | str) -> list[list[Line]]:
    """The text lines of every page, in reading order (pdfplumber)."""
    import pdfplumber

    pages: list[list[Line]] = []
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages):
            lines = []
            for raw in page.extract_text_lines(layout=False, strip=True, return_chars=False):
                text = " ".join(nfc(str(raw["text"]).replace("\u00a0", " ")).split())
                if text:
                    lines.append(
                        Line(
                            text=text,
                            x0=float(raw["x0"]),
                            x1=float(raw["x1"]),
                            top=float(raw["top"]),
                            bottom=float(raw["bottom"]),
                            page=number,
                        )
                    )
            lines.sort(key=lambda line: (round(line.top), line.x0))
            pages.append(lines)
    return pages


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", fold(text))


def _pitch(pages: Sequence[Sequence[Line]]) -> float:
    gaps = [
        b.top - a.top for lines in pages for a, b in itertools.pairwise(lines) if b.top - a.top > 1
    ]
    return statistics.median(gaps) if gaps else 14.0


def drop_running_lines(pages: Sequence[Sequence[Line]]) -> list[list[Line]]:
    """Without page numbers and running headers and footers.

    A candidate is the first or last line of a page, set apart from the body by a wider gap
    than the lines have between them. It goes when it is a page number ("3", "- 3 -",
    "Trang 3", "3/18") or when the same words (numbers aside) stand there on other pages.
    """
    pitch = _pitch(pages)
    candidates: dict[tuple[int, int], str] = {}
    for number, lines in enumerate(pages):
        if not lines:
            continue
        edges = {0: lines[1].top - lines[0].bottom if len(lines) > 1 else pitch * 9}
        if len(lines) > 1:
            edges[len(lines) - 1] = lines[-1].top - lines[-2].bottom
        for index, gap in edges.items():
            if gap >= pitch * 0.9:
                candidates[(number, index)] = _running_key(lines[index].text)
    repeated = Counter(candidates.values())
    result: list[list[Line]] = []
    for number, lines in enumerate(pages):
        kept = []
        for index, line in enumerate(lines):
            key = candidates.get((number, index))
            if key is not None and (
                _PAGE_NUMBER.match(fold(line.text))
                # "6.2. Nhiệm vụ ..." and "10.2. Nhiệm vụ ..." are headings, not a footer.
                or (len(pages) > 1 and repeated[key] >= 2 and not _NUMBERED.match(line.text))
            ):
                continue
            kept.append(line)
        result.append(kept)
    return result


def _join(head: str, tail: str) -> str:
    """``24-`` + ``NQ/TW`` is one word; otherwise lines join with a space."""
    if re.search(r"\w-$", head) and tail[:1].isalnum():
        return head + tail
    return f"{head} {tail}"


def paragraphs_from_lines(pages: Sequence[Sequence[Line]]) -> list[TextParagraph]:
    """Rebuild paragraphs from lines (see the module docstring)."""
    body = [line for lines in pages for line in lines]
    if not body:
        return []
    # The text block's edges: where most lines start and how far full lines reach.
    left = Counter(round(line.x0) for line in body).most_common(1)[0][0]
    widths = sorted(line.x1 for line in body)
    right = widths[int(len(widths) * 0.95) - 1 if len(widths) > 1 else 0]
    result: list[TextParagraph] = []
    text: str | None = None
    bullet = False
    previous: Line | None = None
    pending_bullet = False  # a bullet glyph read as a line of its own
    for line in body:
        glyph = bullet_glyph(line.text) or ("•" if pending_bullet else None)
        content = strip_bullet(line.text)
        if not content:
            pending_bullet = glyph is not None
            continue
        pending_bullet = False
        if text is not None and previous is not None and not glyph:
            first_word = content.split(" ", 1)[0]
            room = right - previous.x1
            fits = room > (len(first_word) + 1.5) * line.char_width
            indented = line.x0 > left + 3 * line.char_width
            numbered = _NUMBERED.match(content)
            # A heading or a dash item starts with a capital; "IX) về ..." is a wrapped line.
            starts_anew = (numbered is not None and content[numbered.end() :][:1].isupper()) or (
                content[:1] in "-–+" and content[1:2] == " " and content[2:3].isupper()
            )
            # A one-line paragraph after a finished sentence: a heading ("Tháng 3:").
            one_liner = (
                text.endswith((".", ":", ";"))
                and content[:1].isupper()
                and line.x1 < right - 8 * line.char_width
            )
            if not (fits or indented or starts_anew or one_liner):
                text = _join(text, content)
                previous = line
                continue
        if text is not None:
            result.append(TextParagraph(text, bullet))
        text, bullet, previous = content, glyph is not None, line
    if text is not None:
        result.append(TextParagraph(text, bullet))
    return [p for p in result if p.text]


def pdf_paragraphs(path: Path | str) -> list[TextParagraph]:
    """The paragraphs of a PDF's text layer (empty for a scan without one)."""
    return paragraphs_from_lines(drop_running_lines(read_lines(path)))


# What Tesseract makes of a round bullet: a lone letter or sign before a capitalised word.
_OCR_BULLET = re.compile(r"^(?:[eso]\s+|[°®©«»¢•●*¬§~·]\s*)(?=\w)")


def _ocr_bullet(text: str) -> str | None:
    """The text after a bullet as Tesseract reads one, or None without a bullet."""
    match = _OCR_BULLET.match(text)
    if match and text[match.end()].isupper():
        return text[match.end() :]
    return strip_bullet(text) if bullet_glyph(text) else None


def ocr_paragraphs(text: str) -> list[TextParagraph]:
    """Paragraphs of recognised text (Tesseract's lines, blank lines between its blocks,
    form feeds between pages).

    A line starts a paragraph after a blank line, with a bullet (as Tesseract reads one),
    with a numbered heading or a dash item, or when the line before ended well short of the
    longest lines (its first word would have fitted there); otherwise it continues the line
    before. Running headers, footers and page numbers go as in a PDF.
    """
    pages = [
        [" ".join(nfc(line).split()) for line in page.split("\n")] for page in text.split("\f")
    ]
    pages = _drop_running_text(pages)
    longest = max((len(line) for page in pages for line in page), default=0)
    result: list[TextParagraph] = []
    current: str | None = None
    bullet = False
    previous = 0  # the length of the line before
    for page in pages:
        for line in page:
            if not line:
                if current is not None:
                    result.append(TextParagraph(current, bullet))
                current = None
                continue
            item = _ocr_bullet(line)
            content = item if item is not None else line
            numbered = _NUMBERED.match(content)
            starts_anew = (
                item is not None
                or (numbered is not None and content[numbered.end() :][:1].isupper())
                or (content[:1] in "-–+" and content[1:2] == " " and content[2:3].isupper())
            )
            # The line before ended short of the margin: its paragraph ended there.
            first_word = content.split(" ", 1)[0]
            ended = previous + 1 + len(first_word) < longest * 0.85
            previous = len(line)
            if current is not None and not (starts_anew or ended):
                current = _join(current, content)
                continue
            if current is not None:
                result.append(TextParagraph(current, bullet))
            current, bullet = content, item is not None
        if current is not None:
            result.append(TextParagraph(current, bullet))
        current = None
    return [p for p in result if p.text]


def _drop_running_text(pages: list[list[str]]) -> list[list[str]]:
    """Without the repeated first/last lines of pages and lone page numbers."""

    def edges(page: list[str]) -> list[int]:
        filled = [i for i, line in enumerate(page) if line]
        return sorted(set(filled[:2] + filled[-2:]))

    counts = Counter(_running_key(page[i]) for page in pages for i in edges(page))
    result = []
    for page in pages:
        drop = {
            i
            for i in edges(page)
            if _PAGE_NUMBER.match(fold(page[i]))
            or (
                len(pages) > 1
                and counts[_running_key(page[i])] >= 2
                and not _ocr_bullet(page[i])
                and not _NUMBERED.match(page[i])
            )
        }
        result.append([line for i, line in enumerate(page) if i not in drop])
    return result
