"""Long lists on the web pages: who sees which item when the pages count in SQL, ``/viec``
a hundred items a page, and the overview's overdue list with "và N việc khác"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.plans.seed import seed_database
from scheduler.services.dashboard import overview
from scheduler.services.item_list import ItemFilter, find_items
from scheduler.services.visibility import Visibility
from scheduler.store.db import migrate
from scheduler.store.models import Assignment, Event, Officer, Unit
from tests.support_web import Site, running_site

NOW = datetime(2024, 5, 21, 0, 59, tzinfo=UTC)
TODAY = date(2024, 5, 21)

# Items by who carries them (officer names or unit codes) and their own unit.
ITEMS = {
    "named": (["An"], None),
    "named, left": (["Dũng"], None),  # Dũng left: nobody active answers
    "unit": (["hc-dt"], None),
    "empty unit": (["z-test"], None),  # a unit with nobody in it
    "own unit": ([], "hc-dt"),
    "own empty unit": ([], "z-test"),
    "nobody": ([], None),
    "two units": (["Bảo", "hc-dt"], None),
    "left, own unit": (["Dũng"], "dvcq-dttg"),
    "empty unit, own unit": (["z-test"], "dvcq-dttg"),
    "named elsewhere": (["Bảo"], "hc-dt"),
}
# name, unit, role, active
PEOPLE = (
    ("Quản", "bdvtu", "admin", True),
    ("Tổng", "bdvtu", "head", True),  # the head of the board
    ("Hải", "hc-dt", "head", True),
    ("An", "hc-dt", "officer", True),
    ("Bảo", "dvcq-dttg", "officer", True),
    ("Cúc", None, "officer", True),
    ("Đức", "dvcq-dttg", "head", True),
    ("Dũng", "dvcq-dttg", "officer", False),
)


def _store(session: Session) -> list[Event]:
    session.add(Unit(code="z-test", name="Đơn vị chưa có người", kind="department"))
    session.flush()
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    people = {}
    for name, unit, role, active in PEOPLE:
        officer = Officer(
            name=name,
            search_name=name.lower(),
            unit_id=units[unit] if unit else None,
            role=role,
            active=active,
            created_at=NOW,
        )
        session.add(officer)
        session.flush()
        people[name] = officer.id
    for n, (title, (carriers, own)) in enumerate(ITEMS.items()):
        event = Event(
            uid=f"list-{n}@lichct",
            source="adhoc",
            kind="report",
            title=title,
            text=title,
            start_date=date(2024, 5, 10),
            end_date=date(2024, 5, 10),
            due_date=date(2024, 5, 10),
            all_day=True,
            conditional=False,
            references=[],
            status="planned",
            revision=1,
            unit_id=units[own] if own else None,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(event)
        session.flush()
        for who in carriers:
            session.add(
                Assignment(
                    event_id=event.id,
                    officer_id=people.get(who),
                    unit_id=units.get(who),
                    created_at=NOW,
                )
            )
    session.flush()
    return list(session.scalars(select(Event).order_by(Event.id)))


def _compare(ctx: AppContext) -> dict[str, Any]:
    """What each viewer is shown, checked against the per-item rules; returned so that
    two databases can be compared."""
    shown: dict[str, Any] = {}
    with ctx.db.unit_of_work() as session:
        events = _store(session)
        seen_by: dict[str, set[str]] = {}
        for name, *_rest in PEOPLE:
            viewer = session.scalars(select(Officer).where(Officer.name == name)).one()
            rules = Visibility(session, viewer)
            fresh = Visibility(session, viewer)  # no answers remembered from the rules' run
            listed = set(session.scalars(select(Event.title).where(fresh.clause())))
            answered = set(session.scalars(select(Event.title).where(fresh.answers_clause())))
            assert listed == {e.title for e in events if rules.sees(e)}, name
            assert answered == {e.title for e in events if rules.answers_for(e)}, name
            seen_by[name] = listed
            # The overview's figures: every test item is due 10/05 and still open.
            late = [e for e in events if e.title in ITEMS]
            figures = overview(session, viewer, TODAY, visibility=fresh)
            assert figures.in_view.overdue == sum(rules.sees(e) for e in late), name
            assert figures.mine.overdue == sum(rules.answers_for(e) for e in late), name
            assert figures.overdue_count == figures.in_view.overdue
            page = find_items(session, fresh, ItemFilter(kind="report"), TODAY)
            assert {e.title for e in page.items} == {e.title for e in late if rules.sees(e)}
            shown[name] = (
                figures.in_view,
                figures.mine,
                figures.by_section,
                figures.by_unit,
                [e.title for e in figures.overdue],
                [e.title for e in page.items],
            )
    # The store tells the viewers apart, so the comparison above can tell rules apart.
    assert set(ITEMS) <= seen_by["Quản"] == seen_by["Tổng"]
    assert seen_by["An"] != seen_by["Hải"] != seen_by["Bảo"] != seen_by["Đức"]
    assert "nobody" in seen_by["Hải"] and "nobody" not in seen_by["An"]
    assert "named elsewhere" in seen_by["An"] and "named elsewhere" in seen_by["Bảo"]
    assert "empty unit, own unit" in seen_by["Bảo"] and "empty unit" not in seen_by["Bảo"]
    return shown


def test_the_pages_sql_shows_each_viewer_the_items_the_item_page_lets_them_open(
    ctx: AppContext,
) -> None:
    """Counting in SQL must not widen or narrow what a viewer sees: the condition the
    lists use agrees with the rule ``/viec/{id}`` checks, for every kind of owner."""
    _compare(ctx)


def test_the_same_on_postgresql(pg_url: str, ctx: AppContext) -> None:
    """The same rules and the same figures on PostgreSQL as on SQLite."""
    clock = FixedClock(NOW)
    context = AppContext.from_settings(Settings(database_url=pg_url), clock=clock)
    try:
        migrate(context.db.engine)
        with context.db.unit_of_work() as session:
            seed_database(session, clock.now(), context.tz)
        assert _compare(context) == _compare(ctx)
    finally:
        context.db.dispose()


# --- against a real ``lichct serve`` -------------------------------------------------

EXTRA = 230  # overdue reports given to the hc-dt department


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("lists")) as running:
        context = AppContext.from_settings(
            Settings(database_url=running.env["LICHCT_DATABASE_URL"]), clock=FixedClock(NOW)
        )
        with context.db.unit_of_work() as session:
            unit = session.scalars(select(Unit.id).where(Unit.code == "hc-dt")).one()
            first = date(2024, 3, 1)
            session.execute(
                insert(Event),
                [
                    {
                        "uid": f"late-{n}@lichct",
                        "source": "adhoc",
                        "kind": "report",
                        "title": f"Báo cáo tình hình số {n}",
                        "text": f"Báo cáo tình hình số {n}.",
                        "start_date": first + timedelta(days=n % 60),
                        "end_date": first + timedelta(days=n % 60),
                        "due_date": first + timedelta(days=n % 60),
                        "all_day": True,
                        "conditional": False,
                        "references": [],
                        "status": "planned",
                        "revision": 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for n in range(EXTRA)
                ],
            )
            ids = session.scalars(select(Event.id).where(Event.uid.like("late-%")))
            session.execute(
                insert(Assignment),
                [{"event_id": i, "unit_id": unit, "created_at": NOW} for i in ids],
            )
        context.db.dispose()
        yield running


def _deadline(item: dict) -> str:
    return item["due"] or item["end"][:10]


def _rows(html: str) -> list[int]:
    # An admin's rows start with the bulk-assign checkbox cell.
    row = r'<tr class="[^"]*">\s*(?:<td class="pick">[^\n]*?</td>\s*)?<td><a href="/viec/(\d+)"'
    return [int(i) for i in re.findall(row, html)]


def _link(html: str, which: str) -> str | None:
    found = re.search(rf'href="([^"]+)" id="{which}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.slow
def test_the_item_list_shows_a_hundred_items_a_page_and_keeps_the_filters(site: Site):
    reports = sorted(
        (e for e in site.events() if e["kind"] == "report" and e["status"] != "cancelled"),
        key=lambda e: (_deadline(e), e["id"]),
    )
    assert len(reports) > 200  # three pages at least
    with site.client() as client:
        site.sign_in(client, "Lê Văn Quản")
        first = client.get("/viec?loai=report")
        assert first.status_code == 200
        assert f"{len(reports)} việc · đang xem 1–100" in first.text
        assert _link(first.text, "prev-page") is None
        pages, url, seen = 0, "/viec?loai=report", []
        while url:
            page = client.get(url)
            rows = _rows(page.text)
            pages += 1
            assert len(rows) == (100 if len(seen) + 100 <= len(reports) else len(reports) % 100)
            seen += rows
            url = _link(page.text, "next-page")
            if url:
                assert "loai=report" in url and f"trang={pages + 1}" in url
        assert seen == [e["id"] for e in reports]
        assert pages == -(-len(reports) // 100)
        second = client.get("/viec?loai=report&trang=2")
        assert _link(second.text, "prev-page") == "/viec?loai=report&trang=1"
        assert "đang xem 101–200" in second.text
        beyond = client.get("/viec?loai=report&trang=999")  # a page past the end: the last
        assert _rows(beyond.text) == seen[(pages - 1) * 100 :]


@pytest.mark.slow
def test_the_overview_lists_ten_overdue_items_and_says_how_many_more(site: Site):
    late = [e for e in site.events() if e["overdue"] and _deadline(e) >= "2024-01-01"]
    assert len(late) > EXTRA
    with site.client() as client:
        site.sign_in(client, "Lê Văn Quản")
        page = client.get("/").text
    count = re.search(r'id="overdue-count">(\d+)<', page)
    assert count and int(count.group(1)) == len(late)
    listed = re.search(r'<ul class="items late" id="overdue">(.*?)</ul>', page, re.S)
    assert listed
    first_ten = sorted(late, key=lambda e: (_deadline(e), e["id"]))[:10]
    assert [int(i) for i in re.findall(r'href="/viec/(\d+)"', listed.group(1))] == [
        e["id"] for e in first_ten
    ]
    assert f"… và {len(late) - 10} việc khác" in page


@pytest.mark.slow
def test_an_officer_sees_the_same_overdue_figure_on_the_overview_and_in_the_list(site: Site):
    with site.client() as client:
        site.sign_in(client, "Trần Thị Bình")
        overview = client.get("/").text
        listed = client.get("/viec?trang_thai=overdue").text
    count = re.search(r'id="overdue-count">(\d+)<', overview)
    total = re.search(r'id="result-count">(\d+) việc', listed)
    assert count and total
    assert int(count.group(1)) == int(total.group(1)) >= EXTRA  # her unit's reports
    assert f"… và {int(count.group(1)) - 10} việc khác" in overview
