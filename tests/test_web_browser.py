"""The web workspace in a real headless Chromium (Selenium) against a real ``lichct serve``
with the 2024 plan, standing at Tuesday 2024-05-21 07:59."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from tests.net_support import wait_until
from tests.support_web import PASSWORD, Site, running_site

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def _browser_or_skip() -> None:
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER):
        return
    reason = "headless Chromium is missing: install the Debian packages chromium, chromium-driver"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _browser_or_skip()
    with running_site(tmp_path_factory.mktemp("webui")) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Any]:
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lichct-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--lang=vi",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _sign_in(driver: Any, site: Site, name: str, target: str = "/") -> None:
    from selenium.webdriver.common.by import By

    driver.get(site.base + target)
    assert "/dang-nhap" in driver.current_url
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    assert wait_until(lambda: "/dang-nhap" not in driver.current_url, timeout=10)


def test_a_one_time_link_signs_an_officer_in(site: Site, browser: Any):
    from selenium.webdriver.common.by import By

    browser.get(site.login_link("Trần Thị Bình"))
    browser.find_element(By.ID, "use-link").click()
    assert wait_until(lambda: browser.current_url == site.base + "/", timeout=10)
    assert "Trần Thị Bình" in browser.find_element(By.CSS_SELECTOR, "header").text
    assert "Tổng quan tháng 5/2024" in browser.find_element(By.TAG_NAME, "h1").text


def test_the_overview_figures_match_lichct_events(site: Site, browser: Any):
    from selenium.webdriver.common.by import By

    _sign_in(browser, site, "Lê Văn Quản", "/")
    assert browser.current_url == site.base + "/"
    may = [
        e
        for e in site.events()
        if e["kind"] != "observance" and (e["due"] or "").startswith("2024-05")
    ]
    done = sum(1 for e in may if e["status"] == "done")
    figure = browser.find_element(By.CSS_SELECTOR, "#progress-all .figure").text
    assert figure == f"{done}/{len(may)}"
    assert len(may) >= 3
    overdue_ids = {e["id"] for e in site.events() if e["overdue"]}
    shown = browser.find_elements(By.CSS_SELECTOR, "#overdue li")
    assert shown and len(shown) == min(10, len(overdue_ids))
    assert "Đại lễ Phật đản" in browser.find_element(By.ID, "observances").text
    assert "rằm tháng Tư năm Giáp Thìn" in browser.find_element(By.ID, "observances").text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height + 80, 1600))
    browser.save_screenshot(str(SCREENSHOTS / "tong-quan.png"))


def test_an_officer_marks_an_item_done_with_a_note_and_undoes_it(site: Site, browser: Any):
    from selenium.webdriver.common.by import By

    item = site.items["binh"]
    code, out, err = site.cli("feed-reset", "Trần Thị Bình")
    assert code == 0, err
    feed = next(w for w in out.split() if w.startswith(site.base + "/feeds/"))
    uid = site.event(item)["uid"]

    def summary() -> str:
        body = httpx.get(feed, timeout=5).content
        return next(
            str(c["SUMMARY"]) for c in Calendar.from_ical(body).walk("VEVENT") if c["UID"] == uid
        )

    assert not summary().startswith("✅")
    _sign_in(browser, site, "Trần Thị Bình", f"/viec/{item}")
    assert browser.current_url == f"{site.base}/viec/{item}"
    browser.find_element(By.ID, "note").send_keys("Đã gửi báo cáo qua hệ thống điều hành")
    browser.find_element(By.ID, "done").click()
    assert wait_until(lambda: "?ok=done" in browser.current_url, timeout=10)
    assert "Đã hoàn thành" in browser.find_element(By.ID, "item-state").text
    history = browser.find_element(By.ID, "history").text
    assert "Trần Thị Bình xác nhận hoàn thành qua trang web" in history
    assert "Đã gửi báo cáo qua hệ thống điều hành" in history
    assert site.event(item)["status"] == "done"
    assert summary().startswith("✅")

    browser.find_element(By.ID, "undo").click()
    assert wait_until(lambda: "?ok=undone" in browser.current_url, timeout=10)
    assert site.event(item)["status"] == "planned"
    assert not summary().startswith("✅")
    assert "hủy xác nhận bởi Trần Thị Bình" in browser.find_element(By.ID, "history").text


def test_the_may_2024_grid_shows_lunar_days_with_ram_thang_tu_on_the_22nd(site: Site, browser: Any):
    from selenium.webdriver.common.by import By

    _sign_in(browser, site, "Lê Văn Quản", "/lich?thang=2024-05")
    assert browser.current_url == site.base + "/lich?thang=2024-05"

    def cell(day: str) -> Any:
        return browser.find_element(By.CSS_SELECTOR, f'td[data-date="2024-05-{day}"]')

    assert cell("22").find_element(By.CLASS_NAME, "lunar").text == "rằm"
    assert "Đại lễ Phật đản" in cell("22").text
    assert "obs" in cell("22").get_attribute("class")
    assert cell("08").find_element(By.CLASS_NAME, "lunar").text == "mùng 1 tháng Tư"
    assert cell("21").find_element(By.CLASS_NAME, "lunar").text == "14"
    assert cell("31").find_element(By.CLASS_NAME, "lunar").text == "24"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#month-grid th")]
    assert headers[0] == "Thứ Hai" and headers[-1] == "Chủ nhật"
    assert (
        browser.find_elements(By.CSS_SELECTOR, "#month-grid td")[0].get_attribute("data-date")
        == "2024-04-29"
    )
    item = site.items["binh"]
    link = cell("31").find_element(By.CSS_SELECTOR, f'a[href="/viec/{item}"]')
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height + 80, 1600))
    browser.save_screenshot(str(SCREENSHOTS / "lich-thang.png"))
    link.click()
    assert wait_until(lambda: browser.current_url == f"{site.base}/viec/{item}", timeout=10)
    browser.get(site.base + "/lich?thang=2024-05")
    browser.find_element(By.ID, "next-month").click()
    assert wait_until(lambda: browser.current_url.endswith("thang=2024-06"), timeout=10)
