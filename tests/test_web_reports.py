"""``/bao-cao`` and ``/don-vi-bao-cao`` against a real ``lichct serve`` (2024 plan, standing at
21/05/2024 07:59): downloads read back with python-docx and openpyxl, roles, a receipt with an
uploaded file in a real headless Chromium, and uploads over the limit that store nothing.

The server's ``lichct.toml`` sets the upload limit to 1 MB (``[inbound.files] max_mb``).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import openpyxl
import pytest
from docx import Document

from tests.net_support import wait_until
from tests.support_web import Site, csrf_of, running_site
from tests.test_web_browser import CHROMEDRIVER, CHROMIUM, SCREENSHOTS, _browser_or_skip, _sign_in

pytestmark = pytest.mark.slow

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HC_DT = "Phòng Hành chính – Đoàn thể và các hội"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("reports-web")
    (folder / "lichct.toml").write_text("[inbound.files]\nmax_mb = 1\n", encoding="utf-8")
    with running_site(folder) as running:
        yield running


@contextlib.contextmanager
def _signed_in(site: Site, name: str) -> Iterator[httpx.Client]:
    with site.client() as client:
        assert site.sign_in(client, name).status_code == 303
        yield client


def _status(site: Site) -> dict[str, dict[str, Any]]:
    code, out, err = site.cli("inbound", "status", "--period", "2024-05", "--format", "json")
    assert code == 0, err
    return {row["body"]: row for row in json.loads(out)}


def _docx_lines(data: bytes) -> tuple[list[str], list[str]]:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return lines, cells


def _filename(response: httpx.Response) -> str:
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    ascii_name = re.search(r'filename="([^"]+)"', disposition)
    assert ascii_name and ascii_name.group(1).isascii()
    found = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert found, disposition
    return unquote(found.group(1))


# --- downloads and roles (httpx) ---------------------------------------------------------------


def test_an_admin_downloads_the_four_files_as_proper_documents(site: Site) -> None:
    with _signed_in(site, "Lê Văn Quản") as client:
        month = client.get("/bao-cao/thang", params={"thang": "2024-05", "don_vi": "hc-dt"})
        assert month.status_code == 200
        assert month.headers["content-type"] == DOCX
        assert _filename(month) == f"Báo cáo tháng 05-2024 - {HC_DT}.docx"
        lines, cells = _docx_lines(month.content)
        assert "BÁO CÁO" in lines
        assert any("Tây Ninh, ngày 21 tháng 5 năm 2024" in c for c in cells)
        assert any(f"tháng 5 năm 2024 của {HC_DT}" in line for line in lines)

        year = client.get("/bao-cao/nam", params={"nam": "2024"})
        assert year.headers["content-type"] == DOCX
        assert _filename(year) == "Báo cáo năm 2024.docx"
        assert any("năm 2024" in line for line in _docx_lines(year.content)[0])

        progress = client.get("/bao-cao/tien-do", params={"nam": "2024"})
        assert progress.headers["content-type"] == XLSX
        assert _filename(progress) == "Tiến độ 2024.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(progress.content))
        planned = [e for e in site.events() if e["kind"] != "observance"]
        assert book.worksheets[0].max_row - 1 == len(planned)

        notice = client.get("/bao-cao/thong-bao", params={"thang": "2024-05"})
        assert notice.headers["content-type"] == DOCX
        assert _filename(notice) == "Thông báo tình hình báo cáo tháng 05-2024.docx"
        assert "THÔNG BÁO" in _docx_lines(notice.content)[0]


def test_a_wrong_month_or_year_is_one_message_on_the_page(site: Site) -> None:
    with _signed_in(site, "Lê Văn Quản") as client:
        for path, query, words in (
            ("/bao-cao/thang", {"thang": "2024-13"}, "Tháng không hợp lệ"),
            ("/bao-cao/thong-bao", {"thang": "05/2024"}, "Tháng không hợp lệ"),
            ("/bao-cao/nam", {"nam": "hai nghìn"}, "Năm không hợp lệ"),
            ("/bao-cao/tien-do", {"nam": "2031"}, "Chưa có kế hoạch công tác năm 2031"),
            ("/bao-cao/thang", {"thang": "2024-05", "don_vi": "khong-co"}, "Không tìm thấy"),
        ):
            page = client.get(path, params=query)
            assert page.status_code == 400, path
            assert page.headers["content-type"].startswith("text/html")
            messages = re.findall(r'id="report-error">([^<]*)<', page.text)
            assert len(messages) == 1 and words in messages[0], (path, messages)
            assert 'id="download-month"' in page.text  # the forms are still there


def test_a_head_gets_their_own_units_report_and_no_bodies_page(site: Site) -> None:
    with _signed_in(site, "Nguyễn Văn An") as client:
        assert client.get("/bao-cao").status_code == 200
        other = client.get("/bao-cao/thang", params={"thang": "2024-05", "don_vi": "dvcq-dttg"})
        assert _filename(other) == f"Báo cáo tháng 05-2024 - {HC_DT}.docx"
        assert client.get("/don-vi-bao-cao").status_code == 403


def test_an_officer_gets_403_on_both_pages_and_their_posts_and_nothing_changes(
    site: Site,
) -> None:
    before = site.cli("bodies", "list", "--all", "--format", "json")
    with _signed_in(site, "Trần Thị Bình") as client:
        csrf = csrf_of(client.get("/").text)
        for path in (
            "/bao-cao",
            "/bao-cao/thang?thang=2024-05",
            "/bao-cao/nam?nam=2024",
            "/bao-cao/tien-do?nam=2024",
            "/bao-cao/thong-bao?thang=2024-05",
            "/don-vi-bao-cao",
            "/don-vi-bao-cao/tep/1",
        ):
            assert client.get(path).status_code == 403, path
        for path, data in (
            ("/don-vi-bao-cao/them", {"name": "Hội Mới", "kind": "hoi", "owes_month": "1"}),
            ("/don-vi-bao-cao/1/sua", {"name": "Đổi tên", "kind": "hoi", "owes_month": "1"}),
            ("/don-vi-bao-cao/1/ngung", {}),
        ):
            refused = client.post(path, data={"csrf": csrf, **data})
            assert refused.status_code == 403, path
            assert "vượt quá quyền" in refused.text
        upload = client.post(
            "/don-vi-bao-cao/da-nhan",
            data={"csrf": csrf, "body": "Tỉnh Đoàn", "period": "2024-05"},
            files={"file": ("bc.pdf", b"%PDF-1.4 nho", "application/pdf")},
        )
        assert upload.status_code == 403
        assert "Báo cáo" not in client.get("/").text.split("<main>")[0]  # not in the menu
    assert site.cli("bodies", "list", "--all", "--format", "json") == before
    assert _status(site)["Tỉnh Đoàn"]["received"] is None


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(site: Site) -> None:
    with _signed_in(site, "Lê Văn Quản") as client:
        csrf = csrf_of(client.get("/don-vi-bao-cao").text)
        form = {"csrf": csrf, "body": "Tỉnh Đoàn", "period": "2024-05", "note": "qua email"}
        just_over = client.post(
            "/don-vi-bao-cao/da-nhan",
            data=form,
            files={"file": ("bao-cao.pdf", b"%" * (MB + 10_000), "application/pdf")},
        )
        assert just_over.status_code == 400
        assert re.findall(r'id="bodies-error">([^<]*)<', just_over.text) == [
            "Tệp quá lớn (1.0 MB, tối đa 1 MB): chưa ghi nhận gì"
        ]
        far_over = client.post(
            "/don-vi-bao-cao/da-nhan",
            data=form,
            files={"file": ("bao-cao.pdf", b"%" * (3 * MB), "application/pdf")},
        )
        assert far_over.status_code == 413
        assert "Tệp quá lớn" in far_over.text
    assert _status(site)["Tỉnh Đoàn"]["received"] is None


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture
def browser_with_downloads() -> Iterator[tuple[Any, Path]]:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lichct-chromium-")
    downloads = Path(tempfile.mkdtemp(prefix="lichct-downloads-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--lang=vi",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.implicitly_wait(5)
    try:
        yield driver, downloads
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def test_an_admin_downloads_a_units_monthly_report_from_the_page(
    site: Site, browser_with_downloads: tuple[Any, Path]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser, downloads = browser_with_downloads
    _sign_in(browser, site, "Lê Văn Quản", "/bao-cao")
    assert browser.current_url == site.base + "/bao-cao"
    assert browser.find_element(By.ID, "month-input").get_attribute("value") == "2024-05"
    Select(browser.find_element(By.ID, "unit-select")).select_by_visible_text(HC_DT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "bao-cao.png"))
    browser.find_element(By.ID, "download-month").click()

    def finished() -> list[Path]:
        return [p for p in downloads.iterdir() if p.suffix == ".docx"]

    assert wait_until(lambda: bool(finished()), timeout=30)
    [path] = finished()
    assert path.name == f"Báo cáo tháng 05-2024 - {HC_DT}.docx"
    lines, cells = _docx_lines(path.read_bytes())
    assert "BÁO CÁO" in lines
    assert any("Tây Ninh, ngày 21 tháng 5 năm 2024" in c for c in cells)
    assert browser.current_url == site.base + "/bao-cao"  # the page stays


def test_an_admin_records_a_report_received_with_its_file(
    site: Site, browser_with_downloads: tuple[Any, Path], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser, _downloads = browser_with_downloads
    received = tmp_path / "Báo cáo tháng 5 - Hội Nông dân.pdf"
    received.write_bytes(b"%PDF-1.4\n% bao cao thang 5 cua Hoi Nong dan tinh\n")
    _sign_in(browser, site, "Lê Văn Quản", "/don-vi-bao-cao")
    Select(browser.find_element(By.ID, "receipt-body")).select_by_visible_text("Hội Nông dân tỉnh")
    assert browser.find_element(By.ID, "receipt-period").get_attribute("value") == "2024-05"
    browser.find_element(By.ID, "receipt-file").send_keys(str(received))
    browser.find_element(By.ID, "receipt-note").send_keys("Nhận qua hệ thống điều hành")
    browser.find_element(By.ID, "receipt-submit").click()
    assert wait_until(lambda: "ok=received" in browser.current_url, timeout=10)
    assert "Đã ghi nhận báo cáo" in browser.find_element(By.ID, "flash").text
    row = next(
        r
        for r in browser.find_elements(By.CSS_SELECTOR, "#status-table tbody tr")
        if r.text.startswith("Hội Nông dân tỉnh")
    )
    assert "21/05/2024" in row.text and "trễ 1 ngày" in row.text
    link = row.find_element(By.TAG_NAME, "a")
    assert link.text == received.name
    browser.find_element(By.CSS_SELECTOR, "#bodies-table details.edit summary").click()
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height + 80, 2400))
    browser.save_screenshot(str(tmp_path.parent / "don-vi-bao-cao.png"))

    status = _status(site)["Hội Nông dân tỉnh"]
    assert (status["received"], status["late_days"], status["file"]) == (
        "2024-05-21",
        1,
        received.name,
    )
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    stored = httpx.get(str(link.get_attribute("href")), cookies=cookies, timeout=10)
    assert stored.status_code == 200 and stored.content == received.read_bytes()
    assert stored.headers["content-type"] == "application/pdf"
