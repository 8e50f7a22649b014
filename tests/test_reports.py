"""The reports, read back the way the office reads them: Word and Excel files reopened.

A real store through the real CLI: the 2024 plan imported, some May items confirmed with
notes, an officer with an area and days at the grassroots.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import select

from scheduler.cli import main
from scheduler.context import AppContext
from scheduler.store.models import Event
from tests.cli_support import run_cli
from tests.conftest import SEED_PLAN

NOTE_INSPECTION = "đã kiểm tra Đảng đoàn Liên đoàn Lao động tỉnh và Huyện ủy Gò Dầu"
NOTE_REPORT = "báo cáo số 215-BC/BDVTU gửi Thường trực Tỉnh ủy & Ban Dân vận Trung ương"
NOTE_VESAK = "thăm, chúc mừng 12 chức sắc Phật giáo tiêu biểu"
NOW = "2024-05-25T08:00"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    result = run_cli(capsys, *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@pytest.fixture
def plan_items(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return _json(capsys, "import", str(SEED_PLAN), "--dry-run")


MAY_IDS: dict[str, int] = {}


@pytest.fixture(scope="module")
def may_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the 2024 plan; three May items confirmed with notes; An visits two communes."""
    folder = tmp_path_factory.mktemp("may")
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("LICHCT_"):
                patch.delenv(key)
        patch.chdir(folder)
        patch.setenv("LICHCT_DATABASE_URL", f"sqlite:///{folder / 'lichct.db'}")
        patch.setenv("LICHCT_NOW", NOW)

        def cli(*args: str) -> None:
            assert main(list(args)) == 0, args

        cli("init")
        cli("import", str(SEED_PLAN))
        cli("officers", "add", "Nguyễn Văn An", "--unit", "hc-dt")
        cli("areas", "assign", "1", "Huyện Tân Biên")
        cli("visits", "add", "1", "Tân Lập", "--date", "2024-05-03")
        cli("visits", "add", "1", "Xã Tân Bình, Tân Biên", "--date", "2024-05-14")
        ctx = AppContext.from_environment()
        with ctx.db.unit_of_work() as session:
            for key, start in (
                ("inspection", "Tổ chức kiểm tra việc thực hiện Đề án số 08"),
                ("report", "Báo cáo công tác dân vận tháng 5/2024"),
                ("bulletin", "Thông báo tình hình thông tin báo cáo"),
                ("vesak", "Kế hoạch thăm, chúc mừng chức sắc Phật giáo"),
            ):
                (MAY_IDS[key],) = session.scalars(
                    select(Event.id).where(Event.month == 5, Event.title.startswith(start))
                )
        ctx.db.dispose()
        for key, note in (
            ("inspection", NOTE_INSPECTION),
            ("report", NOTE_REPORT),
            ("vesak", NOTE_VESAK),
        ):
            cli("done", str(MAY_IDS[key]), "--by", "1", "--note", note)
    return folder / "lichct.db"


@pytest.fixture
def may(
    may_store: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, int]:
    """A copy of the May store for one test, at 25/05/2024 08:00."""
    shutil.copy(may_store, tmp_path / "lichct.db")
    monkeypatch.setenv("LICHCT_NOW", NOW)
    return dict(MAY_IDS)


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _between(lines: list[str], start: str, end: str | None) -> list[str]:
    first = next(i for i, line in enumerate(lines) if start in line)
    last = (
        next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
        if end
        else len(lines)
    )
    return lines[first + 1 : last]


