"""The web workspace's guards, against a real ``lichct serve``: sign-in, roles, CSRF,
one-time and item links, the wrong-password limit, sessions that end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.services import resolve_officer, web_access
from scheduler.store.models import Event
from tests.support_web import Site, csrf_of, running_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("web")) as running:
        yield running


def test_a_signed_out_visit_is_sent_to_sign_in_with_the_page_to_come_back_to(site: Site):
    with site.client() as client:
        for path, target in (("/", "%2F"), ("/lich?thang=2024-05", "%2Flich%3Fthang%3D2024-05")):
            response = client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == f"/dang-nhap?next={target}"
        assert (
            client.get(f"/viec/{site.items['binh']}")
            .headers["location"]
            .startswith("/dang-nhap?next=%2Fviec%2F")
        )


def test_a_password_sign_in_sets_a_protected_cookie_and_signing_out_ends_it(site: Site):
    with site.client() as client:
        response = site.sign_in(client, "Tran Thi Binh")
        assert response.status_code == 303 and response.headers["location"] == "/"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # LICHCT_PUBLIC_URL is plain http here
        page = client.get("/")
        assert page.status_code == 200 and "Trần Thị Bình" in page.text
        client.post("/dang-xuat", data={"csrf": csrf_of(page.text)})
        assert client.get("/").status_code == 303


def test_an_officer_cannot_act_on_another_units_item_nor_open_head_actions(site: Site):
    other = site.items["cuong"]
    with site.client() as client:
        site.sign_in(client, "Trần Thị Bình")
        csrf = csrf_of(client.get("/").text)
        refused = client.post(f"/viec/{other}/xong", data={"csrf": csrf, "note": "x"})
        assert refused.status_code == 403
        assert "không thuộc phạm vi" in refused.text
        assert client.get(f"/viec/{other}").status_code == 403
        mine = site.items["binh"]
        for action in ("giao", "nhac"):
            answer = client.post(f"/viec/{mine}/{action}", data={"csrf": csrf, "officer": "3"})
            assert answer.status_code == 403
            assert "vượt quá quyền" in answer.text
    assert site.event(other)["status"] == "planned"


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site: Site):
    item = site.items["binh"]
    with site.client() as client:
        site.sign_in(client, "Trần Thị Bình")
        for data in ({"note": "xong"}, {"note": "xong", "csrf": "forged"}):
            response = client.post(f"/viec/{item}/xong", data=data)
            assert response.status_code == 403
            assert "mã bảo vệ" in response.text
    assert site.event(item)["status"] == "planned"


def test_a_login_link_works_once_and_not_after_fifteen_minutes(site: Site):
    link = site.login_link("Võ Thị Dung")
    assert link.startswith(site.base + "/dang-nhap/")
    path = link.removeprefix(site.base)
    with site.client() as client:
        landing = client.get(path)  # what a link scanner does: nothing is used up
        assert landing.status_code == 200
        used = client.post(path, data={"csrf": csrf_of(landing.text)})
        assert used.status_code == 303 and used.headers["location"] == "/"
        assert "Võ Thị Dung" in client.get("/").text
    with site.client() as again:
        landing = again.get(path)
        second = again.post(path, data={"csrf": csrf_of(landing.text)})
        assert second.status_code == 403
        assert "đã được dùng hoặc đã hết hạn" in second.text
        assert again.get("/").status_code == 303
    # Issued 16 minutes before the server's "now": expired.
    stale = site.login_link("Võ Thị Dung", now="2024-05-21T07:43").removeprefix(site.base)
    with site.client() as late:
        landing = late.get(stale)
        assert late.post(stale, data={"csrf": csrf_of(landing.text)}).status_code == 403


def test_the_sixth_wrong_password_is_refused_even_when_it_is_right(site: Site):
    with site.client() as client:
        for _ in range(5):
            wrong = site.sign_in(client, "Đặng Văn Em", password="sai-mat-khau")
            assert wrong.status_code == 401
            assert "không đúng" in wrong.text
        blocked = site.sign_in(client, "Đặng Văn Em")
        assert blocked.status_code == 429
        assert "sai mật khẩu 5 lần trong 15 phút" in blocked.text
        assert client.get("/").status_code == 303
    with site.client() as other:  # another officer from the same address is not locked out
        assert site.sign_in(other, "Nguyễn Văn An").status_code == 303


def test_deactivating_an_officer_ends_their_sessions(site: Site):
    with site.client() as client:
        site.sign_in(client, "Phạm Văn Cường")
        assert client.get("/").status_code == 200
        code, _out, err = site.cli("officers", "set", "Phạm Văn Cường", "--inactive")
        assert code == 0, err
        assert client.get("/").status_code == 303
        assert site.sign_in(client, "Phạm Văn Cường").status_code == 401
    site.cli("officers", "set", "Phạm Văn Cường", "--active")


def test_an_item_link_opens_that_item_only_and_confirms_only_by_post(site: Site):
    item = site.items["binh_undo"]
    ctx = AppContext.from_settings(Settings(database_url=site.env["LICHCT_DATABASE_URL"]))
    try:
        with ctx.db.unit_of_work() as session:
            binh = resolve_officer(session, "Trần Thị Bình")
            event = session.get(Event, item)
            assert event is not None
            now = datetime(2024, 5, 21, 0, 59, tzinfo=UTC)
            link = web_access.issue_item_link(session, binh, event, site.base, now)
    finally:
        ctx.db.dispose()
    path = link.removeprefix(site.base)
    with site.client() as client:
        opened = client.get(path)
        assert opened.status_code == 303 and opened.headers["location"] == f"/viec/{item}"
        page = client.get(f"/viec/{item}")
        assert page.status_code == 200 and "✅ Hoàn thành" in page.text
        assert site.event(item)["status"] == "planned"  # opening confirmed nothing
        assert client.get("/").status_code == 403
        assert client.get(f"/viec/{site.items['binh']}").status_code == 403
        done = client.post(f"/viec/{item}/xong", data={"csrf": csrf_of(page.text)})
        assert done.status_code == 303
    assert site.event(item)["status"] == "done"
    site.cli("undo", str(item))
    with httpx.Client(base_url=site.base) as stranger:
        assert stranger.get(f"/viec/{item}?t=not-a-real-token").status_code == 403


def test_the_item_list_filters_and_finds_words_without_diacritics(site: Site):
    item = site.event(site.items["binh"])
    words = item["title"].split()[:4]
    from calendars.text import fold

    with site.client() as client:
        site.sign_in(client, "Lê Văn Quản")
        found = client.get("/viec", params={"q": fold(" ".join(words)), "thang": "2024-05"})
        assert found.status_code == 200
        assert f'href="/viec/{item["id"]}"' in found.text
        overdue = client.get("/viec", params={"trang_thai": "overdue", "thang": "2024-05"})
        assert f'href="/viec/{item["id"]}"' not in overdue.text  # due 31/05, not late
        nothing = client.get("/viec", params={"q": "khong co viec nao nhu the nay"})
        assert "Không có việc nào khớp" in nothing.text


def test_resetting_the_feed_shows_the_new_address_once_with_a_qr_code(site: Site):
    with site.client() as client:
        site.sign_in(client, "Nguyễn Văn An")
        page = client.get("/ca-nhan")
        reset = client.post("/ca-nhan/lich-moi", data={"csrf": csrf_of(page.text)})
        assert reset.status_code == 200
        address = reset.text.split('id="feed-url" ')[0].rsplit('value="', 1)[1].split('"')[0]
        assert address.startswith(site.base + "/feeds/") and address.endswith(".ics")
        assert 'src="data:image/svg+xml' in reset.text
        assert "calendar.google.com" in reset.text and "outlook.office.com" in reset.text
        assert httpx.get(address, timeout=5).status_code == 200
        assert address not in client.get("/ca-nhan").text
