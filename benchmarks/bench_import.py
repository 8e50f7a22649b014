"""How long `lichct import` takes on the bundled 2024 plan: reading, parsing, storing.

Run: python benchmarks/bench_import.py [--repeat N] [--ocr-pages N]
Prints milliseconds per run (best of N) for each step and format, the cost of the
document's self-checks, the peak memory of reading a .docx that inflates to 2 GiB
(measured in a child process; the target is under 200 MB), and the seconds per page that
OCR of a scan takes (pages rendered at 200 dpi greyscale; needs ocrmypdf,
tesseract-ocr-vie, poppler-utils and img2pdf, else says which is missing).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import docx
from lichct_data import resource

from calendars.plan_checks import check_structure, check_years
from calendars.plan_parser import load_due_policy, parse_plan
from calendars.plan_reader import read_document
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.plans.importing import import_plan
from scheduler.store.db import migrate

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ROOT = Path(__file__).resolve().parent.parent
_PEAK = """
import resource, sys
from calendars.plan_reader import DocumentError, read_document
try:
    read_document(sys.argv[1])
except DocumentError as exc:
    print(exc, file=sys.stderr)
# VmHWM (peak RSS of this process image); ru_maxrss would include the parent's before exec
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]
print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def bomb_peak_mb(folder: Path) -> tuple[float, float, str]:
    """Peak RSS of a child that reads a 2 GiB-inflating .docx, and of one reading nothing."""
    sys.path.insert(0, str(ROOT))
    from tests.support_malformed import write_docx_bomb

    bomb = write_docx_bomb(folder / "bomb.docx")
    empty = folder / "empty.txt"
    empty.write_text("", encoding="utf-8")
    figures = []
    message = ""
    for path in (bomb, empty):
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True
        )
        figures.append(int(done.stdout.strip()) / 1024)
        message = message or done.stderr.strip()
    return figures[0], figures[1], message


def best_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def make_copies(text: str, folder: Path) -> dict[str, Path]:
    """The 2024 plan as .txt, and rebuilt as .docx and (with a font) .pdf."""
    paths = {"txt": folder / "plan.txt"}
    paths["txt"].write_text(text, encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    paths["docx"] = folder / "plan.docx"
    document.save(str(paths["docx"]))
    if FONT.is_file():
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.set_font("DejaVu", size=11)
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line.replace("*", ""), new_x="LMARGIN", new_y="NEXT")
        paths["pdf"] = folder / "plan.pdf"
        pdf.output(str(paths["pdf"]))
    return paths


def ocr_seconds_per_page(pdf: Path, pages: int, folder: Path) -> str:
    """Scan the first ``pages`` pages of ``pdf`` and time their recognition."""
    from calendars import ocr

    for tool, package in (("pdftoppm", "poppler-utils"), ("img2pdf", "img2pdf")):
        if shutil.which(tool) is None:
            return f"skipped: {tool} missing (apt-get install {package})"
    try:
        ocr.check_tools()
    except ocr.OcrUnavailable as exc:
        return f"skipped: {exc}"
    command = ["pdftoppm", "-r", "200", "-gray", "-jpeg", "-f", "1", "-l", str(pages)]
    subprocess.run([*command, str(pdf), str(folder / "scan")], check=True)
    images = sorted(str(p) for p in folder.glob("scan-*.jpg"))
    scan = folder / "scan.pdf"
    subprocess.run(["img2pdf", *images, "-o", str(scan)], check=True)
    result = ocr.recognise(scan)
    return (
        f"{result.seconds_per_page:.1f} s/page ({result.pages} pages in {result.seconds:.1f} s, "
        f"{len(result.text)} characters)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ocr-pages", type=int, default=3, help="pages to OCR (0: skip)")
    args = parser.parse_args()
    text = resource("plans/2024_100-KH-BDVTU.txt").read_text("utf-8")
    policy = load_due_policy()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_copies(text, folder)
        # Warm the lunar table and the observance catalog once, as a running service has.
        parse_plan(read_document(paths["txt"]).paragraphs, policy=policy)
        for fmt, path in paths.items():
            read = best_ms(lambda p=path: read_document(p), args.repeat)
            paragraphs = read_document(path).paragraphs
            parse = best_ms(lambda p=paragraphs: parse_plan(p, policy=policy), args.repeat)
            items = len(parse_plan(paragraphs, policy=policy).items)
            print(f"{fmt:5} read {read:7.1f} ms   parse {parse:7.1f} ms   ({items} items)")

        paragraphs = read_document(paths["txt"]).paragraphs

        def checks() -> None:
            check_years(check_structure(paragraphs), None)

        print(f"self-checks (months, items, years) {best_ms(checks, args.repeat):7.1f} ms")
        peak, baseline, message = bomb_peak_mb(folder)
        print(
            f"2 GiB .docx bomb: peak RSS {peak:6.1f} MB (interpreter alone {baseline:6.1f} MB)"
            f" -> {message[:70]}"
        )

        parsed = parse_plan(read_document(paths["txt"]).paragraphs, policy=policy)
        ctx = AppContext.from_settings(Settings(database_url=f"sqlite:///{folder / 'b.db'}"))
        migrate(ctx.db.engine)
        now = datetime(2024, 1, 20, 1, 0, tzinfo=UTC)

        def store() -> None:
            with ctx.db.unit_of_work() as session:
                import_plan(session, parsed, "plan.txt", "hash", now)

        first = best_ms(store, 1)
        again = best_ms(store, args.repeat)
        ctx.db.dispose()
        print(f"store first import {first:7.1f} ms   re-import (no change) {again:7.1f} ms")
        if args.ocr_pages and "pdf" in paths:
            print(f"ocr   {ocr_seconds_per_page(paths['pdf'], args.ocr_pages, folder)}")


if __name__ == "__main__":
    main()
