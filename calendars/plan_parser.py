"""A yearly work programme's paragraphs -> a ``ParsedPlan`` of dated, classified items.

Two steps. ``extract_structure`` walks the paragraphs and finds the programme: month
headings in their usual variants, the two sections of each month (tham mưu / chuyên môn)
and the items, joining items broken across a page break and splitting items run together
on one line. ``parse_plan`` then understands each item: its kind from the wording, the
documents it cites, explicit solar or lunar dates, a linked observance, and its due date
by the policies of ``data/import_policies.toml``.

Nothing here is tuned to one document: the rules are those of the genre (see DOMAIN.md).
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from calendars import lunar, observances, workdays
from calendars.plan_reader import DocumentError, Paragraph
from calendars.text import fold as _fold_uncached
from calendars.text import nfc

SECTIONS = ("tham-muu", "chuyen-mon")
TITLE_MAX = 120

# The same lines are folded by several tests of the structure walk: fold each once.
fold = functools.lru_cache(maxsize=8192)(_fold_uncached)


class PlanParseError(DocumentError):
    """The document was read but holds no work programme (no month headings, no items)."""


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class DuePolicy:
    """When items are due: see ``data/import_policies.toml``."""

    month_day: int | None = None  # None: the last working day of the month
    plan_before_event_working_days: int = 5

    def month_due(self, year: int, month: int) -> date:
        """The deadline of an ordinary item of ``month``."""
        if self.month_day is None:
            return workdays.last_working_day_of_month(year, month)
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        return _on_or_before_working_day(date(year, month, min(self.month_day, last)))

    def before_event(self, start: date) -> date:
        """The deadline of a plan for an event that starts on ``start``."""
        day = start
        for _ in range(self.plan_before_event_working_days):
            day = _on_or_before_working_day(day - timedelta(days=1))
        return day


def load_due_policy(overrides: Mapping[str, Any] | None = None) -> DuePolicy:
    """The bundled policies, with ``overrides`` (a ``[due]``-shaped mapping) on top."""
    from lichct_data import resource

    document = tomllib.loads(resource("import_policies.toml").read_text("utf-8"))
    values = dict(document.get("due", {}))
    values.update(overrides or {})
    raw_day = values.get("month_day", "last-working-day")
    if raw_day == "last-working-day":
        month_day = None
    elif isinstance(raw_day, int) and 1 <= raw_day <= 31:
        month_day = raw_day
    else:
        raise ValueError(f"month_day must be 'last-working-day' or 1..31, not {raw_day!r}")
    lead = int(values.get("plan_before_event_working_days", 5))
    if lead < 0:
        raise ValueError("plan_before_event_working_days must not be negative")
    return DuePolicy(month_day=month_day, plan_before_event_working_days=lead)


def _on_or_before_working_day(day: date) -> date:
    # previous_working_day(d) is d itself on a working day, else the working day before.
    return workdays.previous_working_day(day)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PlanItem:
    """One item of the programme, ready to become an event."""

    uid: str
    month: int
    section: str
    kind: str
    title: str
    text: str
    due: date
    start: date
    end: date
    all_day: bool = True
    conditional: bool = False
    references: tuple[str, ...] = ()
    observance: str | None = None
    # Stages of one campaign over several months (plan the supervision, carry it out,
    # pass its results): a key shared by the chain, this item's step and the chain's size.
    chain: str | None = None
    step: int = 0
    steps: int = 0
    # False for an item without days of its own: a point on its deadline (``date_item``).
    dated: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``lichct import --format json`` (DESIGN.md)."""
        return {
            "uid": self.uid,
            "month": self.month,
            "section": self.section,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "due": self.due.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "all_day": self.all_day,
            "conditional": self.conditional,
            "references": list(self.references),
            "observance": self.observance,
        }


@dataclass(frozen=True)
class ParsedPlan:
    """A programme: its document number, year, title and items in document order."""

    number: str
    year: int
    title: str
    items: tuple[PlanItem, ...]
    warnings: tuple[str, ...] = ()

    def count(self, section: str | None = None, month: int | None = None) -> int:
        return sum(
            1
            for item in self.items
            if (section is None or item.section == section)
            and (month is None or item.month == month)
        )


