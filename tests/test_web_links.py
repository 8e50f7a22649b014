"""Reminders lead to the item's web page when LICHCT_PUBLIC_URL is set; sign-in rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from notifiers.telegram import keyboard_for
from scheduler import services
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.config import load_settings
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.reminders import outbox
from scheduler.reminders.policies import current
from scheduler.reminders.rendering import Render, render
from scheduler.services import web_access
from scheduler.store.models import Officer

SITE = "https://lich.example.vn"


def _officer_with_item(session: Session, clock: FixedClock) -> tuple[Officer, int]:
    officer = services.add_officer(session, "Trần Thị Bình", clock.now(), email="binh@example.vn")
    officer.telegram_chat_id = 4242
    officer.channels = "telegram,email"
    event = services.add_event(
        session, "Báo cáo tháng 5", date(2024, 5, 31), clock.now(), LOCAL_TZ, assignees=[officer]
    )
    return officer, event.id


def test_reminders_link_to_the_item_page_only_when_the_public_address_is_set(
    session: Session, clock: FixedClock
):
    officer, event_id = _officer_with_item(session, clock)
    rows = {r.channel: r for r in outbox.remind_now(session, event_id, clock.now())}
    policies, tz = current()
    plain = Render(session, clock.now(), tz, policies)
    linked = Render(session, clock.now(), tz, policies, public_url=SITE)

    assert render(plain, rows["email"]).link is None  # type: ignore[union-attr]
    email = render(linked, rows["email"])
    assert email is not None and email.link is not None
    assert email.link.startswith(f"{SITE}/viec/{event_id}?t=")
    token = email.link.split("?t=")[1]
    assert web_access.redeem_item_link(session, token, event_id, clock.now()) == officer
    # The link opens only this item, and stops a week after the due date.
    assert web_access.redeem_item_link(session, token, event_id + 1, clock.now()) is None
    after = clock.now() + (date(2024, 6, 8) - date(2024, 5, 21)) + timedelta(days=1)
    assert web_access.redeem_item_link(session, token, event_id, after) is None

    telegram = render(linked, rows["telegram"])
    assert telegram is not None
    buttons = keyboard_for(telegram).inline_keyboard[0]  # type: ignore[union-attr]
    assert buttons[0].text == "✅ Hoàn thành"
    assert buttons[-1].text == "Mở trang" and buttons[-1].url == f"{SITE}/viec/{event_id}"
    no_button = render(plain, rows["telegram"])
    assert no_button is not None
    assert all(a.url is None for a in no_button.actions)


def test_only_an_explicit_public_address_turns_the_links_on(tmp_path):
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    assert not load_settings({}, tmp_path / "none.toml").public_url_set
    assert load_settings({"LICHCT_PUBLIC_URL": SITE}, tmp_path / "none.toml").public_url_set


def test_a_password_is_hashed_and_a_new_one_ends_every_session(
    ctx: AppContext, session: Session, clock: FixedClock
):
    officer = services.add_officer(session, "Lê Văn Quản", clock.now(), role="admin")
    web_access.set_password(session, officer, "mot-mat-khau", clock.now())
    signed = web_access.start_session(session, officer, clock.now())
    assert web_access.find_session(session, signed.cookie, clock.now()) is not None
    assert web_access.check_password(session, officer, "mot-mat-khau", "10.0.0.1", clock.now())
    web_access.set_password(session, officer, "mat-khau-moi", clock.now())
    session.expire_all()
    assert web_access.find_session(session, signed.cookie, clock.now()) is None
    assert not web_access.check_password(session, officer, "mot-mat-khau", "10.0.0.1", clock.now())
    with pytest.raises(InvalidInput):
        web_access.set_password(session, officer, "ngan", clock.now())


def test_twenty_wrong_passwords_from_one_address_lock_that_address_for_15_minutes(
    session: Session, clock: FixedClock
):
    people = [services.add_officer(session, f"Cán bộ {i}", clock.now()) for i in range(5)]
    for person in people:
        web_access.set_password(session, person, "dung-mat-khau", clock.now())
    for i in range(20):  # four per account: no account reaches its own limit of five
        assert not web_access.check_password(session, people[i % 5], "sai", "10.0.0.9", clock.now())
    with pytest.raises(web_access.TooManyAttempts):
        web_access.check_password(session, people[4], "dung-mat-khau", "10.0.0.9", clock.now())
    assert web_access.check_password(session, people[4], "dung-mat-khau", "10.0.0.8", clock.now())
    later = clock.now() + timedelta(minutes=16)
    assert web_access.check_password(session, people[4], "dung-mat-khau", "10.0.0.9", later)
