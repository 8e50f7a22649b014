"""/ke-hoach and the bulk form of /viec in a real headless Chromium against a real
``lichct serve`` (standing at 2024-05-21 07:59), and their 403s over plain HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from tests import test_web_browser
from tests.net_support import wait_until
from tests.support_plan_upload import (
    ADDED,
    CHANGED_NEW,
    CHANGED_OLD,
    PLAN_TXT,
    PNG,
    no_month_docx,
    plan_docx,
)
from tests.support_web import Site, csrf_of, running_site
from tests.test_web_browser import SCREENSHOTS, _browser_or_skip, _sign_in

pytestmark = pytest.mark.slow

browser = test_web_browser.browser  # the same headless Chromium fixture


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Officers, no plan yet: the first day of a new year."""
    _browser_or_skip()
    with running_site(tmp_path_factory.mktemp("plans-empty"), with_plan=False) as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _browser_or_skip()
    with running_site(tmp_path_factory.mktemp("plans")) as running:
        yield running


def _upload(driver: Any, site: Site, path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(site.base + "/ke-hoach")
    driver.find_element(By.ID, "plan-file").send_keys(str(path))
    driver.find_element(By.ID, "upload").click()


def _plan_uids(site: Site) -> list[str]:
    return sorted(e["uid"] for e in site.events() if e["kind"] != "observance")


def _cli_uids(site: Site) -> list[str]:
    code, out, err = site.cli("import", str(PLAN_TXT), "--dry-run", "--format", "json")
    assert code == 0, err
    return sorted(item["uid"] for item in json.loads(out))


def test_uploading_the_2024_plan_then_an_amended_copy(empty_site: Site, browser: Any, tmp_path):
    from selenium.webdriver.common.by import By

    site = empty_site
    original = tmp_path / "KH 100-KH-BDVTU 2024.docx"
    original.write_bytes(plan_docx())
    amended = tmp_path / "KH 100-KH-BDVTU 2024 (sửa đổi).docx"
    amended.write_bytes(plan_docx(amended=True))

    _sign_in(browser, site, "Lê Văn Quản", "/ke-hoach")
    assert "Chưa có kế hoạch nào" in browser.find_element(By.ID, "plans").text
    _upload(browser, site, original)
    assert wait_until(lambda: "/ke-hoach/xem/" in browser.current_url, timeout=20)
    summary = browser.find_element(By.ID, "summary").text
    assert "102 việc" in summary and "Kế hoạch mới" in summary
    months = browser.find_elements(By.CSS_SELECTOR, "section.month-block")
    assert [m.get_attribute("id") for m in months] == [f"thang-{m}" for m in range(1, 13)]
    assert site.events() == [] or _plan_uids(site) == []  # nothing stored yet
    browser.find_element(By.ID, "store").click()
    assert wait_until(lambda: "ok=luu" in browser.current_url, timeout=20)
    assert "mới 102" in browser.find_element(By.ID, "flash").text
    assert _plan_uids(site) == _cli_uids(site)  # the same 102 items as lichct import

    # Back to the preview and press again: stored once.
    browser.back()
    browser.refresh()
    assert "đã được lưu" in browser.find_element(By.ID, "flash").text
    assert len(_plan_uids(site)) == 102

    _upload(browser, site, amended)
    assert wait_until(lambda: "/ke-hoach/xem/" in browser.current_url, timeout=20)
    assert browser.find_element(By.ID, "count-created").text == "mới 1"
    assert browser.find_element(By.ID, "count-updated").text == "thay đổi 1"
    assert browser.find_element(By.ID, "count-unchanged").text == "không đổi 101"
    assert browser.find_element(By.ID, "count-cancelled").text == "sẽ hủy 0"
    [changed] = browser.find_elements(By.CSS_SELECTOR, "tr.updated")
    assert CHANGED_OLD in changed.find_element(By.CSS_SELECTOR, ".old").text
    assert CHANGED_NEW in changed.find_element(By.CSS_SELECTOR, ".new").text
    [new] = browser.find_elements(By.CSS_SELECTOR, "tr.created")
    assert ADDED[:60] in new.text
    assert not any(CHANGED_NEW in e["title"] for e in site.events())  # not stored yet
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 1000)
    browser.execute_script("document.querySelector('tr.updated').scrollIntoView({block: 'center'})")
    browser.save_screenshot(str(SCREENSHOTS / "ke-hoach-preview.png"))
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element(By.ID, "store").click()
    assert wait_until(lambda: "ok=luu" in browser.current_url, timeout=20)
    events = site.events()
    edited = next(e for e in events if e["title"].startswith(CHANGED_NEW.rstrip(".")))
    assert any(e["title"].startswith(ADDED[:40]) for e in events)
    assert len([e for e in events if e["kind"] != "observance"]) == 103

    browser.get(f"{site.base}/viec/{edited['id']}")
    history = browser.find_element(By.ID, "history").text
    assert "Lê Văn Quản sửa đổi theo kế hoạch tải lên" in history