@dataclass
class RawItem:
    """An item as found in the document, before it is understood."""

    month: int
    section: str
    text: str


@dataclass
class Structure:
    """What ``extract_structure`` found."""

    items: list[RawItem] = field(default_factory=list)
    number: str | None = None
    title: str = ""
    year_hints: list[int] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    # Months whose sections say "Không có.": empty on purpose.
    empty_marked: set[int] = field(default_factory=set)


# --------------------------------------------------------------------------- structure

_BULLET = re.compile(r"^(?:[-–—−+•●○◦▪■□➢➤►✓*·]|\d{1,2}[.)](?!\d)|[a-zđ]\))\s*")
# A month heading by its word and number: "8. Tháng 8:", "THÁNG 8", "Thang 8", and as OCR
# leaves it, its list number lost or garbled (". Tháng 8:", "§. Tháng 8;", "Tháng l0").
_MONTH = re.compile(
    r"^[^\w(]*(?:(?:[ivxlc]+|\d{1,2}|[a-z])\s*[.)/-]?[^\w\s(]*\s+)?thang\s*([0-9oli]{1,2})"
    r"(?:\s*[/.-]\s*(\d{4})|\s+nam\s+(\d{4}))?\s*(?:\([^)]*\))?\s*[:.;,]?$"
)
_OCR_DIGITS = str.maketrans("oli", "011")
_SECTION_NUMBER = re.compile(r"^(?:(\d+(?:\s*\.\s*\d+)+)\s*[.:)-]?|([a-dđ])\s*[).])\s*(.*)$")
_ROMAN_PART = re.compile(r"^[IVX]{1,5}\s*[.)-]\s+\S")
# Lines after which the programme is over: its closing sentence and the recipients.
_TERMINATORS = ("tren day la", "noi nhan", "ky boi", "thoi gian ky")
# Signature block lines ("K/T TRƯỞNG BAN", "T/M BAN THƯỜNG VỤ"): short and in capitals, so
# that an item wrapped before "Trưởng ban Dân vận..." or "Bí thư ..." is not cut there.
_SIGNATURES = (
    "k/t ",
    "kt. ",
    "kt ",
    "t/m ",
    "tm. ",
    "tm ",
    "truong ban",
    "pho truong ban",
    "bi thu",
)
# Words that a section heading (not an item) is made of, without diacritics.
_THAM_MUU_WORDS = frozenset(
    re.findall(
        r"\w+",
        "tham muu cho thuong truc ban vu tinh thanh huyen thi dang uy va cap chap hanh "
        "bch btv ttty btvtu tu xa phuong dac khu",
    )
)
_CHUYEN_MON_WORDS = frozenset(
    re.findall(r"\w+", "nhiem vu chuyen mon cua ban cong tac thuc hien cac")
)
_NOISE = re.compile(
    r"^(?:\d{1,3}|[-–]\s*\d{1,3}\s*[-–]|trang\s+\d+(?:\s*/\s*\d+)?|[a-z]{0,6}-?\d{1,4}[a-z]?)$"
)
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_FOOTNOTE_MARK = re.compile(f"(?<=\\S)[{_SUPERSCRIPTS}]+")
_RUN_TOGETHER = re.compile(r"(?<=[.;!?])\s+[-–—•+]\s+(?=\S)")
_NUMBER = re.compile(
    r"\b(?:Số|SỐ|số)\s*:?\s*(\d{1,5}\s*-\s*[A-ZĐ][A-Za-zĐđ]{0,5}\s*/\s*[A-ZĐ][A-Za-zĐđ0-9-]*[A-Za-zĐđ0-9])"
)
_DOC_TYPES = ("ke hoach", "chuong trinh cong tac", "chuong trinh")


def _plain(text: str) -> str:
    """The text without decoration that some converters leave (``**bold**``, ``_i_``)."""
    return text.strip().strip("*_#> ").strip()