def _month_report(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "bao-cao.docx"
    result = run_cli(capsys, "report", "month", *args, "--out", str(out))
    assert result.code == 0, result.err
    assert str(out) in result.out
    return out


def test_may_report_lists_exactly_the_confirmed_items_with_their_notes(
    may: dict[str, int],
    plan_items: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    lines = _paragraphs(_month_report(capsys, tmp_path, "2024-05"))
    # Results of the two sections: exactly the two confirmed section items, each with its note.
    staff = _between(lines, "1. Tham mưu Thường trực, Ban Thường vụ Tỉnh ủy", "2. ")
    own = _between(lines, "2. Nhiệm vụ chuyên môn", "3. ")
    assert staff == ["- Chưa có nội dung hoàn thành trong tháng."]
    assert len(own) == 2
    assert own[0].startswith("- Tổ chức kiểm tra việc thực hiện Đề án số 08-ĐA/TU, ngày 27/3/2020")
    assert own[0].endswith(": Đã kiểm tra Đảng đoàn Liên đoàn Lao động tỉnh và Huyện ủy Gò Dầu.")
    assert own[1] == (
        "- Báo cáo công tác dân vận tháng 5/2024: Báo cáo số 215-BC/BDVTU gửi Thường trực "
        "Tỉnh ủy & Ban Dân vận Trung ương."
    )
    # The Vesak visit is told under the month's observances, with its note.
    observances = _between(lines, "4. Thăm, chúc mừng nhân các ngày lễ trong tháng", "5. ")
    assert observances[0] == "Đại lễ Phật đản (22/05/2024)"
    assert observances[1].endswith(": Thăm, chúc mừng 12 chức sắc Phật giáo tiêu biểu.")
    # The unconfirmed ones apart, with their due dates; none of the confirmed among them.
    not_done = _between(lines, "6. Những nội dung chưa thực hiện", "* Đánh giá chung")
    may_items = [i for i in plan_items if i["month"] == 5]
    assert len(not_done) == len(may_items) - 3
    assert any(
        line.startswith("- Thông báo tình hình thông tin báo cáo của Mặt trận Tổ quốc")
        and "(hạn 31/05/2024): chưa hoàn thành" in line
        for line in not_done
    )
    assert not any(
        "Đề án số 08" in line or line.startswith("- Báo cáo công tác dân vận tháng 5")
        for line in not_done
    )
    # June's plan items under "Phương hướng", by section.
    plan_part = _between(lines, "II. PHƯƠNG HƯỚNG NHIỆM VỤ THÁNG 6/2024", "Trên đây là")
    june = [i for i in plan_items if i["month"] == 6]
    listed = [line for line in plan_part if line.startswith("- ")]
    assert len(listed) == len(june) == 9  # 4 tham mưu, 5 chuyên môn in the plan
    for item in june:
        wording = " ".join(str(item["text"]).split()).rstrip(".")
        assert any(wording in line for line in listed), wording
    staff_june = _between(plan_part, "1. Tham mưu", "2. Nhiệm vụ chuyên môn")
    assert len(staff_june) == sum(1 for i in june if i["section"] == "tham-muu")


def test_may_report_has_the_party_letterhead_date_line_and_signature(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = docx.Document(str(_month_report(capsys, tmp_path, "2024-05")))
    head, sign = document.tables
    left = [row.cells[0].text for row in head.rows]
    right = [row.cells[1].text for row in head.rows]
    assert left == ["TỈNH ỦY TÂY NINH", "BAN DÂN VẬN", "*", "Số [...]-BC/BDVTU"]
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert right[-1] == "Tây Ninh, ngày 25 tháng 5 năm 2024"
    texts = [p.text for p in document.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == (
        "Kết quả công tác dân vận tháng 5 năm 2024,\nphương hướng nhiệm vụ tháng 6 năm 2024"
    )
    assert texts[title + 3].startswith("Thực hiện Kế hoạch số 100-KH/BDVTU")
    recipients, signature = (cell.text.splitlines() for cell in sign.rows[0].cells)
    assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu Văn phòng Ban."
    assert signature == ["T/M BAN DÂN VẬN", "TRƯỞNG BAN", "[...]"]
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert 20 <= round(page.top_margin.mm) <= 25 and 20 <= round(page.bottom_margin.mm) <= 25
    assert 30 <= round(page.left_margin.mm) <= 35 and 15 <= round(page.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14


def test_field_visits_show_days_communes_and_the_years_coverage(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = _paragraphs(_month_report(capsys, tmp_path, "2024-05"))
    (total,) = {row["total"] for row in _json(capsys, "coverage", "--year", "2024")}
    visits = _between(lines, "5. Công tác đi cơ sở", "6. ")
    assert len(visits) == 1
    assert visits[0].startswith("- Đồng chí Nguyễn Văn An: 2 ngày đi cơ sở trong tháng (")
    assert "Tân Lập" in visits[0] and "Tân Bình" in visits[0]
    assert f"đã đến 2/{total} xã, phường, thị trấn" in visits[0]


def test_a_month_with_nothing_done_still_gives_a_document_that_says_so(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = _paragraphs(_month_report(capsys, tmp_path, "2024-07"))
    results = _between(lines, "I. KẾT QUẢ THỰC HIỆN", "1. ")
    assert results == ["Trong tháng chưa có nội dung nào được xác nhận hoàn thành."]
    assert any(line.startswith("II. PHƯƠNG HƯỚNG NHIỆM VỤ THÁNG 8/2024") for line in lines)
    # A unit with nothing assigned: still a valid document, every result list says so.
    unit_lines = _paragraphs(_month_report(capsys, tmp_path, "2024-05", "--unit", "dvcq-dttg"))
    assert "Trong tháng chưa có nội dung nào được xác nhận hoàn thành." in unit_lines
    assert any("của Phòng Dân vận các cơ quan nhà nước" in line for line in unit_lines)


def test_a_units_report_holds_only_that_units_items(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "assign", str(may["bulletin"]), "1").code == 0
    lines = _paragraphs(_month_report(capsys, tmp_path, "2024-05", "--unit", "hc-dt"))
    not_done = _between(lines, ". Những nội dung chưa thực hiện", "* Đánh giá chung")
    assert len(not_done) == 1 and "Thông báo tình hình" in not_done[0]
    assert not_done[0].endswith("thực hiện: Nguyễn Văn An.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2024-13",), "Lỗi: Tháng không hợp lệ: '2024-13' (viết YYYY-MM, ví dụ 2024-05)"),
        (("5/2024",), "Lỗi: Tháng không hợp lệ: '5/2024' (viết YYYY-MM, ví dụ 2024-05)"),
        (("2031-05",), "Lỗi: Chưa có kế hoạch công tác năm 2031"),
        (("2024-05", "--unit", "Phòng Không Có"), "Lỗi: Không tìm thấy đơn vị 'Phòng Không Có'"),
    ],
)
def test_an_unknown_month_or_unit_is_one_clear_line_and_no_file(
    may: dict[str, int],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,
) -> None:
    out = tmp_path / "x.docx"
    result = run_cli(capsys, "report", "month", *args, "--out", str(out))
    assert result.code != 0
    assert result.err.count("\n") == 1 and result.err.startswith(message)
    assert not out.exists()


def test_workbook_counts_equal_the_events_listing(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "add", "Họp giao ban tháng 5", "--date", "2024-05-27").code == 0
    assert run_cli(capsys, "assign", str(may["bulletin"]), "1").code == 0
    out = tmp_path / "tien-do.xlsx"
    result = run_cli(capsys, "report", "progress", "--year", "2024", "--out", str(out))
    assert result.code == 0, result.err
    events = _json(capsys, "events", "--from", "2024-01-01", "--to", "2024-12-31")
    tasks = {int(str(e["id"])): e for e in events if e["kind"] != "observance"}

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Danh sách việc", "Theo tháng", "Theo đơn vị", "Đi cơ sở"]
    sheet = book["Danh sách việc"]
    headers = [c.value for c in sheet[1]]
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(r["Mã"] for r in rows) == sorted(tasks)
    assert (
        sum(r["Trạng thái"] == "Đã xong" for r in rows)
        == sum(e["status"] == "done" for e in tasks.values())
        == 3
    )
    assert sum(r["Trạng thái"] == "Quá hạn" for r in rows) == sum(
        bool(e["overdue"]) for e in tasks.values()
    )
    for row in rows:  # dates are real dates, the same as the listing's
        due = tasks[row["Mã"]]["due"]
        assert row["Hạn"] == (datetime.fromisoformat(str(due)) if due else None)
    inspection = next(r for r in rows if r["Mã"] == may["inspection"])
    assert inspection["Ghi chú"] == NOTE_INSPECTION
    assert inspection["Xác nhận bởi"] == "Nguyễn Văn An"
    assert inspection["Xác nhận lúc"] == datetime(2024, 5, 25, 8, 0)
    assert inspection["Mảng"] == "Nhiệm vụ chuyên môn" and inspection["Tháng"] == 5

    by_month = book["Theo tháng"]
    month_rows = list(by_month.iter_rows(min_row=2, values_only=True))
    assert sum(r[2] for r in month_rows) == len(tasks)
    may_rows = {r[1]: r for r in month_rows if r[0] == 5}
    assert may_rows["Nhiệm vụ chuyên môn"][3] == 3  # three confirmed, all chuyên môn
    assert may_rows["Phát sinh"][2] == 1
    by_unit = {r[0]: r for r in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert by_unit["Phòng Hành chính – Đoàn thể và các hội"][1:3] == (1, 0)  # the bulletin
    assert by_unit["Chưa giao đơn vị"][1] == len(tasks) - 1
    (visits,) = list(book["Đi cơ sở"].iter_rows(min_row=2, values_only=True))
    assert visits[0] == "Nguyễn Văn An" and visits[2] == 2 and visits[4] == 2
    assert visits[5 + 4] == 2  # T5: two days in May
    for name in book.sheetnames:
        assert book[name].freeze_panes == "A2"
        assert book[name].auto_filter.ref


def test_year_summary_gives_results_by_month_totals_and_what_was_not_done(
    may: dict[str, int],
    plan_items: list[dict[str, object]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    out = tmp_path / "nam.docx"
    result = run_cli(capsys, "report", "year", "2024", "--out", str(out), "--date", "2024-12-20")
    assert result.code == 0, result.err
    document = docx.Document(str(out))
    assert document.tables[0].rows[-1].cells[1].text == "Tây Ninh, ngày 20 tháng 12 năm 2024"
    lines = [p.text for p in document.paragraphs]
    assert "Tổng kết công tác dân vận năm 2024,\nphương hướng nhiệm vụ năm 2025" in lines
    may_count = sum(1 for i in plan_items if i["month"] == 5)
    assert f"Tháng 5: hoàn thành 3/{may_count} nội dung" in lines
    assert f"Tháng 6: hoàn thành 0/{sum(1 for i in plan_items if i['month'] == 6)} nội dung" in (
        lines
    )
    total = len(plan_items)
    assert any(line.startswith(f"- Toàn bộ: {total} nội dung; hoàn thành 3 (3%)") for line in lines)
    not_done = _between(lines, "4. Những nội dung chưa thực hiện", "* Đánh giá chung")
    assert len(not_done) == total - 3


def test_another_board_sets_its_own_letterhead_in_lichct_toml(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "lichct.toml").write_text(
        '[report]\nsuperior = "TỈNH ỦY BÌNH DƯƠNG"\nplace = "Thủ Dầu Một"\n'
        'signer_name = "Nguyễn Thị Hoa"\n',
        encoding="utf-8",
    )
    document = docx.Document(
        str(_month_report(capsys, tmp_path, "2024-05", "--date", "2024-06-03"))
    )
    head = document.tables[0]
    assert head.rows[0].cells[0].text == "TỈNH ỦY BÌNH DƯƠNG"
    assert head.rows[1].cells[0].text == "BAN DÂN VẬN"  # not overridden: the bundled value
    assert head.rows[3].cells[1].text == "Thủ Dầu Một, ngày 03 tháng 6 năm 2024"
    assert document.tables[1].rows[0].cells[1].text.splitlines()[-1] == "Nguyễn Thị Hoa"


def test_an_office_template_exported_and_edited_is_used(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    template = tmp_path / "mau.docx"
    assert run_cli(capsys, "report", "template", "--out", str(template)).code == 0
    edited = docx.Document(str(template))
    edited.add_paragraph("Bản dự thảo: kiểm tra lại trước khi trình ký")
    edited.save(str(template))
    (tmp_path / "lichct.toml").write_text(f'[report]\ntemplate = "{template}"\n', encoding="utf-8")
    lines = _paragraphs(_month_report(capsys, tmp_path, "2024-05"))
    assert lines[-1] == "Bản dự thảo: kiểm tra lại trước khi trình ký"
    assert "I. KẾT QUẢ THỰC HIỆN" in lines


def test_the_builders_return_bytes_for_a_web_download(may: dict[str, int], tmp_path: Path) -> None:
    from scheduler.context import AppContext
    from scheduler.reports import (
        load_report_settings,
        month_report_docx,
        progress_workbook,
        year_report_docx,
    )

    ctx = AppContext.from_environment()
    try:
        with ctx.db.unit_of_work() as session:
            settings = load_report_settings({})
            today = date(2024, 5, 25)
            month = month_report_docx(session, 2024, 5, today=today, settings=settings)
            year = year_report_docx(session, 2024, today=today, settings=settings)
            book = progress_workbook(session, 2024, today=today)
    finally:
        ctx.db.dispose()
    assert month[:2] == year[:2] == book[:2] == b"PK"  # zip containers, ready to send
    path = tmp_path / "m.docx"
    path.write_bytes(month)
    assert "BÁO CÁO" in _paragraphs(path)


@pytest.mark.slow
def test_libreoffice_prints_the_monthly_report_on_a4_with_its_letterhead(
    may: dict[str, int], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What the office receives: the draft opens in LibreOffice and prints as A4 pages."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        message = "needs soffice and pdftotext (Debian: libreoffice-writer-nogui, poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    report = _month_report(capsys, tmp_path, "2024-05")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = report.with_suffix(".pdf")
    first = subprocess.run(
        [pdftotext, "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for text in ("TỈNH ỦY TÂY NINH", "ĐẢNG CỘNG SẢN VIỆT NAM", "BÁO CÁO", "Số [...]-BC/BDVTU"):
        assert text in first
    # The place and date line sits on the same printed line as the document number.
    (number_line,) = [line for line in first.splitlines() if "Số [...]-BC/BDVTU" in line]
    assert "Tây Ninh, ngày 25 tháng 5 năm 2024" in number_line
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "595.3" in info or "595.27" in info or "(A4)" in info
