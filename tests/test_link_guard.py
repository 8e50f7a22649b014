"""Guessing link codes is slowed and reported; leaving the office revokes what an officer holds.

The bot tests speak to the real python-telegram-bot stack through the Bot API stand-in;
time moves with the test clock, never with sleeps.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.feeds.tokens import active_token, issue_token, officer_for_token
from scheduler.services import linking
from scheduler.store.models import Officer, Reminder
from tests.cli_support import run_cli
from tests.support_botapi import FakeBotApi
from tests.test_bot import run_with_bot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

GUESSER, ADMIN_CHAT, AN_CHAT = 6666, 9001, 5001
WRONG = ["ABCDEFGHJK", "BCDEFGHJKM", "CDEFGHJKMN", "DEFGHJKMNP", "EFGHJKMNPQ"]


def _admin_and_an(ctx: AppContext) -> tuple[int, str]:
    """An admin linked to Telegram, and a fresh code for An."""
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        admin = services.add_officer(session, "Phạm Quản Trị", now, role="admin")
        admin.telegram_chat_id = ADMIN_CHAT
        an = services.add_officer(session, "Nguyễn Văn An", now, unit="hc-dt")
        return an.id, linking.issue_link_code(session, now, officer=an)


def test_five_wrong_codes_make_the_chat_wait_ten_minutes_and_tell_the_admins(
    ctx: AppContext, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    an_id, code = _admin_and_an(ctx)

    async def scenario(api: FakeBotApi) -> None:
        for guess in WRONG:
            assert "Mã liên kết không đúng" in await api.ask(GUESSER, f"/start {guess}")
            clock.advance(timedelta(seconds=20))
        # Even the right code is refused while the chat waits: a guesser cannot tell.
        refused = await api.ask(GUESSER, f"/start {code}")
        assert "nhập sai mã liên kết 5 lần" in refused
        assert "đợi khoảng 9 phút" in refused
        # Another chat is not held up by the guesser.
        assert "Mã liên kết không đúng" in await api.ask(AN_CHAT, "/start ZZZZZZZZZZ")
        # Ten minutes after the first wrong codes, the chat may try again.
        clock.advance(timedelta(minutes=9))
        linked = await api.ask(GUESSER, f"/start {code}")
        assert "Đã liên kết Telegram với cán bộ Nguyễn Văn An" in linked

    with caplog.at_level(logging.WARNING, logger="lichct.linking"):
        run_with_bot(ctx, scenario)
    assert any(
        "6666" in r.getMessage() and "5 mã liên kết sai" in r.getMessage() for r in caplog.records
    )
    with ctx.db.unit_of_work() as session:
        alerts = list(session.scalars(select(Reminder).where(Reminder.kind == "alert")))
        assert len(alerts) == 1
        assert alerts[0].channel == "telegram"
        assert "dò mã liên kết" in alerts[0].payload["subject"]
        assert "6666" in alerts[0].payload["text"]
        an = session.get(Officer, an_id)
        assert an is not None and an.telegram_chat_id == GUESSER


def test_a_chat_that_keeps_guessing_alerts_the_admins_once_a_day(
    session: Session, clock: FixedClock
) -> None:
    admin = services.add_officer(session, "Phạm Quản Trị", clock.now(), role="admin")
    admin.telegram_chat_id = ADMIN_CHAT
    refused = 0
    for _ in range(40):  # one guess a minute for 40 minutes
        try:
            linking.redeem_link_code(session, "ABCDEFGHJK", GUESSER, "private", clock.now())
        except linking.TooManyAttempts:
            refused += 1
        except InvalidInput:
            pass
        clock.advance(timedelta(minutes=1))
    # Five tries in any ten minutes, the rest refused without looking at the code.
    assert refused == 20
    alerts = list(session.scalars(select(Reminder).where(Reminder.kind == "alert")))
    assert len(alerts) == 1


def test_many_chats_guessing_together_stop_every_redemption_for_a_while(
    session: Session, clock: FixedClock
) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now())
    code = linking.issue_link_code(session, clock.now(), officer=an)
    for chat in range(linking.TOTAL_LIMIT):
        with pytest.raises(InvalidInput, match="không đúng"):
            linking.redeem_link_code(session, "ABCDEFGHJK", 100 + chat, "private", clock.now())
    with pytest.raises(linking.TooManyAttempts, match="tạm ngừng nhận mã liên kết"):
        linking.redeem_link_code(session, code, AN_CHAT, "private", clock.now())
    clock.advance(linking.WINDOW)
    assert linking.redeem_link_code(session, code, AN_CHAT, "private", clock.now()) is an


def test_a_code_issued_under_one_secret_key_does_not_work_under_another(
    session: Session, clock: FixedClock
) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now())
    code = linking.issue_link_code(session, clock.now(), officer=an, secret="khoa-bi-mat-1")
    with pytest.raises(InvalidInput, match="không đúng"):
        linking.redeem_link_code(session, code, AN_CHAT, "private", clock.now())
    linked = linking.redeem_link_code(
        session, code, AN_CHAT, "private", clock.now(), secret="khoa-bi-mat-1"
    )
    assert linked is an


def test_the_cli_and_the_bot_share_the_secret_key_from_the_environment(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LICHCT_SECRET_KEY", "mot-khoa-dai-va-bi-mat")
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "officers", "add", "Nguyễn Văn An").code == 0
    result = run_cli(capsys, "link-code", "Nguyễn Văn An")
    code = result.out.split("\n")[1].strip()
    ctx = AppContext.from_environment()
    try:
        with ctx.db.unit_of_work() as session, pytest.raises(InvalidInput):
            linking.redeem_link_code(session, code, AN_CHAT, "private", ctx.clock.now())
        with ctx.db.unit_of_work() as session:
            linked = linking.redeem_link_code(
                session,
                code,
                AN_CHAT,
                "private",
                ctx.clock.now(),
                secret=ctx.settings.secret_key,
            )
            assert linked.name == "Nguyễn Văn An"
    finally:
        ctx.db.dispose()


# --------------------------------------------------------------------------- revocation


def test_deactivating_revokes_the_feed_and_link_codes_and_reactivating_issues_nothing(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "officers", "add", "Nguyễn Văn An").code == 0
    first = run_cli(capsys, "feed-url", "Nguyễn Văn An")
    old_token = first.out.split("/feeds/")[1].split(".ics")[0]
    code = run_cli(capsys, "link-code", "Nguyễn Văn An").out.split("\n")[1].strip()

    assert run_cli(capsys, "officers", "set", "Nguyễn Văn An", "--inactive").code == 0
    assert run_cli(capsys, "officers", "set", "Nguyễn Văn An", "--active").code == 0

    ctx = AppContext.from_environment()
    try:
        with ctx.db.unit_of_work() as session:
            # The old address stays dead after reactivation, and no new one was made.
            assert officer_for_token(session, old_token) is None
            an = services.resolve_officer(session, "Nguyễn Văn An")
            assert active_token(session, an) is None
            with pytest.raises(InvalidInput, match="không đúng"):
                linking.redeem_link_code(session, code, AN_CHAT, "private", ctx.clock.now())
    finally:
        ctx.db.dispose()
    # Asked again, feed-url makes a new address.
    again = run_cli(capsys, "feed-url", "Nguyễn Văn An")
    assert again.code == 0
    new_token = again.out.split("/feeds/")[1].split(".ics")[0]
    assert new_token != old_token


def test_revoke_officer_access_counts_what_it_revoked(session: Session, clock: FixedClock) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now())
    issue_token(session, an, clock.now())
    linking.issue_link_code(session, clock.now(), officer=an)
    revoked = services.revoke_officer_access(session, an, clock.now())
    assert (revoked.feed_tokens, revoked.link_codes) == (1, 1)
    again = services.revoke_officer_access(session, an, clock.now())
    assert (again.feed_tokens, again.link_codes) == (0, 0)