def _month_heading(text: str) -> tuple[int, int | None] | None:
    plain = _plain(text)
    match = _MONTH.match(fold(plain))
    if not match:
        return None
    if plain[:1] == "t":
        # "tháng 12/2024." at the start of a line is the wrapped end of a sentence.
        return None
    month = int(match.group(1).translate(_OCR_DIGITS))
    if not 1 <= month <= 12:
        return None
    year = match.group(2) or match.group(3)
    return month, int(year) if year else None


def _section_heading(text: str, list_item: bool) -> str | None:
    """``"tham-muu"``/``"chuyen-mon"`` for a section heading, else None.

    Numbered (``3.1.``, ``11.1.``) or lettered (``a)``) headings are recognised by their
    leading words; unnumbered ones only when they hold nothing but heading words, so that
    an item "Tham mưu Thường trực Tỉnh ủy họp ..." stays an item.
    """
    plain = _plain(text)
    match = _SECTION_NUMBER.match(plain)
    numbered = bool(match and (match.group(1) or match.group(2)))
    body = match.group(3) if match and numbered else plain
    folded = fold(body).rstrip(" :.")
    words = re.findall(r"[a-z0-9/]+", folded)
    if not words or len(folded) > 160:
        return None
    if numbered and not plain.rstrip().endswith("."):
        if folded.startswith("tham muu"):
            return "tham-muu"
        if "chuyen mon" in folded:
            return "chuyen-mon"
        if match and match.group(1) and len(folded) <= 100:
            # Another numbered part of the month ("3.3. Công tác phối hợp"): the board's
            # own work, which is what the chuyên môn section holds.
            return "chuyen-mon"
        return None
    if numbered:
        return None
    if not list_item and _BULLET.match(plain) and not plain[:1].isalpha():
        return None
    if folded.startswith("tham muu") and set(words) <= _THAM_MUU_WORDS and len(words) <= 16:
        return "tham-muu"
    if "chuyen mon" in folded and set(words) <= _CHUYEN_MON_WORDS and len(words) <= 8:
        return "chuyen-mon"
    return None


def _is_terminator(text: str) -> bool:
    plain = _plain(text)
    folded = fold(plain)
    if folded.startswith(_TERMINATORS):
        return True
    letters = [ch for ch in plain if ch.isalpha()]
    return (
        folded.startswith(_SIGNATURES) and len(plain) <= 60 and all(ch.isupper() for ch in letters)
    )


def _is_noise(text: str, list_item: bool = False) -> bool:
    """Page numbers, archive codes, footnotes and running headers: never part of an item."""
    plain = _plain(text)
    if not plain or plain[0] in _SUPERSCRIPTS:
        return True
    if list_item or _BULLET.match(plain):
        return False
    if _NOISE.match(fold(plain)):
        return True
    letters = [ch for ch in plain if ch.isalpha()]
    # A running header such as "TỈNH ỦY TÂY NINH" is all capitals.
    return len(plain.split()) >= 2 and len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _strip_bullet(text: str) -> str:
    return _BULLET.sub("", text, count=1).strip()


def _split_run_together(text: str) -> list[str]:
    """``"... (nếu có). - Thông báo ..."`` is two items; ``"chính trị - xã hội"`` is not."""
    pieces: list[str] = []
    start = 0
    for match in _RUN_TOGETHER.finditer(text):
        if text[match.end()].isupper():
            pieces.append(text[start : match.start()].strip())
            start = match.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _join(head: str, tail: str) -> str:
    """Join the two halves of a paragraph that a page break cut; ``24-`` + ``NQ/TW``."""
    if re.search(r"\w-$", head) and tail[:1].isalnum():
        return head + tail
    return f"{head} {tail}"


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", ";", "!", "?", ":", "…"))


def _is_empty_marker(text: str) -> bool:
    return fold(text).strip(" .:;()") in {"khong co", "khong", "khong co noi dung"}


