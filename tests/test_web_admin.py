"""The admin pages ``/can-bo``, ``/dia-ban`` and ``/nhac-viec`` in a real headless Chromium
against a real ``lichct serve`` (2024-05-21 07:59) talking to the Bot API stand-in; the
role checks over plain HTTP."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import func, select, update

from scheduler.config import load_settings
from scheduler.context import AppContext
from scheduler.reminders import outbox
from scheduler.store.models import AuditEntry, Officer, Reminder, Visit
from tests.net_support import wait_until
from tests.support_botapi import TOKEN, FakeBotApi, running_botapi
from tests.support_web import Site, csrf_of, running_site
from tests.test_web_browser import SCREENSHOTS, _browser_or_skip, _sign_in
from tests.test_web_browser import browser as browser  # the fixture

pytestmark = pytest.mark.slow

T = TypeVar("T")
BINH_CHAT = 5550001
BLOCKED = "Forbidden: bot was blocked by the user"


class BotApiThread:
    """The Bot API stand-in on its own event loop in a thread (the tests here are sync)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.api: FakeBotApi | None = None
        self._stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with running_botapi() as api:
            self.api = api
            self.ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakeBotApi:
        self.thread.start()
        assert self.ready.wait(10), "the Bot API stand-in did not start"
        assert self.api is not None
        return self.api

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(20)
        self.loop.close()


def _context(site: Site) -> AppContext:
    return AppContext.from_settings(load_settings(env=site.env))


def _seed(site: Site) -> None:
    """Before serve starts: Bình has linked Telegram, and a nudge to her failed (blocked)."""
    ctx = _context(site)
    earlier = datetime(2024, 5, 20, 2, 0, tzinfo=UTC)
    with ctx.db.unit_of_work() as session:
        binh = session.get(Officer, site.officers["Trần Thị Bình"])
        assert binh is not None
        binh.telegram_chat_id = BINH_CHAT
        session.flush()
        rows = outbox.remind_now(session, site.items["binh"], earlier)
        for row in rows:
            state = "failed" if row.channel == "telegram" else "sent"
            session.execute(
                update(Reminder)
                .where(Reminder.id == row.id)
                .values(state=state, attempts=5, last_error=BLOCKED if state == "failed" else None)
            )
        cuong = outbox.remind_now(session, site.items["cuong"], earlier)
        session.execute(
            update(Reminder)
            .where(Reminder.id.in_([r.id for r in cuong]))
            .values(state="failed", attempts=5, last_error="550 mailbox unavailable")
        )
    ctx.db.dispose()


@pytest.fixture(scope="module")
def bot() -> Iterator[BotApiThread]:
    _browser_or_skip()
    runner = BotApiThread()
    with runner:
        yield runner


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, bot: BotApiThread) -> Iterator[Site]:
    assert bot.api is not None
    env = {"LICHCT_TELEGRAM_TOKEN": TOKEN, "LICHCT_TELEGRAM_API_URL": bot.api.url}
    with running_site(tmp_path_factory.mktemp("admin"), extra_env=env, before_serve=_seed) as s:
        yield s


def _audit(site: Site, action: str) -> list[AuditEntry]:
    ctx = _context(site)
    with ctx.db.unit_of_work() as session:
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )
        session.expunge_all()
    ctx.db.dispose()
    return rows


