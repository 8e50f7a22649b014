"""A plan document checked against itself, after reading and before anything is stored.

Parsing finds what a document holds; these checks refuse a document whose parts disagree:
a month heading that cannot be a month ("Tháng 13", "Tháng 0"), a month given twice, an
item far too long to be one, and a year that the title, ``--year`` and the items' own
dates do not agree on. Each refusal is one ``PlanCheckError`` naming the line or the item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from calendars.plan_parser import (
    DuePolicy,
    ParsedPlan,
    Structure,
    extract_structure,
    parse_plan,
)
from calendars.plan_reader import DocumentError, Paragraph
from calendars.text import fold

# An item is a sentence or a short paragraph; a 5 MB "item" is a broken document.
ITEM_MAX_CHARS = 2000

# A line shaped like a month heading, with any number: "5. Tháng 5:", "Tháng 13", "III. THÁNG 0".
_HEADING = re.compile(
    r"^(?:(?:[ivxlc]+|\d{1,2})\s*[.)/-]\s*)?thang\s+(\d{1,3})"
    r"(?:\s*[/.-]\s*(\d{4})|\s+nam\s+(\d{4}))?\s*(?:\([^)]*\))?\s*[:.]?$"
)
# Years an item speaks of: "tháng 01/2024", "quý I/2024", "năm 2024".
_ITEM_YEAR = re.compile(r"(?:thang\s+\d{1,2}|quy\s+[ivx]+|nam)\s*/?\s*(\d{4})\b")
# The items' year counts only when it is clearly theirs: mentioned often and mostly.
_ITEM_YEAR_MIN_MENTIONS = 3
_ITEM_YEAR_MIN_SHARE = 0.6


class PlanCheckError(DocumentError):
    """The document contradicts itself; the message names the line or the item."""


@dataclass(frozen=True)
class Heading:
    """A month heading as written: its paragraph number (from 1), text and month."""

    number: int
    text: str
    month: int


def _quote(text: str, width: int = 60) -> str:
    return f"“{text if len(text) <= width else text[: width - 1] + '…'}”"


def month_headings(paragraphs: Sequence[Paragraph]) -> list[Heading]:
    """Every line shaped like a month heading, whatever its number."""
    found: list[Heading] = []
    for number, paragraph in enumerate(paragraphs, start=1):
        plain = paragraph.text.strip().strip("*_#> ").strip()
        if len(plain) > 60 or plain[:1] == "t":
            continue  # "tháng 12/2024." at the start of a line ends a wrapped sentence
        match = _HEADING.match(fold(plain))
        if match:
            found.append(Heading(number, plain, int(match.group(1))))
    return found


def check_structure(paragraphs: Sequence[Paragraph]) -> Structure:
    """Refuse impossible or repeated months and oversized items; the structure found."""
    seen: dict[int, Heading] = {}
    for heading in month_headings(paragraphs):
        if not 1 <= heading.month <= 12:
            raise PlanCheckError(
                f"Đề mục {_quote(heading.text)} (đoạn {heading.number}) không phải tháng "
                "hợp lệ: tháng phải từ 1 đến 12"
            )
        first = seen.get(heading.month)
        if first is not None:
            raise PlanCheckError(
                f"Tháng {heading.month} xuất hiện hai lần: {_quote(first.text)} (đoạn "
                f"{first.number}) và {_quote(heading.text)} (đoạn {heading.number}); "
                "hãy gộp lại thành một đề mục"
            )
        seen[heading.month] = heading
    structure = extract_structure(paragraphs)
    per_month: Counter[int] = Counter()
    for raw in structure.items:
        per_month[raw.month] += 1
        if len(raw.text) > ITEM_MAX_CHARS:
            raise PlanCheckError(
                f"Việc thứ {per_month[raw.month]} của tháng {raw.month} dài "
                f"{_thousands(len(raw.text))} ký tự (tối đa {_thousands(ITEM_MAX_CHARS)}): "
                f"{_quote(raw.text)}; tài liệu có thể bị hỏng hoặc thiếu dấu xuống dòng"
            )
    if structure.months and not structure.items:
        first_heading = next(iter(seen.values()), None)
        where = (
            f" (đề mục đầu tiên: {_quote(first_heading.text)}, đoạn {first_heading.number})"
            if first_heading
            else ""
        )
        raise PlanCheckError("Kế hoạch rỗng: có đề mục tháng nhưng không có việc nào" + where)
    return structure


def items_year(structure: Structure) -> tuple[int, str] | None:
    """The year the items' own dates speak of, with an example item, when it is clear."""
    counter: Counter[int] = Counter()
    example: dict[int, str] = {}
    for raw in structure.items:
        for match in _ITEM_YEAR.finditer(fold(raw.text)):
            year = int(match.group(1))
            counter[year] += 1
            if year not in example:
                at = raw.text.find(str(year))
                start = max(0, at - 40) if at >= 0 else 0
                example[year] = ("…" if start else "") + raw.text[start : at + 4 if at >= 0 else 60]
    if not counter:
        return None
    year, mentions = counter.most_common(1)[0]
    total = sum(counter.values())
    if mentions < _ITEM_YEAR_MIN_MENTIONS or mentions / total < _ITEM_YEAR_MIN_SHARE:
        return None
    return year, example[year]


def check_years(structure: Structure, year_option: int | None) -> None:
    """The title's year, ``--year`` and the items' dates must agree, else a clear error."""
    stated = Counter(structure.year_hints).most_common(1)[0][0] if structure.year_hints else None
    where = f"tiêu đề {_quote(structure.title)}" if structure.title else "đề mục tháng"
    if year_option is not None and stated is not None and year_option != stated:
        raise PlanCheckError(
            f"--year {year_option} khác năm {stated} ghi trong tài liệu ({where}); "
            "bỏ --year hoặc dùng đúng tài liệu của năm đó"
        )
    from_items = items_year(structure)
    if from_items is None:
        return
    items_year_, example = from_items
    if stated is not None and items_year_ != stated:
        raise PlanCheckError(
            f"Tài liệu ghi năm {stated} ({where}) nhưng các việc ghi năm {items_year_} "
            f"(ví dụ: {_quote(example)}); hãy kiểm tra lại tiêu đề"
        )
    if stated is None and year_option is not None and items_year_ != year_option:
        raise PlanCheckError(
            f"--year {year_option} khác năm {items_year_} mà các việc ghi "
            f"(ví dụ: {_quote(example)})"
        )


def parse_checked(
    paragraphs: Sequence[Paragraph],
    year: int | None = None,
    policy: DuePolicy | None = None,
    fallback_number: str = "",
) -> ParsedPlan:
    """``parse_plan`` between the checks: what the CLI import and the web upload call."""
    structure = check_structure(paragraphs)
    check_years(structure, year)
    return parse_plan(paragraphs, year=year, policy=policy, fallback_number=fallback_number)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")