def extract_structure(paragraphs: Sequence[Paragraph]) -> Structure:
    """Find the programme's months, sections and items (see the module docstring)."""
    found = Structure()
    found.number = _find_number(paragraphs)
    found.title, title_year = _find_title(paragraphs)
    if title_year:
        found.year_hints.append(title_year)
    # Bulleted programmes (nearly all) continue an item on any unmarked paragraph;
    # programmes without bullets start an item on each paragraph that ends a sentence.
    bulleted = _is_bulleted(paragraphs)
    month: int | None = None
    section: str | None = None
    current: RawItem | None = None
    # The bullet of the current item, and of an item whose sub-points are being read.
    current_bullet: str | None = None
    parent_bullet: str | None = None
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        heading = _month_heading(text)
        if heading:
            month, section, current, parent_bullet = heading[0], None, None, None
            found.months.append(month)
            if heading[1]:
                found.year_hints.append(heading[1])
            continue
        if month is None:
            continue
        if _is_terminator(text) or _ROMAN_PART.match(_plain(text)):
            month, current = None, None
            continue
        kind = _section_heading(text, paragraph.list_item)
        if kind:
            section, current, parent_bullet = kind, None, None
            continue
        if _is_noise(text, paragraph.list_item):
            continue
        marked = paragraph.list_item or bool(_BULLET.match(text))
        body = _strip_bullet(text) if marked and not paragraph.list_item else text
        if not body:
            continue
        bullet = text[:1] if marked and not paragraph.list_item else None
        if marked and not paragraph.list_item and current is not None and body[:1].islower():
            # A wrapped line that starts with the dash of "chính trị - xã hội": items
            # start with a capital, so this continues the item before.
            marked, body = False, text
        elif current is not None and bullet and current.text.endswith(":"):
            # "- Báo cáo năm:" followed by "+ công tác ..." lines: points of one item.
            parent_bullet = current_bullet
        if parent_bullet is not None and bullet is not None and bullet != parent_bullet:
            marked, body = False, text
        elif marked:
            parent_bullet = None
        continues = current is not None and not marked
        if continues and not bulleted:
            assert current is not None
            continues = not _ends_sentence(current.text) or body[:1].islower()
        if continues:
            assert current is not None
            pieces = _split_run_together(_join(current.text, body))
            current.text = pieces[0]
            body_pieces = pieces[1:]
        else:
            body_pieces = _split_run_together(body)
        for piece in body_pieces:
            if _is_empty_marker(piece):
                current = None
                found.empty_marked.add(month)
                continue
            current = RawItem(month=month, section=section or "chuyen-mon", text=piece)
            current_bullet = bullet
            found.items.append(current)
    return found


def _is_bulleted(paragraphs: Sequence[Paragraph]) -> bool:
    inside = False
    for paragraph in paragraphs:
        if _month_heading(paragraph.text):
            inside = True
        elif inside and (
            paragraph.list_item
            or (_BULLET.match(paragraph.text) and paragraph.text[:1] in "-–—−+•●")
        ):
            return True
    return False


def _find_number(paragraphs: Sequence[Paragraph]) -> str | None:
    for paragraph in paragraphs:
        match = _NUMBER.search(paragraph.text)
        if match:
            return _normalise_reference(match.group(1))
    for paragraph in paragraphs:
        match = re.search(r"kèm theo\s+\S+(?:\s+\S+)?\s+số\s+(\S+?/\S+?)[,)\s]", paragraph.text)
        if match:
            return _normalise_reference(match.group(1))
    return None


def _find_title(paragraphs: Sequence[Paragraph]) -> tuple[str, int | None]:
    """The document type line ("KẾ HOẠCH") and the line after it, as one title.

    A title in capitals on one line ("KẾ HOẠCH CÔNG TÁC DÂN VẬN NĂM 2025") works too.
    """
    for index, paragraph in enumerate(paragraphs[:80]):
        plain = _plain(paragraph.text)
        folded = fold(plain)
        if folded in _DOC_TYPES and index + 1 < len(paragraphs):
            tail = _plain(paragraphs[index + 1].text)
            title = f"{plain.capitalize()} {tail[:1].lower()}{tail[1:]}" if tail else plain
        elif folded.startswith(_DOC_TYPES) and plain.isupper() and len(plain) <= 160:
            title = plain.capitalize()
        else:
            continue
        year = re.search(r"\bnam\s+(\d{4})\b", fold(title))
        return title, int(year.group(1)) if year else None
    return "", None


