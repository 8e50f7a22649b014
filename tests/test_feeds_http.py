"""The feeds over HTTP, against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from scheduler import feeds, services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.http import build_app
from scheduler.plans.seed import seed_database
from scheduler.store.db import migrate
from scheduler.store.models import Event
from tests.net_support import free_port, wait_until
from tests.support_feeds import Office, build_office, vevents


@dataclass
class Served:
    ctx: AppContext
    clock: FixedClock
    office: Office
    base: str
    token: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder: Path = tmp_path_factory.mktemp("feeds-http")
    clock = FixedClock(datetime(2024, 5, 21, 7, 59, tzinfo=LOCAL_TZ))
    ctx = AppContext.from_settings(
        Settings(database_url=f"sqlite:///{folder / 'lichct.db'}"), clock=clock
    )
    migrate(ctx.db.engine)
    with ctx.db.unit_of_work() as session:
        seed_database(session, clock.now(), ctx.tz)
        office = build_office(session, clock.now())
        token = feeds.issue_token(session, office.lan, clock.now())
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(build_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    assert wait_until(healthy, timeout=20), "server did not start"
    try:
        yield Served(ctx, clock, office, base, token)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        ctx.db.dispose()


def _get(url: str, **headers: str) -> httpx.Response:
    # httpx asks for gzip by default; a calendar client may not.
    headers.setdefault("Accept-Encoding", "identity")
    return httpx.get(url, headers=headers, timeout=30)


def test_personal_feed_answers_a_calendar_with_validators(served: Served) -> None:
    answer = _get(f"{served.base}/feeds/{served.token}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["etag"].startswith('"') and answer.headers["etag"].endswith('"')
    assert answer.headers["last-modified"].endswith("GMT")
    assert answer.headers["content-disposition"].startswith("inline; filename=")
    assert "content-encoding" not in answer.headers, "no gzip unless the client asks"
    events = vevents(answer.content)
    assert served.office.meeting.uid in events and served.office.minh_task.uid not in events
    assert "Trần Thị Lan" in answer.content.decode("utf-8")


def test_matching_etag_gets_304_and_a_change_gets_a_new_etag(served: Served) -> None:
    url = f"{served.base}/feeds/{served.token}.ics"
    first = _get(url)
    etag = first.headers["etag"]
    again = _get(url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert _get(url, **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert _get(url, **{"If-None-Match": '"stale"'}).status_code == 200
    served.clock.advance(timedelta(minutes=5))
    with served.ctx.db.unit_of_work() as session:
        services.mark_done(session, served.office.meeting.id, served.clock.now())
    changed = _get(url, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    meeting = vevents(changed.content)[served.office.meeting.uid]
    assert str(meeting["SUMMARY"]).startswith("✅ ")


def test_unknown_and_revoked_tokens_get_the_same_bare_404(served: Served) -> None:
    with served.ctx.db.unit_of_work() as session:
        minh = session.merge(served.office.minh)
        old = feeds.issue_token(session, minh, served.clock.now())
        feeds.issue_token(session, minh, served.clock.now())
    unknown = _get(f"{served.base}/feeds/{'A' * 22}.ics")
    revoked = _get(f"{served.base}/feeds/{old}.ics")
    malformed = _get(f"{served.base}/feeds/..%2F..%2Fetc.ics")
    for answer in (unknown, revoked):
        assert answer.status_code == 404
        assert answer.content == unknown.content
        assert "etag" not in answer.headers
    assert malformed.status_code == 404
    assert b"token" not in unknown.content.lower() and b"revoked" not in revoked.content.lower()


def test_public_feed_needs_no_token_and_holds_only_observances(served: Served) -> None:
    answer = _get(f"{served.base}/feeds/public/observances.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    events = vevents(answer.content)
    assert served.office.khmer.uid in events
    assert served.office.meeting.uid not in events
    with served.ctx.db.unit_of_work() as session:
        sources = {session.query(Event.source).filter(Event.uid == uid).scalar() for uid in events}
    assert sources == {"observance"}
    etag = answer.headers["etag"]
    assert _get(str(answer.request.url), **{"If-None-Match": etag}).status_code == 304


def test_head_answers_the_headers_of_get_without_a_body(served: Served) -> None:
    url = f"{served.base}/feeds/{served.token}.ics"
    get = _get(url)
    head = httpx.head(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["content-length"]) == len(get.content)


def test_gzip_only_when_asked_with_its_own_etag(served: Served) -> None:
    url = f"{served.base}/feeds/{served.token}.ics"
    plain = _get(url)
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}, timeout=30) as answer:
        raw = b"".join(answer.iter_raw())
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["vary"] == "Accept-Encoding"
        assert answer.headers["etag"] != plain.headers["etag"]
        etag = answer.headers["etag"]
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content)
    assert _get(url, **{"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 304
    refused = _get(url, **{"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def test_304_and_a_repeat_download_never_render_again(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{served.base}/feeds/{served.token}.ics"
    first = _get(url)
    assert first.status_code == 200

    def must_not_render(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("the feed was rendered again")

    monkeypatch.setattr(feeds, "render_feed", must_not_render)
    assert _get(url, **{"If-None-Match": first.headers["etag"]}).status_code == 304
    repeat = _get(url)
    assert repeat.status_code == 200 and repeat.content == first.content
