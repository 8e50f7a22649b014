"""Scanned plans: 200-dpi greyscale pictures of the Word pages, slightly turned and noisy,
recognised by OCRmyPDF with Tesseract's Vietnamese model.

The recognition itself is slow (seconds per page): each scan is recognised once per module,
and only the pages that matter are scanned. Refusals (no OCR tools, too many pages) are
fast and run always.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calendars import ocr
from calendars.plan_parser import PlanItem, parse_plan
from scheduler.plans.scans import read_plan_document, read_plan_document_async
from tests.cli_support import run_cli
from tests.conftest import SEED_PLAN
from tests.support_import import write_scanned_pdf
from tests.support_wordpdf import (
    FOOTER_2024,
    ITEMS_2025,
    require_tool,
    scan,
    word_pdf_2024,
    word_pdf_2025,
)

NOW = datetime(2025, 1, 15, 2, 0, tzinfo=UTC)
EXPECTED_2024 = [12, 5, 7, 5, 6, 9, 11, 12, 10, 8, 10, 7]  # items per month, tham mưu + CM
EXPECTED_2025 = [sum(1 for i in ITEMS_2025 if i.month == m) for m in range(1, 13)]
GLYPHS = "\uf0b7\uf0a7\uf076\uf0d8•●®©"


def require_ocr() -> None:
    require_tool("soffice", "libreoffice-writer-nogui")
    try:
        ocr.check_tools()
    except ocr.OcrUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def per_month(items: list[PlanItem] | list[dict[str, object]]) -> list[int]:
    months = Counter(i["month"] if isinstance(i, dict) else i.month for i in items)
    return [months[m] for m in range(1, 13)]


def assert_within_one_per_month(found: list[int], expected: list[int]) -> None:
    assert all(abs(f - e) <= 1 for f, e in zip(found, expected, strict=True)), (found, expected)


@pytest.fixture(scope="module")
def scan_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_ocr()
    folder = tmp_path_factory.mktemp("scan2025")
    return scan(word_pdf_2025(folder), folder / "scan2025.pdf")


@pytest.fixture(scope="module")
def ocr_2024(tmp_path_factory: pytest.TempPathFactory) -> list[PlanItem]:
    """The 2024 plan's programme (its pages 7 to the end) scanned and recognised once."""
    require_ocr()
    from pypdf import PdfReader

    folder = tmp_path_factory.mktemp("scan2024")
    pdf = word_pdf_2024(folder, SEED_PLAN)
    pages = len(PdfReader(str(pdf)).pages)
    first = next(
        n + 1
        for n, page in enumerate(PdfReader(str(pdf)).pages)
        if "CHƯƠNG TRÌNH CÔNG TÁC" in page.extract_text()
    )
    scanned = scan(pdf, folder / "scan2024.pdf", pages=f"{first}-{pages}")
    document = read_plan_document(scanned, None, NOW)
    assert document.ocr
    plan = parse_plan(document.paragraphs)
    assert (plan.number, plan.year) == ("100-KH/BDVTU", 2024)
    return list(plan.items)


@pytest.mark.slow
def test_the_scanned_2024_programme_has_its_items_within_one_per_month(
    ocr_2024: list[PlanItem],
) -> None:
    assert_within_one_per_month(per_month(ocr_2024), EXPECTED_2024)
    # August and September keep their own items: no heading folded them into July.
    assert per_month(ocr_2024)[7] >= 11 and per_month(ocr_2024)[8] >= 9


@pytest.mark.slow
def test_scanned_items_have_clean_titles(ocr_2024: list[PlanItem]) -> None:
    assert not [i.title for i in ocr_2024 if i.title[:1] in GLYPHS]
    assert not [i.text for i in ocr_2024 if "Không có" in i.text]
    # The running footer under every page is neither an item nor glued to one.
    assert not [i.text for i in ocr_2024 if FOOTER_2024 in i.text]


@pytest.mark.slow
def test_a_scanned_plan_imports_with_progress_per_page_and_is_recognised_once(
    scan_2025: Path, capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    first = run_cli(capsys, "import", str(scan_2025), "--format", "json")
    assert first.code == 0, first.err
    progress = [line for line in first.err.splitlines() if "Nhận dạng chữ (OCR): trang" in line]
    assert progress[-1].endswith("trang 4/4…")
    assert "đối chiếu từng việc với bản gốc" in first.err
    items = json.loads(first.out)
    assert_within_one_per_month(per_month(items), EXPECTED_2025)
    assert not [i for i in items if i["title"][:1] in GLYPHS or "Không có" in i["text"]]

    again = run_cli(capsys, "import", str(scan_2025))
    assert again.code == 0, again.err
    assert "Nhận dạng chữ (OCR): trang" not in again.err  # the kept text was read
    assert "Không có thay đổi so với lần nhập trước." in again.out
    assert "đối chiếu từng việc với bản gốc" in again.err


@pytest.mark.slow
def test_a_photo_of_a_page_is_recognised_while_the_event_loop_keeps_running(
    scan_2025: Path, tmp_path: Path
) -> None:
    import subprocess

    from PIL import Image

    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    subprocess.run(
        [pdftoppm, "-r", "150", "-gray", "-png", "-f", "1", "-l", "1", scan_2025, tmp_path / "p"],
        check=True,
        timeout=120,
    )
    photo = tmp_path / "anh-chup.jpg"
    # A phone photo carries no print resolution: it is guessed from the page's width.
    Image.open(next(tmp_path.glob("p-*.png"))).save(photo, quality=85)
    ticks = 0
    seen: list[tuple[int, int]] = []

    async def ticker(done: asyncio.Event) -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.05)

    async def main() -> object:
        done = asyncio.Event()
        tick = asyncio.create_task(ticker(done))
        try:
            return await read_plan_document_async(
                photo, None, NOW, lambda d, n: seen.append((d, n))
            )
        finally:
            done.set()
            await tick

    document = asyncio.run(main())
    assert ticks >= 10  # the loop went on while the page was recognised in a thread
    assert seen == [(1, 1)]
    texts = [p.text for p in document.paragraphs]  # type: ignore[attr-defined]
    assert "1. Tháng 1:" in texts
    assert any(t.startswith("Báo cáo công tác dân vận tháng 01/2025") for t in texts)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("keep", [(), ("ocrmypdf",)])
def test_a_scan_on_a_machine_without_ocr_tools_gives_one_clear_line(
    keep: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cli_env: dict[str, str],
) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in keep:
        found = require_tool(tool, "ocrmypdf")
        (bare / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bare))
    result = run_cli(capsys, "import", str(write_scanned_pdf(tmp_path / "scan.pdf")), "--dry-run")
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Lỗi: ")
    assert "apt-get install ocrmypdf tesseract-ocr-vie" in lines[0]
    assert ("tesseract" if keep else "ocrmypdf") in lines[0].split("apt-get")[0]


def test_a_300_page_scan_is_refused_by_the_page_limit_before_any_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(300):
        writer.add_blank_page(width=595, height=842)
    big = tmp_path / "scan-300.pdf"
    with big.open("wb") as handle:
        writer.write(handle)
    # Without the OCR tools on PATH, starting OCR would fail with another message.
    monkeypatch.setenv("PATH", str(tmp_path))
    started: list[tuple[int, int]] = []
    with pytest.raises(ocr.OcrError, match="có 300 trang, quá giới hạn 60 trang") as caught:
        read_plan_document(big, None, NOW, lambda d, n: started.append((d, n)))
    assert not isinstance(caught.value, ocr.OcrUnavailable)
    assert started == []