def test_uploads_that_are_not_plans_give_one_message_and_change_nothing(
    empty_site: Site, browser: Any, tmp_path
):
    from selenium.webdriver.common.by import By

    site = empty_site
    before = site.events()
    (tmp_path / "anh-chup.png").write_bytes(PNG)
    (tmp_path / "trong.docx").write_bytes(b"")
    (tmp_path / "cong-van.docx").write_bytes(no_month_docx())
    _sign_in(browser, site, "Lê Văn Quản", "/ke-hoach")
    expected = {
        "anh-chup.png": "lichct import",  # a photo: the page sends it to the OCR command
        "trong.docx": "rỗng",
        "cong-van.docx": "Không tìm thấy chương trình công tác theo tháng",
    }
    for name, words in expected.items():
        _upload(browser, site, tmp_path / name)
        errors = browser.find_elements(By.CSS_SELECTOR, ".message.error")
        assert len(errors) == 1, name
        assert words in errors[0].text and "Không có gì được lưu" in errors[0].text
        assert "/xem/" not in browser.current_url
    assert site.events() == before


def test_bulk_assigning_julys_chuyen_mon_reports_puts_them_in_the_officers_feed(
    site: Site, browser: Any
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    code, out, err = site.cli("import", str(PLAN_TXT), "--dry-run", "--format", "json")
    assert code == 0, err
    wanted = {
        i["uid"]
        for i in json.loads(out)
        if i["month"] == 7 and i["section"] == "chuyen-mon" and i["kind"] == "report"
    }
    code, out, err = site.cli("feed-url", "Võ Thị Dung")
    assert code == 0, err
    feed = next(w for w in out.split() if w.startswith(site.base + "/feeds/"))

    def feed_uids() -> set[str]:
        body = httpx.get(feed, timeout=5).content
        return {str(c["UID"]) for c in Calendar.from_ical(body).walk("VEVENT")}

    assert wanted and not wanted & feed_uids()
    _sign_in(browser, site, "Lê Văn Quản", "/viec?thang=2024-07&phan=chuyen-mon&loai=report")
    shown = browser.find_elements(By.CSS_SELECTOR, "input[name=viec]")
    assert len(shown) == len(wanted)
    Select(browser.find_element(By.ID, "bulk-officers")).select_by_visible_text(
        "Võ Thị Dung · hc-dt"
    )
    browser.find_element(By.ID, "bulk-all").click()
    browser.find_element(By.ID, "bulk-assign").click()
    assert wait_until(lambda: "ok=giao-nhieu" in browser.current_url, timeout=10)
    assert f"Đã giao {len(wanted)} việc" in browser.find_element(By.ID, "flash").text
    assert "Võ Thị Dung" in browser.find_element(By.CSS_SELECTOR, "td.who").text
    assert wanted <= feed_uids()

    # Ticking items one by one: three of June's items to two officers at once.
    browser.get(f"{site.base}/viec?thang=2024-06&phan=chuyen-mon")
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=viec]")[:3]
    ids = [int(b.get_attribute("value")) for b in boxes]
    for box in boxes:
        box.click()
    people = Select(browser.find_element(By.ID, "bulk-officers"))
    people.select_by_visible_text("Đặng Văn Em · hc-dt")
    people.select_by_visible_text("Phạm Văn Cường · dvcq-dttg")
    browser.find_element(By.ID, "bulk-assign").click()
    assert wait_until(lambda: "ok=giao-nhieu" in browser.current_url, timeout=10)
    for event_id in ids:
        assert {"Đặng Văn Em", "Phạm Văn Cường"} <= set(site.event(event_id)["assignees"])
    browser.get(f"{site.base}/viec/{ids[0]}")
    history = browser.find_element(By.ID, "history").text
    line = next(x for x in history.splitlines() if "Lê Văn Quản giao cho" in x)
    assert "Đặng Văn Em" in line and "Phạm Văn Cường" in line
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.get(f"{site.base}/viec?thang=2024-06&phan=chuyen-mon")
    browser.save_screenshot(str(SCREENSHOTS / "viec-giao-nhieu.png"))


ADMIN_GETS = ("/ke-hoach", "/ke-hoach/xem/khong-co", "/ke-hoach/1/sao-chep")
ADMIN_POSTS = ("/ke-hoach/tai-len", "/ke-hoach/luu", "/ke-hoach/1/sao-chep")


@pytest.mark.parametrize("who", ["Nguyễn Văn An", "Trần Thị Bình"])
def test_a_non_admin_gets_403_for_every_plan_page_and_post(site: Site, who: str):
    before = site.events()
    with site.client() as client:
        assert site.sign_in(client, who).status_code == 303
        csrf = csrf_of(client.get("/ca-nhan").text)
        for path in ADMIN_GETS:
            assert client.get(path).status_code == 403, path
        for path in ADMIN_POSTS:
            response = client.post(
                path,
                data={"csrf": csrf, "token": "x", "sha256": "x", "viec": "1"},
                files={"tep": ("plan.txt", PLAN_TXT.read_bytes())} if "tai-len" in path else None,
            )
            assert response.status_code == 403, path
        if who == "Trần Thị Bình":  # an officer gives nothing
            response = client.post(
                "/viec/giao-nhieu",
                data={"csrf": csrf, "viec": str(before[0]["id"]), "can_bo_giao": "3"},
            )
            assert response.status_code == 403
        else:  # a head gives nothing to another department's officer
            mine = site.items["binh"]
            response = client.post(
                "/viec/giao-nhieu",
                data={"csrf": csrf, "viec": str(mine), "can_bo_giao": "4"},
            )
            assert response.status_code == 403
            assert "không thuộc đơn vị của bạn" in response.text
    assert site.events() == before
    with site.client() as client:  # signed out: to the sign-in page
        response = client.get("/ke-hoach")
        assert response.status_code == 303 and "/dang-nhap" in response.headers["location"]
        assert re.search(r"next=%2Fke-hoach", response.headers["location"])
