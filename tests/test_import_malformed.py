"""A corpus of malformed plan documents, generated here: each gives one clear line and
leaves the store as it was, or imports correctly.

The store holds the 2024 plan first, so that a bad document has something to damage.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.cli_support import CliResult, run_cli
from tests.support_import import find_font, write_pdf_plan
from tests.support_malformed import (
    SEED,
    encode_cp1258,
    only_months,
    seed_text,
    write_docx_bomb,
)

ROOT = Path(__file__).resolve().parent.parent


def _events(tmp_path: Path) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'lichct.db'}")
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                text("SELECT id, uid, status, month, title, text, due_date FROM events ORDER BY id")
            )
        )
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.fixture
def stored(capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], tmp_path: Path) -> Path:
    """A store holding the 2024 plan; returns the folder the documents go into."""
    assert run_cli(capsys, "init").code == 0
    result = run_cli(capsys, "import", str(SEED))
    assert result.code == 0 and "mới 102" in result.out, result.err
    docs = tmp_path / "docs"
    docs.mkdir()
    return docs


def _refused(result: CliResult, *fragments: str) -> None:
    assert result.code != 0, result.out
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("Lỗi: ")]
    assert len(errors) == 1, result.err
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def _seed_with(old: str, new: str, count: int = 1) -> str:
    body = seed_text()
    assert old in body
    return body.replace(old, new, count)


def _month_heading(month: int) -> str:
    return next(line for line in seed_text().split("\n") if re.match(rf"^{month}\. Tháng", line))


# Each case: file name, how to write it, and the fragments of the one error line.
REFUSED: dict[str, tuple[str, Callable[[Path], None], tuple[str, ...]]] = {
    "bomb": (
        "bom.docx",
        lambda p: write_docx_bomb(p),
        ("giải nén ra quá lớn", "word/document.xml", "50 MB"),
    ),
    "lying-bomb": (
        "noi-doi.docx",
        lambda p: write_docx_bomb(p, inflated=64 * 1024**2, declared=1000),
        ("bị hỏng",),
    ),
    "header-year": (
        "nam-sai.txt",
        lambda p: p.write_text(
            _seed_with("Công tác dân vận năm 2024", "Công tác dân vận năm 2023"), "utf-8"
        ),
        ("ghi năm 2023", "các việc ghi năm 2024", "nhiệm vụ năm 2024”"),
    ),
    "month-13": (
        "thang-13.txt",
        lambda p: p.write_text(_seed_with(_month_heading(12), "12. Tháng 13:"), "utf-8"),
        ("“12. Tháng 13:”", "tháng phải từ 1 đến 12"),
    ),
    "month-0": (
        "thang-0.txt",
        lambda p: p.write_text(_seed_with(_month_heading(1), "1. Tháng 0"), "utf-8"),
        ("“1. Tháng 0”", "không phải tháng hợp lệ"),
    ),
    "repeated-month": (
        "lap-thang.txt",
        lambda p: p.write_text(_seed_with(_month_heading(6), "6. Tháng 5:"), "utf-8"),
        ("Tháng 5 xuất hiện hai lần", "“5. Tháng 5:”", "“6. Tháng 5:”"),
    ),
    "empty-plan": (
        "rong.txt",
        lambda p: p.write_text(
            "KẾ HOẠCH\nCông tác dân vận năm 2024\n1. Tháng 1:\n2. Tháng 2:\n"
            "Trên đây là kế hoạch.\n",
            "utf-8",
        ),
        ("Kế hoạch rỗng", "“1. Tháng 1:”"),
    ),
    "huge-item": (
        "viec-dai.txt",
        lambda p: p.write_text(
            _seed_with("- Báo cáo công tác dân vận tháng 01/2024", "- Báo cáo " + "x " * 500_000),
            "utf-8",
        ),
        ("của tháng 1 dài 1.000.009 ký tự", "tối đa 2.000", "“Báo cáo x x"),
    ),
    "utf16-no-bom": (
        "utf16.txt",
        lambda p: p.write_bytes(seed_text().encode("utf-16-le")),
        ("UTF-16-LE không có dấu BOM",),
    ),
    "cp1252": (
        "cp1252.txt",
        lambda p: p.write_bytes(seed_text().encode("cp1252", errors="replace")),
        ("không phải văn bản UTF-8", "cp1252"),
    ),
    "directory": ("thu-muc.txt", lambda p: p.mkdir(), ("là một thư mục",)),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_malformed_document_gives_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], stored: Path, tmp_path: Path, case: str
) -> None:
    name, write, fragments = REFUSED[case]
    path = stored / name
    write(path)
    before = _events(tmp_path)
    _refused(run_cli(capsys, "import", str(path)), *fragments)
    _refused(run_cli(capsys, "import", str(path), "--dry-run"), *fragments)
    assert _events(tmp_path) == before


def test_a_year_option_against_the_documents_year_is_refused(
    capsys: pytest.CaptureFixture[str], stored: Path, tmp_path: Path
) -> None:
    before = _events(tmp_path)
    _refused(run_cli(capsys, "import", str(SEED), "--year", "2025"), "--year 2025 khác năm 2024")
    assert _events(tmp_path) == before


def test_a_plan_of_one_month_cancels_nothing_of_the_other_months(
    capsys: pytest.CaptureFixture[str], stored: Path, tmp_path: Path
) -> None:
    may = stored / "thang-5.txt"
    may.write_text(only_months(seed_text(), {5}), "utf-8")
    before = _events(tmp_path)
    preview = run_cli(capsys, "import", str(may), "--dry-run")
    assert preview.code == 0, preview.err
    assert "sẽ hủy 0" in preview.out and "giữ nguyên 96 việc" in preview.out
    result = run_cli(capsys, "import", str(may))
    assert result.code == 0, result.err
    assert "không đổi 6, hủy 0" in result.out
    assert "Tài liệu chỉ có tháng 5: giữ nguyên 96 việc" in result.out
    assert _events(tmp_path) == before
    # Told to, it cancels the other months' items.
    told = run_cli(capsys, "import", str(may), "--allow-cancel")
    assert told.code == 0, told.err
    assert "hủy 96" in told.out
    statuses = [row[2] for row in _events(tmp_path) if str(row[1]).startswith("plan-")]
    assert statuses.count("cancelled") == 96 and statuses.count("planned") == 6


def test_a_document_that_would_cancel_many_items_lists_them_and_asks_first(
    capsys: pytest.CaptureFixture[str], stored: Path, tmp_path: Path
) -> None:
    lines = seed_text().split("\n")
    dropped = [i for i, line in enumerate(lines) if line.startswith("- Báo cáo")][:7]
    amended = stored / "bot-7.txt"
    amended.write_text("\n".join(x for i, x in enumerate(lines) if i not in dropped), "utf-8")
    before = _events(tmp_path)
    preview = run_cli(capsys, "import", str(amended), "--dry-run")
    assert preview.code == 0, preview.err
    assert "Sẽ hủy 7 việc không còn trong kế hoạch:" in preview.out
    assert preview.out.count("\n  - Tháng ") == 7
    assert "sẽ hủy 7 · xem trước" in preview.out
    assert "--allow-cancel" in preview.err
    _refused(run_cli(capsys, "import", str(amended)), "sẽ hủy 7 trong 102 việc", "--allow-cancel")
    assert _events(tmp_path) == before
    told = run_cli(capsys, "import", str(amended), "--allow-cancel")
    assert told.code == 0, told.err
    assert "Đã hủy 7 việc" in told.out


# Documents that are odd but good: each imports the same 102 items as the plain text.
def _nul_and_bidi(path: Path) -> None:
    body = seed_text()
    at = body.index("Báo cáo công tác dân vận tháng 5/2024")
    assert at > 4096
    path.write_text(body[:at] + "Báo\x00 cáo\u202e" + body[at + 7 :], "utf-8")


READ: dict[str, tuple[str, Callable[[Path], None]]] = {
    "utf16-bom": ("utf16.txt", lambda p: p.write_bytes(seed_text().encode("utf-16"))),
    "windows-1258": ("cp1258.txt", lambda p: p.write_bytes(encode_cp1258(seed_text()))),
    "nul-and-bidi": ("nul.txt", _nul_and_bidi),
}


@pytest.mark.parametrize("case", list(READ))
def test_an_odd_but_good_document_imports_the_same_items(
    capsys: pytest.CaptureFixture[str], stored: Path, tmp_path: Path, case: str
) -> None:
    name, write = READ[case]
    path = stored / name
    write(path)
    before = _events(tmp_path)
    result = run_cli(capsys, "import", str(path))
    assert result.code == 0, result.err
    assert "không đổi 102, hủy 0" in result.out
    assert _events(tmp_path) == before
    items = json.loads(run_cli(capsys, "import", str(path), "--dry-run", "--format", "json").out)
    assert not any(ch in item["text"] for item in items for ch in "\x00\u202e")


def test_pypdf_warnings_stay_off_stderr(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    font = find_font()
    if font is None:
        pytest.skip("no DejaVu font (Debian package fonts-dejavu-core)")
    path = write_pdf_plan(tmp_path / "kh.pdf", font)
    data = path.read_bytes()
    # A wrong startxref pointer: pypdf recovers and warns.
    start = data.rindex(b"startxref")
    path.write_bytes(data[:start] + b"startxref\n12345\n%%EOF\n")
    result = run_cli(capsys, "import", str(path), "--dry-run")
    assert result.code == 0, result.err
    assert "startxref" not in result.err and "pypdf" not in result.err


_MEASURE = """
import resource, sys
from calendars.plan_reader import DocumentError, read_document
try:
    read_document(sys.argv[1])
except DocumentError as exc:
    print(exc)
# VmHWM (peak RSS of this process image); ru_maxrss would include the parent's before exec
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")]
print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_two_gigabyte_docx_bomb_is_refused_within_200_mb(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bom.docx")
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(bomb)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=True,
    )
    message, peak_kb = result.stdout.strip().splitlines()
    assert "giải nén ra quá lớn" in message
    assert int(peak_kb) < 200 * 1024