def _detect_year(found: Structure) -> int | None:
    if found.year_hints:
        return Counter(found.year_hints).most_common(1)[0][0]
    counter: Counter[int] = Counter()
    for item in found.items:
        for match in re.finditer(
            r"(?:thang\s+\d{1,2}|quy\s+[ivx]+|nam)\s*/?\s*(\d{4})", fold(item.text)
        ):
            counter[int(match.group(1))] += 1
    return counter.most_common(1)[0][0] if counter else None


# --------------------------------------------------------------------------- items

_REFERENCE = re.compile(
    r"(?<![\w/])(\d{1,5})\s*-\s*([A-ZĐ][A-Za-zĐđ]{0,5})\s*/\s*([A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*)"
)

_KIND_SPECIAL = (
    ("supervision", re.compile(r"\bkế hoạch giám sát\b")),
    ("inspection", re.compile(r"\bkế hoạch kiểm tra\b")),
)
_KIND_WORDS = (
    ("report", re.compile(r"\bbáo cáo\b")),
    ("bulletin", re.compile(r"\bthông báo tình hình\b")),
    ("directive", re.compile(r"\bcông văn\b")),
    ("supervision", re.compile(r"\bgiám sát\b")),
    ("inspection", re.compile(r"\bkiểm tra\b")),
    ("plan", re.compile(r"\bkế hoạch\b|\bchương trình (?:công tác|làm việc)\b")),
    ("meeting", re.compile(r"\bhọp\b|\bhội nghị\b")),
    ("ceremony", re.compile(r"\bdự (?:đại )?lễ\b|\bđoàn dự\b|\bk[ỷỉ] niệm\b")),
    ("visit", re.compile(r"\bthăm\b|\bchúc mừng\b|\bchúc tết\b")),
)
_ABOUT_EVENT = re.compile(r"\bthăm\b|\bchúc mừng\b|\bchúc tết\b|\bdự (?:đại )?lễ\b|\bđoàn dự\b")


def classify(text: str) -> str:
    """The kind of an item from its wording: the earliest telling word wins.

    "Kế hoạch thăm ..." is a plan, "Tham mưu ... họp Ban Chỉ đạo" a meeting, "Báo cáo kết
    quả ... giám sát" a report; "Xây dựng kế hoạch giám sát" is the first step of a
    supervision, so it is one.
    """
    lowered = nfc(text).lower()
    for kind, pattern in _KIND_SPECIAL:
        if pattern.search(lowered):
            return kind
    best: tuple[int, str] | None = None
    for kind, pattern in _KIND_WORDS:
        match = pattern.search(lowered)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), kind)
    return best[1] if best else "other"


def _normalise_reference(raw: str) -> str:
    match = _REFERENCE.search(nfc(raw))
    if not match:
        return " ".join(raw.split())
    number, kind, issuer = match.groups()
    return f"{number}-{kind}/{issuer}"


