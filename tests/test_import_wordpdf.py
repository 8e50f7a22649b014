"""Plans exported from Word to PDF (LibreOffice): Symbol-font bullets, justified lines, page
breaks inside items, page numbers and a running footer give exactly the items of the plan."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from calendars.plan_parser import ParsedPlan, parse_plan
from calendars.plan_reader import read_document
from tests.conftest import SEED_PLAN
from tests.support_wordpdf import (
    FOOTER_2024,
    ITEMS_2025,
    NUMBER_2025,
    blocks_from_seed,
    word_pdf_2024,
    word_pdf_2025,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdf_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return word_pdf_2024(tmp_path_factory.mktemp("word2024"), SEED_PLAN)


@pytest.fixture(scope="module")
def pdf_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return word_pdf_2025(tmp_path_factory.mktemp("word2025"))


@pytest.fixture(scope="module")
def plan_2024(pdf_2024: Path) -> ParsedPlan:
    return parse_plan(read_document(pdf_2024).paragraphs)


def counts(plan: ParsedPlan, section: str) -> list[int]:
    found = Counter((i.month, i.section) for i in plan.items)
    return [found[(month, section)] for month in range(1, 13)]


def test_the_word_pdf_really_has_symbol_bullets_and_several_pages(pdf_2024: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_2024))
    assert len(reader.pages) >= 10
    assert "\uf0b7" in "".join(page.extract_text() for page in reader.pages)


def test_the_2024_plan_as_a_word_pdf_has_every_item_in_its_month_and_section(
    plan_2024: ParsedPlan,
) -> None:
    assert (plan_2024.number, plan_2024.year) == ("100-KH/BDVTU", 2024)
    assert len(plan_2024.items) == 102
    assert counts(plan_2024, "tham-muu") == [2, 0, 2, 1, 1, 4, 6, 6, 3, 3, 2, 1]
    assert counts(plan_2024, "chuyen-mon") == [10, 5, 5, 4, 5, 5, 5, 6, 7, 5, 8, 6]
    assert plan_2024.warnings == ()


def test_no_title_starts_with_a_bullet_and_no_empty_marker_became_an_item(
    plan_2024: ParsedPlan,
) -> None:
    assert not [i.title for i in plan_2024.items if i.title[:1] in "\uf0b7\uf0a7•-"]
    assert not [i for i in plan_2024.items if "Không có" in i.text]


def test_the_word_pdf_gives_the_same_wording_as_the_text_copy(plan_2024: ParsedPlan) -> None:
    # Items cut by page breaks and lines cut by justification come back whole, without the
    # page numbers and the running footer: the same UIDs as the text import.
    text_plan = parse_plan(read_document(SEED_PLAN).paragraphs)
    assert [i.text for i in plan_2024.items] == [i.text for i in text_plan.items]
    assert [i.uid for i in plan_2024.items] == [i.uid for i in text_plan.items]


def test_running_footer_and_page_numbers_are_not_text(pdf_2024: Path) -> None:
    paragraphs = [p.text for p in read_document(pdf_2024).paragraphs]
    typed = [b.text for b in blocks_from_seed(SEED_PLAN.read_text("utf-8"))]
    # The footer's words stand in the plan once ("Trên đây là Kế hoạch ..."), not per page.
    assert sum(FOOTER_2024 in p for p in paragraphs) == sum(FOOTER_2024 in t for t in typed) == 1
    assert not [p for p in paragraphs if p.isdigit()]
    assert not [p for p in paragraphs if p[:1] in "\uf0b7\uf0a7\uf076\uf0d8"]


def test_a_2025_shaped_word_pdf_gives_exactly_its_22_items(pdf_2025: Path) -> None:
    plan = parse_plan(read_document(pdf_2025).paragraphs)
    assert [(i.month, i.section, i.text) for i in plan.items] == [
        (i.month, i.section, i.text) for i in ITEMS_2025
    ]
    assert (plan.number, plan.year) == (NUMBER_2025, 2025)
    assert counts(plan, "tham-muu") == [1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1]
    assert counts(plan, "chuyen-mon") == [2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2]