def _shot(browser: Any, path: Path) -> None:
    """A full-height screenshot (one to look at; can-bo.png goes into the README)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1280, min(height + 80, 1800))
    browser.save_screenshot(str(path))


def _decode_qr(png: bytes) -> str:
    import io

    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(found) == 1, "exactly one QR code on the element"
    return str(found[0].text)


def test_an_admin_adds_an_officer_and_links_their_telegram_by_deep_link_and_qr_code(
    site: Site, bot: BotApiThread, browser: Any, tmp_path: Path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _sign_in(browser, site, "Lê Văn Quản", "/can-bo")
    assert browser.current_url == site.base + "/can-bo"
    browser.find_element(By.ID, "new-name").send_keys("Huỳnh Thị Giang")
    browser.find_element(By.ID, "new-email").send_keys("giang@example.vn")
    Select(browser.find_element(By.ID, "new-unit")).select_by_value("hc-dt")
    browser.find_element(By.ID, "add").click()
    assert wait_until(lambda: "?ok=added" in browser.current_url, timeout=10)
    officer_id = int(re.search(r"/can-bo/(\d+)", browser.current_url)[1])  # type: ignore[index]
    assert browser.find_element(By.ID, "telegram-status").text == "Chưa liên kết"
    code, out, err = site.cli("officers", "list", "--format", "json")
    assert code == 0, err
    listed = next(o for o in json.loads(out) if o["id"] == officer_id)
    assert listed["name"] == "Huỳnh Thị Giang" and listed["email"] == "giang@example.vn"
    assert listed["unit"] == "Phòng Hành chính – Đoàn thể và các hội"
    assert listed["telegram_linked"] is False

    browser.find_element(By.ID, "telegram-code").click()
    link = browser.find_element(By.ID, "telegram-deep-link")
    url = link.text
    assert re.fullmatch(r"https://t\.me/lichct_bot\?start=[A-Z2-9]{10}", url), url
    assert link.get_attribute("href") == url
    qr = browser.find_element(By.CSS_SELECTOR, "#telegram-qr svg")
    assert _decode_qr(qr.screenshot_as_png) == url
    _shot(browser, SCREENSHOTS / "can-bo.png")

    # The officer opens the link: Telegram sends the bot "/start CODE" from their chat.
    assert bot.api is not None
    api = bot.api
    reply = bot.run(api.ask(7770001, "/start " + url.rsplit("=", 1)[1]))
    assert "Huỳnh Thị Giang" in reply
    browser.get(f"{site.base}/can-bo/{officer_id}")
    assert "Đã liên kết" in browser.find_element(By.ID, "telegram-status").text
    history = browser.find_element(By.ID, "audit").text
    assert "Lê Văn Quản: Thêm cán bộ Huỳnh Thị Giang" in history
    assert "Lê Văn Quản: Cấp mã liên kết Telegram cho Huỳnh Thị Giang" in history
    browser.get(f"{site.base}/can-bo")
    _shot(browser, tmp_path / "can-bo-list.png")
    row = browser.find_element(By.CSS_SELECTOR, f'#officers tr[data-officer="{officer_id}"]')
    assert "đã liên kết" in row.find_element(By.CLASS_NAME, "tg").text


def test_a_head_assigns_a_district_and_an_officer_logs_a_visit_typed_without_diacritics(
    site: Site, browser: Any, tmp_path: Path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    binh = site.officers["Trần Thị Bình"]
    _sign_in(browser, site, "Nguyễn Văn An", "/dia-ban")
    Select(browser.find_element(By.ID, "area-officer")).select_by_value(str(binh))
    browser.find_element(By.ID, "area-units").send_keys("huyen tan bien")
    browser.find_element(By.ID, "area-save").click()
    assert wait_until(lambda: "ok=assigned" in browser.current_url, timeout=10)
    assert "Huyện Tân Biên" in browser.find_element(By.ID, f"area-{binh}").text
    before = browser.find_element(By.CSS_SELECTOR, f'#coverage tr[data-officer="{binh}"]')
    assert before.find_element(By.CLASS_NAME, "reached").text.startswith("0/")
    assert "Xã Tân Lập" in before.find_element(By.CLASS_NAME, "missing").text
    browser.delete_all_cookies()  # the next person on this computer

    _sign_in(browser, site, "Trần Thị Bình", "/dia-ban")
    officer = Select(browser.find_element(By.ID, "visit-officer"))
    assert [o.text for o in officer.options] == ["Trần Thị Bình"]  # her own visits only
    assert not browser.find_elements(By.ID, "assign-area")
    browser.find_element(By.ID, "visit-place").send_keys("tan lap")
    day = browser.find_element(By.ID, "visit-date")
    browser.execute_script("arguments[0].value = '2024-05-03'", day)
    browser.find_element(By.ID, "visit-note").send_keys("Họp dân ấp 3")
    browser.find_element(By.ID, "visit-save").click()
    assert wait_until(lambda: "ok=visit" in browser.current_url, timeout=10)
    flash = browser.find_element(By.ID, "flash").text
    assert flash == ("Đã ghi: Trần Thị Bình đi cơ sở Xã Tân Lập (Huyện Tân Biên) ngày 03/05/2024.")
    after = browser.find_element(By.CSS_SELECTOR, f'#coverage tr[data-officer="{binh}"]')
    reached = after.find_element(By.CLASS_NAME, "reached").text
    assert reached.startswith("1/")
    assert "Xã Tân Lập" not in after.find_element(By.CLASS_NAME, "missing").text
    _shot(browser, tmp_path / "dia-ban.png")

    code, out, err = site.cli("visits", "list", "--officer", str(binh), "--format", "json")
    assert code == 0, err
    [visit] = json.loads(out)
    assert (visit["unit"], visit["date"], visit["note"]) == (
        "Xã Tân Lập",
        "2024-05-03",
        "Họp dân ấp 3",
    )
    code, out, err = site.cli("coverage", "--officer", str(binh), "--format", "json")
    [row] = json.loads(out)
    assert reached.startswith(f"{row['reached']}/{row['total']}")

    # The same day and commune again counts once; a name that fits nothing changes nothing.
    browser.find_element(By.ID, "visit-place").send_keys("Tân Lập")
    browser.execute_script(
        "arguments[0].value = '2024-05-03'", browser.find_element(By.ID, "visit-date")
    )
    browser.find_element(By.ID, "visit-save").click()
    assert wait_until(lambda: "lai=1" in browser.current_url, timeout=10)
    assert "tính một lần" in browser.find_element(By.ID, "flash").text
    browser.find_element(By.ID, "visit-place").send_keys("Atlantis")
    browser.find_element(By.ID, "visit-save").click()
    error = browser.find_element(By.ID, "areas-error").text
    assert "Không tìm thấy xã, phường 'Atlantis'" in error

    [assigned] = _audit(site, "area.assign")
    assert assigned.officer_id == site.officers["Nguyễn Văn An"]
    assert "Trần Thị Bình: Huyện Tân Biên" in assigned.summary
    [logged] = _audit(site, "visit.add")
    assert (
        logged.officer_id == binh
        and "Xã Tân Lập (Huyện Tân Biên) ngày 03/05/2024" in logged.summary
    )


def test_a_failed_reminder_shows_its_error_and_goes_out_again_after_retry(
    site: Site, bot: BotApiThread, browser: Any, tmp_path: Path
):
    from selenium.webdriver.common.by import By

    assert bot.api is not None
    api = bot.api
    item = site.items["binh"]
    _sign_in(browser, site, "Lê Văn Quản", "/nhac-viec?trang_thai=failed")
    rows = browser.find_elements(By.CSS_SELECTOR, '#outbox tr[data-state="failed"]')
    mine = [r for r in rows if "Trần Thị Bình" in r.text]
    assert len(mine) == 1 and BLOCKED in mine[0].text and f"#{item}" in mine[0].text
    rid = mine[0].get_attribute("id").removeprefix("reminder-")
    sent_before = len(api.sent_to(BINH_CHAT))
    _shot(browser, tmp_path / "nhac-viec.png")
    mine[0].find_element(By.CSS_SELECTOR, "button.retry").click()
    assert wait_until(lambda: "ok=retried" in browser.current_url, timeout=10)
    assert "trang_thai=failed" in browser.current_url  # back to the same filter
    assert "Đã đặt lại lời nhắc" in browser.find_element(By.ID, "flash").text
    assert not browser.find_elements(By.ID, f"reminder-{rid}")  # no longer failed

    # The dispatcher of the running service sends it on its next pass (every 30 s).
    def delivered() -> bool:
        return any(f"#{item}" in m.get("text", "") for m in api.sent_to(BINH_CHAT)[sent_before:])

    assert wait_until(delivered, timeout=75)
    browser.get(f"{site.base}/nhac-viec?trang_thai=sent&kenh=telegram")
    assert wait_until(
        lambda: bool(browser.find_elements(By.ID, f"reminder-{rid}")) or bool(browser.refresh()),
        timeout=15,
    )
    assert "Đã gửi" in browser.find_element(By.ID, f"reminder-{rid}").text
    [entry] = _audit(site, "reminder.retry")
    assert entry.event_id == item and entry.officer_id == site.officers["Lê Văn Quản"]
    assert BLOCKED in entry.details["previous_error"]


def _post(client: httpx.Client, path: str, csrf: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf": csrf, **data})


def test_an_officer_gets_403_for_every_admin_page_and_action_and_nothing_changes(site: Site):
    ctx = _context(site)

    def counts() -> tuple[int, int, int, int, list[int]]:
        # Only what these requests could change: the running dispatcher moves pending rows.
        with ctx.db.unit_of_work() as session:
            return (
                session.scalar(select(func.count(Officer.id))) or 0,
                session.scalar(select(func.count(AuditEntry.id))) or 0,
                session.scalar(select(func.count(Visit.id))) or 0,
                session.scalar(select(func.count(Reminder.id)).where(Reminder.kind == "nudge"))
                or 0,
                sorted(session.scalars(select(Reminder.id).where(Reminder.state == "failed"))),
            )

    before = counts()
    cuong = site.officers["Phạm Văn Cường"]
    with ctx.db.unit_of_work() as session:
        failed = session.scalar(
            select(Reminder.id).where(Reminder.officer_id == cuong, Reminder.state == "failed")
        )
    assert failed is not None
    pages = ("/can-bo", f"/can-bo/{cuong}", "/nhac-viec")
    posts: list[tuple[str, dict[str, str]]] = [
        ("/can-bo/them", {"name": "Kẻ Lạ", "ch_telegram": "1"}),
        (f"/can-bo/{cuong}/sua", {"role": "admin", "ch_telegram": "1"}),
        (f"/can-bo/{cuong}/ngung", {}),
        (f"/can-bo/{cuong}/kich-hoat", {}),
        (f"/can-bo/{cuong}/telegram", {}),
        (f"/can-bo/{cuong}/lich-moi", {}),
        ("/can-bo/don-vi/1/telegram", {}),
        (f"/nhac-viec/{failed}/gui-lai", {}),
        ("/nhac-viec/nhac-ngay", {"item": str(site.items["cuong"])}),
        ("/dia-ban/phan-cong", {"officer": str(cuong), "units": "Huyện Tân Biên"}),
        ("/dia-ban/bo", {"officer": str(cuong), "unit": "1"}),
        ("/dia-ban/di-co-so", {"officer": str(cuong), "place": "Tân Lập", "date": "2024-05-03"}),
    ]
    with site.client() as client:
        site.sign_in(client, "Võ Thị Dung")
        home = client.get("/dia-ban")
        assert home.status_code == 200  # everyone signed in sees the areas
        csrf = csrf_of(home.text)
        for path in pages:
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "vượt quá quyền" in answer.text
        for path, data in posts:
            answer = _post(client, path, csrf, **data)
            assert answer.status_code == 403, (path, answer.status_code)
    # A head of another unit: the outbox opens, but not Cường's rows nor his area.
    with site.client() as client:
        site.sign_in(client, "Nguyễn Văn An")
        listing = client.get("/nhac-viec")
        assert listing.status_code == 200
        assert f'id="reminder-{failed}"' not in listing.text
        csrf = csrf_of(listing.text)
        assert client.get("/can-bo").status_code == 403
        for path, data in posts[7:]:  # the outbox and the areas of another unit
            answer = _post(client, path, csrf, **data)
            assert answer.status_code == 403, (path, answer.status_code)
    assert counts() == before
    ctx.db.dispose()


def test_an_admin_resets_a_feed_address_once_and_deactivation_revokes_it(site: Site):
    dung = site.officers["Võ Thị Dung"]
    with site.client() as client:
        site.sign_in(client, "Lê Văn Quản")
        csrf = csrf_of(client.get(f"/can-bo/{dung}").text)
        page = _post(client, f"/can-bo/{dung}/lich-moi", csrf)
        assert page.status_code == 200
        first = re.search(r'value="([^"]+/feeds/[^"]+)"', page.text)
        assert first is not None
        feed = first[1]
        assert httpx.get(feed, timeout=5).status_code == 200
        again = client.get(f"/can-bo/{dung}")
        assert feed not in again.text  # shown once
        second = _post(client, f"/can-bo/{dung}/lich-moi", csrf)
        newer = re.search(r'value="([^"]+/feeds/[^"]+)"', second.text)
        assert newer is not None and newer[1] != feed
        assert httpx.get(feed, timeout=5).status_code == 404
        gone = _post(client, f"/can-bo/{dung}/ngung", csrf)
        assert gone.status_code == 303
        assert httpx.get(newer[1], timeout=5).status_code == 404
        detail = client.get(f"/can-bo/{dung}").text
        assert "đã ngừng hoạt động" in detail
        assert "Ngừng hoạt động Võ Thị Dung" in detail
        back = _post(client, f"/can-bo/{dung}/kich-hoat", csrf)
        assert back.status_code == 303
    assert [e.action for e in _audit(site, "officer.feed_reset")] == ["officer.feed_reset"] * 2
    assert len(_audit(site, "officer.deactivate")) == 1


def test_a_head_reminds_the_people_on_an_item_of_their_unit_from_the_outbox(site: Site):
    item, binh = site.items["binh"], site.officers["Trần Thị Bình"]
    with site.client() as client:
        site.sign_in(client, "Nguyễn Văn An")
        page = client.get("/nhac-viec?trang_thai=pending")
        answer = _post(
            client,
            "/nhac-viec/nhac-ngay",
            csrf_of(page.text),
            item=f"#{item}",
            back="/nhac-viec?trang_thai=pending",
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == (
            f"/nhac-viec?trang_thai=pending&ok=reminded&viec={item}"
        )
        shown = client.get(answer.headers["location"]).text
        assert f"Đã xếp lời nhắc cho việc #{item}" in shown
    ctx = _context(site)
    with ctx.db.unit_of_work() as session:
        nudges = list(
            session.scalars(
                select(Reminder).where(
                    Reminder.event_id == item,
                    Reminder.officer_id == binh,
                    Reminder.lead == "nudge:20240521T0759",
                )
            )
        )
    ctx.db.dispose()
    assert sorted(r.channel for r in nudges) == ["email", "telegram"]
    [entry] = _audit(site, "event.remind_now")
    assert entry.event_id == item and entry.officer_id == site.officers["Nguyễn Văn An"]
    assert entry.summary == f"Nhắc ngay việc #{item} cho Trần Thị Bình"


def test_an_admin_edits_an_officer_and_the_change_is_in_the_audit_log(site: Site):
    em, admin = site.officers["Đặng Văn Em"], site.officers["Lê Văn Quản"]
    with site.client() as client:
        site.sign_in(client, "Lê Văn Quản")
        csrf = csrf_of(client.get(f"/can-bo/{em}").text)
        saved = _post(
            client,
            f"/can-bo/{em}/sua",
            csrf,
            email="em.dang@example.vn",
            unit="dvcq-dttg",
            role="head",
            ch_email="1",
        )
        assert saved.status_code == 303
        history = client.get(f"/can-bo/{em}").text
        assert "Sửa thông tin Đặng Văn Em: email, đơn vị, vai trò, kênh nhận nhắc" in history
        refused = _post(client, f"/can-bo/{admin}/sua", csrf, role="officer", ch_email="1")
        assert refused.status_code == 400 and "tự đổi vai trò" in refused.text
    code, out, err = site.cli("officers", "list", "--format", "json")
    assert code == 0, err
    listed = {o["id"]: o for o in json.loads(out)}
    assert listed[em]["email"] == "em.dang@example.vn" and listed[em]["role"] == "head"
    assert listed[em]["unit"] == "Phòng Dân vận các cơ quan nhà nước – Dân tộc và Tôn giáo"
    assert listed[em]["channels"] == ["email"]
    assert listed[admin]["role"] == "admin"
    [entry] = _audit(site, "officer.update")
    assert entry.officer_id == admin and entry.details["role"] == ["officer", "head"]
