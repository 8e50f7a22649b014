"""Text for a scanned plan: OCRmyPDF with Tesseract's Vietnamese model.

A PDF without a text layer, or a JPEG/PNG photo of a page, is recognised by the
``ocrmypdf`` program (Debian packages ``ocrmypdf`` and ``tesseract-ocr-vie``), run as a
separate process. It takes seconds per page, so:

- the page count is checked first, and a document over ``MAX_OCR_PAGES`` is refused
  before any recognition starts;
- a missing program or language gives one line naming the packages to install;
- progress is reported page by page through a callback (OCRmyPDF reports it to a small
  plugin that this module writes beside the job);
- the whole run has a time limit, and each page one too.

The recognised text comes back as plain lines, pages separated by form feeds; the caller
keeps it (keyed by the file's SHA-256) so that a re-import does not recognise it again.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from calendars.plan_reader import DocumentError

OCR_PACKAGES = "ocrmypdf tesseract-ocr-vie"
LANGUAGE = "vie"
MAX_OCR_PAGES = 60
# The whole run, and one page: a yearly plan is some 20 pages at a few seconds each.
TIMEOUT_SECONDS = 900.0
PAGE_TIMEOUT_SECONDS = 180.0
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
_PROGRESS_TAG = "LICHCT-OCR-PROGRESS"

Progress = Callable[[int, int], None]  # (pages done, pages in all)

# An OCRmyPDF plugin: its progress bars print one tagged line per update on stderr,
# whether or not stderr is a terminal (OCRmyPDF hides its own bar otherwise).
_PLUGIN = f'''
import sys

from ocrmypdf import hookimpl


class _Progress:
    def __init__(self, *args, total=None, desc=None, unit_scale=1, **kwargs):
        self.total, self.desc, self.done = total or 0, desc or "", 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1, *args, **kwargs):
        self.done += n if isinstance(n, (int, float)) else 1
        print("{_PROGRESS_TAG}", self.desc, self.done, self.total, sep="\\t", file=sys.stderr,
              flush=True)


@hookimpl
def get_progressbar_class():
    return _Progress
'''


class OcrError(DocumentError):
    """A scan that could not be recognised; the message is Vietnamese, for the user."""


class OcrUnavailable(OcrError):
    """The OCR programs are not installed on this machine."""


@dataclass(frozen=True)
class OcrResult:
    """Recognised text (pages separated by form feeds), its page count and the time taken."""

    text: str
    pages: int
    seconds: float

    @property
    def seconds_per_page(self) -> float:
        return self.seconds / max(self.pages, 1)


def check_tools() -> str:
    """The ``ocrmypdf`` program; ``OcrUnavailable`` with one clear line when it cannot run."""
    ocrmypdf = shutil.which("ocrmypdf")
    tesseract = shutil.which("tesseract")
    if ocrmypdf is None or tesseract is None:
        missing = "ocrmypdf" if ocrmypdf is None else "tesseract"
        raise OcrUnavailable(
            f"Máy chủ chưa có công cụ nhận dạng chữ ({missing}) để đọc bản scan; "
            f"hãy cài các gói: apt-get install {OCR_PACKAGES}"
        )
    try:
        listed = subprocess.run(
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OcrUnavailable(
            f"Không chạy được tesseract ({exc}); hãy cài lại các gói: apt-get install "
            f"{OCR_PACKAGES}"
        ) from exc
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    if LANGUAGE not in languages:
        raise OcrUnavailable(
            "Tesseract chưa có dữ liệu tiếng Việt để đọc bản scan; "
            "hãy cài gói: apt-get install tesseract-ocr-vie"
        )
    return ocrmypdf


def page_count(path: Path) -> int:
    """Pages to recognise: a photo is one page, a PDF has its own count."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return 1
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return len(PdfReader(str(path)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise OcrError(f"Tệp PDF {path.name} bị hỏng hoặc không đọc được") from exc


def _image_dpi(path: Path) -> int:
    """The resolution to assume for a photo: its own if credible, else from an A4 width."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as picture:
            width, height = picture.size
            dpi = picture.info.get("dpi")
    except (UnidentifiedImageError, OSError) as exc:
        raise OcrError(f"Tệp ảnh {path.name} bị hỏng hoặc không phải ảnh") from exc
    if dpi and 100 <= float(dpi[0]) <= 1200:
        return round(float(dpi[0]))
    return max(100, round(min(width, height) / 8.27))  # A4 is 8.27 inches wide


def recognise(
    path: Path | str,
    progress: Progress | None = None,
    *,
    max_pages: int = MAX_OCR_PAGES,
    timeout: float = TIMEOUT_SECONDS,
    jobs: int | None = None,
) -> OcrResult:
    """Recognise the text of a scan or photo (see the module docstring)."""
    path = Path(path)
    pages = page_count(path)
    if pages > max_pages:
        raise OcrError(
            f"Bản scan {path.name} có {pages} trang, quá giới hạn {max_pages} trang để nhận "
            "dạng chữ; hãy tách riêng phần chương trình công tác rồi nhập lại"
        )
    ocrmypdf = check_tools()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lichct-ocr-") as tmp:
        folder = Path(tmp)
        plugin = folder / "lichct_progress.py"
        plugin.write_text(_PLUGIN, encoding="utf-8")
        sidecar = folder / "text.txt"
        command = [
            ocrmypdf,
            "--language",
            LANGUAGE,
            "--force-ocr",
            "--rotate-pages",
            "--deskew",
            "--output-type",
            "none",
            "--sidecar",
            str(sidecar),
            "--tesseract-timeout",
            str(int(PAGE_TIMEOUT_SECONDS)),
            "--jobs",
            str(jobs or max(1, min(2, os.cpu_count() or 1))),
            "--plugin",
            str(plugin),
        ]
        if path.suffix.lower() in IMAGE_SUFFIXES:
            command += ["--image-dpi", str(_image_dpi(path))]
        command += [str(path), "-"]
        error_lines = _run(command, pages, progress, timeout, path.name)
        if not sidecar.is_file():
            detail = error_lines[-1] if error_lines else "không rõ lý do"
            raise OcrError(f"Không nhận dạng được chữ trong {path.name}: {detail}")
        text = sidecar.read_text("utf-8", errors="replace")
    return OcrResult(text=text, pages=pages, seconds=time.monotonic() - started)


def _run(
    command: list[str], pages: int, progress: Progress | None, timeout: float, name: str
) -> list[str]:
    """Run OCRmyPDF, relaying page progress; its other stderr lines are returned."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    lines: list[str] = []
    reported = 0
    try:
        assert process.stderr is not None
        for raw in process.stderr:
            parts = raw.rstrip("\n").split("\t")
            if parts[0] != _PROGRESS_TAG:
                if raw.strip():
                    lines.append(raw.strip())
                continue
            desc, done, total = parts[1], float(parts[2]), float(parts[3])
            if desc not in ("OCR", "Image processing") or total <= 0:
                continue
            page = min(pages, math.floor(done * pages / total + 1e-9))
            if page > reported:
                reported = page
                if progress is not None:
                    progress(page, pages)
        code = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    if code < 0:
        raise OcrError(
            f"Nhận dạng chữ {name} quá {int(timeout)} giây nên đã dừng; "
            "hãy thử lại với bản scan ít trang hơn"
        )
    if code != 0:
        detail = next((line for line in reversed(lines) if "error" in line.lower()), "")
        detail = detail or (lines[-1] if lines else f"mã lỗi {code}")
        raise OcrError(f"Không nhận dạng được chữ trong {name}: {detail}")
    return lines