def find_references(text: str) -> tuple[str, ...]:
    """Document numbers cited, normalised (``05-CT/TU``), in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _REFERENCE.finditer(nfc(text)):
        number, kind, issuer = match.groups()
        seen.setdefault(f"{number}-{kind}/{issuer}", None)
    return tuple(seen)


@dataclass(frozen=True)
class DateSpan:
    start: date
    end: date
    deadline: bool = False  # "trước ngày ...": a due date, not the day of an event


_PAREN = re.compile(r"\(([^()]*)\)")
_DMY = r"(\d{1,2})(?:\s*/\s*(\d{1,2}))?(?:\s*/\s*(\d{4}))?"
_RANGE = re.compile(_DMY + r"\s*-\s*" + _DMY)
_SINGLE = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])")
_RAM = re.compile(r"\bram thang (\d{1,2})\b")


def find_dates(text: str, year: int, month: int) -> DateSpan | None:
    """Explicit dates in parentheses: ``(ngày 17/02/2024)``, ``(ngày 14 – 16/4/2024)``,
    ``(29/8-01/9 âm lịch)`` and anniversaries ``(15/10/1930-15/10/2024)``.

    Only parenthesised dates count: the dates that follow a cited document ("Chỉ thị số
    05-CT/TU, ngày 20/7/2021") are the document's, not the item's.
    """
    for match in _PAREN.finditer(nfc(text)):
        span = _parse_paren(match.group(1), year, month)
        if span:
            return span
    return None


def _parse_paren(content: str, year: int, month: int) -> DateSpan | None:
    folded = fold(content).replace("–", "-").replace("—", "-").replace("−", "-")
    is_lunar = "am lich" in folded or re.search(r"\bal\b", folded) is not None
    deadline = re.search(r"\b(truoc|cham nhat|han)\b", folded) is not None
    ram = _RAM.search(folded)
    if ram and is_lunar:
        day = _lunar_near(year, month, int(ram.group(1)), 15)
        return DateSpan(day, day, deadline) if day else None
    parts: list[tuple[int, int, int | None]] = []
    range_match = _RANGE.search(folded)
    if range_match:
        d1, m1, y1, d2, m2, y2 = range_match.groups()
        if m2 is None:
            range_match = None
        else:
            end_y = int(y2) if y2 else None
            start_m = int(m1) if m1 else int(m2)
            start_y = int(y1) if y1 else end_y
            parts = [(int(d1), start_m, start_y), (int(d2), int(m2), end_y)]
    if not range_match:
        single = _SINGLE.search(folded)
        if not single:
            return None
        d, m, y = single.groups()
        parts = [(int(d), int(m), int(y) if y else None)]
    if is_lunar:
        days = [_lunar_near(year, month, m, d) for d, m, _ in parts]
        if any(day is None for day in days):
            return None
        first, last = days[0], days[-1]
        assert first is not None and last is not None
        return DateSpan(first, max(first, last), deadline)
    # An anniversary "(15/10/1930-15/10/2024)": the date that matters is this year's.
    if len(parts) == 2 and parts[0][2] and parts[1][2] and parts[1][2] - parts[0][2] >= 2:
        parts = [parts[1]]
    solar: list[date] = []
    for d, m, y in parts:
        try:
            solar.append(date(y or year, m, d))
        except ValueError:
            return None
    if any(day.year not in (year, year + 1) for day in solar):
        return None
    return DateSpan(solar[0], max(solar[0], solar[-1]), deadline)


def _lunar_near(year: int, month: int, lunar_month: int, lunar_day: int) -> date | None:
    """The solar date of a lunar day that falls on or after the item's month (roughly)."""
    floor = date(year, month, 1) - timedelta(days=31)
    for lunar_year in (year - 1, year, year + 1):
        try:
            day = lunar.lunar_to_solar(lunar_year, lunar_month, lunar_day)
        except ValueError:
            continue
        if day >= floor:
            return day
    return None


def _khmer_festival_in_lunar_words(text: str, key: str) -> bool:
    folded = fold(text)
    in_lunar = "am lich" in folded or re.search(r"\bal\b", folded) is not None
    return in_lunar and observances.load_catalog().calendar_of(key) == "khmer"


def _observance_span(key: str, year: int, month: int) -> DateSpan | None:
    """The occurrence of an observance nearest after the start of the item's month."""
    catalog = observances.load_catalog()
    floor = date(year, month, 1)
    for candidate_year in (year, year + 1):
        occurrence = catalog.occurrence(key, candidate_year)
        if occurrence is not None and occurrence.end >= floor:
            return DateSpan(occurrence.start, occurrence.end)
    return None


def make_title(text: str) -> str:
    """A short readable title: the wording up to a cited document's date, cut at a word."""
    title = re.sub(r"\s*\(nếu có\)", "", text, flags=re.IGNORECASE).strip().rstrip(" .;,")
    cut = re.search(r",\s*ngày\s+\d{1,2}/\d{1,2}/\d{4}", title)
    if cut and cut.start() >= 25:
        title = title[: cut.start()]
    if len(title) <= TITLE_MAX:
        return title
    head = title[: TITLE_MAX - 1]
    if " " in head:
        head = head[: head.rindex(" ")]
    if head.count("(") > head.count(")"):
        # Never leave a parenthesis open: "(ngày 14…" reads worse than nothing.
        head = head[: head.rindex("(")]
    return head.rstrip(" ,;:–-") + "…"


def _clean_item_text(text: str) -> str:
    text = _FOOTNOTE_MARK.sub("", nfc(text))
    return " ".join(text.split())


def _uid_key(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", fold(text)))


def _slug(value: str) -> str:
    return "-".join(re.findall(r"[0-9a-z]+", fold(value))) or "plan"


def make_uid(year: int, number: str, month: int, section: str, text: str, occurrence: int) -> str:
    """A UID stable across re-imports: the same item of the same plan gives the same UID.

    It depends on the folded wording (case, diacritics, spacing and punctuation aside),
    and an occurrence index tells identical items of one section apart.
    """
    digest = hashlib.sha256(_uid_key(text).encode("utf-8")).hexdigest()[:16]
    suffix = f"-{occurrence}" if occurrence else ""
    return f"plan-{year}-{_slug(number)}-{month:02d}-{section}-{digest}{suffix}@lichct"


def understand_item(
    raw: RawItem, year: int, number: str, policy: DuePolicy, occurrence: int = 0
) -> PlanItem:
    """Kind, references, dates and observance of one found item."""
    text = _clean_item_text(raw.text)
    kind = classify(text)
    observance = observances.match_observance(text)
    start, end, due, dated = date_item(text, kind, observance, year, raw.month, policy)
    return PlanItem(
        uid=make_uid(year, number, raw.month, raw.section, text, occurrence),
        month=raw.month,
        section=raw.section,
        kind=kind,
        title=make_title(text),
        text=text,
        due=due,
        start=start,
        end=end,
        all_day=True,
        conditional="(neu co)" in fold(text),
        references=find_references(text),
        observance=observance,
        dated=dated,
    )


def date_item(
    text: str, kind: str, observance: str | None, year: int, month: int, policy: DuePolicy
) -> tuple[date, date, date, bool]:
    """``(start, end, due, dated)`` of an item of ``month``'s programme.

    An item without a date of its own is a point on its deadline: ``start == end == due``
    and ``dated`` is False (a calendar shows the day the work is due, not a bar over the
    month; a "trước ngày ..." date is such a deadline). Its deadline
    stays in its month: a visit or ceremony linked to an observance that falls within the
    month takes the observance's days; one whose observance falls after the month is due
    "before the observance", on the month's last working day before it. Only dates the
    item's own text gives may lie outside the month, and a due date computed from them
    (a plan due some working days before the visit it prepares) is kept within the month
    when the text dates the visit within it.
    """
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    month_due = policy.month_due(year, month)
    own = find_dates(text, year, month)
    if own is not None and observance and _khmer_festival_in_lunar_words(text, observance):
        # "(29/8-01/9 âm lịch)" approximates a Khmer-calendar date: the festival decides.
        own = _observance_span(observance, year, month) or own
    if own is not None and own.deadline:
        return own.start, own.start, own.start, False
    linked = None
    if own is None and observance and kind in ("visit", "ceremony", "plan"):
        linked = _observance_span(observance, year, month)
    if linked is not None and linked.start <= last:
        # The observance within the month dates the item as its own date would.
        own = DateSpan(linked.start, linked.end)
    if own is not None:
        if kind == "plan" and (observance or _ABOUT_EVENT.search(text.lower())):
            # A plan for a visit or ceremony spans the visit and is due some working days
            # before, so that it is approved in time (within the month when the visit is).
            due = min(month_due, policy.before_event(own.start))
            if first <= own.start <= last:
                due = max(due, _first_working_day(first, last))
            return own.start, own.end, due, True
        return own.start, own.end, own.start, True
    if linked is not None:
        # The observance falls after the month: the item is done before it, within it.
        due = _on_or_before_working_day(min(last, linked.start - timedelta(days=1)))
        if kind == "plan":
            due = min(due, policy.before_event(linked.start))
        due = max(due, first)
        return due, due, due, False
    return month_due, month_due, month_due, False


def _first_working_day(first: date, last: date) -> date:
    day = first
    while day < last and not workdays.is_working_day(day):
        day += timedelta(days=1)
    return day


_REVIEW = re.compile(r"\b(?:so ket|tong ket)\b")


def _campaign(item: PlanItem) -> tuple[str, ...] | None:
    """What makes items stages of one campaign: the same step type, documents and targets.

    Supervisions and inspections chain by kind, cited documents and whom they target
    ("đối với ..."); a directive to review a document and the review report chain by the
    documents reviewed.
    """
    folded = fold(item.text)
    if item.kind in ("supervision", "inspection"):
        target = folded.split(" doi voi ", 1)[1] if " doi voi " in folded else ""
        target = " ".join(re.findall(r"[0-9a-z]+", target))
        if not (item.references or target):
            return None
        return (item.kind, *item.references, target[:80])
    if item.kind in ("directive", "report") and item.references and _REVIEW.search(folded):
        return ("review", *item.references)
    return None


def link_stages(items: Sequence[PlanItem]) -> list[PlanItem]:
    """Number the stages of each campaign that spans several months ("bước 2/3")."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, item in enumerate(items):
        key = _campaign(item)
        if key is not None:
            groups.setdefault(key, []).append(index)
    linked = list(items)
    for key, members in groups.items():
        months = [items[i].month for i in members]
        if len(members) < 2 or len(set(months)) != len(months):
            continue
        chain = hashlib.sha256("|".join(key).encode("utf-8")).hexdigest()[:12]
        ordered = sorted(members, key=lambda i: items[i].month)
        for step, index in enumerate(ordered, start=1):
            linked[index] = replace(items[index], chain=chain, step=step, steps=len(ordered))
    return linked


def parse_plan(
    paragraphs: Sequence[Paragraph],
    year: int | None = None,
    policy: DuePolicy | None = None,
    fallback_number: str = "",
) -> ParsedPlan:
    """Find and understand the programme; ``year`` overrides the year the document states."""
    found = extract_structure(paragraphs)
    if not found.months:
        raise PlanParseError(
            "Không tìm thấy chương trình công tác theo tháng trong tài liệu "
            "(không có đề mục 'Tháng 1', 'Tháng 2'...)"
        )
    if not found.items:
        raise PlanParseError("Tài liệu có đề mục tháng nhưng không có việc nào")
    plan_year = year or _detect_year(found)
    if plan_year is None:
        raise PlanParseError("Không xác định được năm của kế hoạch; hãy chỉ rõ bằng --year")
    warnings: list[str] = []
    number = found.number
    if not number:
        number = fallback_number or "khong-so"
        warnings.append(f"Không thấy số văn bản; dùng '{number}' để nhận diện kế hoạch")
    policy = policy or load_due_policy()
    seen: Counter[tuple[int, str, str]] = Counter()
    items: list[PlanItem] = []
    for raw in found.items:
        key = (raw.month, raw.section, _uid_key(_clean_item_text(raw.text)))
        items.append(understand_item(raw, plan_year, number, policy, seen[key]))
        seen[key] += 1
    warnings.extend(empty_month_warnings(found))
    return ParsedPlan(
        number=number,
        year=plan_year,
        title=found.title,
        items=tuple(link_stages(items)),
        warnings=tuple(warnings),
    )


def empty_month_warnings(found: Structure) -> list[str]:
    """A month without items between months with items: a heading lost (to OCR, say), its
    items folded into the month before. Months marked "Không có." are empty on purpose."""
    filled = {item.month for item in found.items}
    if not filled:
        return []
    return [
        f"Tháng {month}: không tìm thấy việc nào — kiểm tra lại bản gốc"
        for month in range(min(filled), max(filled) + 1)
        if month not in filled and month not in found.empty_marked
    ]
