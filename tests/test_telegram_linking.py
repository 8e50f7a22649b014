"""Link codes: one-time, 24 hours, hashed; private chats link officers, groups link units."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import FixedClock
from scheduler.errors import InvalidInput
from scheduler.services import linking
from scheduler.store.models import LinkCode, Officer
from scheduler.store.secret import server_key
from tests.cli_support import run_cli


def _an(session: Session, clock: FixedClock) -> Officer:
    return services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")


def test_a_code_links_the_private_chat_of_its_officer(session: Session, clock: FixedClock) -> None:
    an = _an(session, clock)
    code = linking.issue_link_code(session, clock.now(), officer=an)
    linked = linking.redeem_link_code(session, code.lower(), 5001, "private", clock.now())
    assert linked is an
    assert an.telegram_chat_id == 5001
    assert linking.officer_for_chat(session, 5001) is an


def test_only_a_keyed_hash_of_a_code_is_stored(session: Session, clock: FixedClock) -> None:
    code = linking.issue_link_code(session, clock.now(), officer=_an(session, clock))
    [row] = session.scalars(select(LinkCode))
    assert code not in row.code_hash
    # Not the bare SHA-256 that anyone could recompute from a guess...
    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()
    # ...but the HMAC under this installation's generated key.
    assert row.code_hash == linking.hash_code(code, server_key(session, clock.now()))


def test_a_code_works_once(session: Session, clock: FixedClock) -> None:
    code = linking.issue_link_code(session, clock.now(), officer=_an(session, clock))
    linking.redeem_link_code(session, code, 5001, "private", clock.now())
    with pytest.raises(InvalidInput, match="đã dùng hoặc đã hết hạn"):
        linking.redeem_link_code(session, code, 6002, "private", clock.now())


def test_a_code_expires_after_24_hours(session: Session, clock: FixedClock) -> None:
    code = linking.issue_link_code(session, clock.now(), officer=_an(session, clock))
    later = clock.now() + timedelta(hours=24)
    with pytest.raises(InvalidInput, match="hết hạn"):
        linking.redeem_link_code(session, code, 5001, "private", later)


def test_a_new_code_replaces_the_unused_one(session: Session, clock: FixedClock) -> None:
    an = _an(session, clock)
    first = linking.issue_link_code(session, clock.now(), officer=an)
    second = linking.issue_link_code(session, clock.now(), officer=an)
    with pytest.raises(InvalidInput):
        linking.redeem_link_code(session, first, 5001, "private", clock.now())
    assert linking.redeem_link_code(session, second, 5001, "private", clock.now()) is an


def test_a_guessed_code_gets_the_same_answer_as_a_used_one(
    session: Session, clock: FixedClock
) -> None:
    with pytest.raises(InvalidInput, match="đã dùng hoặc đã hết hạn"):
        linking.redeem_link_code(session, "ABCDEFGHJK", 5001, "private", clock.now())


def test_a_unit_code_links_a_group_chat_and_not_a_private_one(
    session: Session, clock: FixedClock
) -> None:
    an = _an(session, clock)
    unit = services.find_unit(session, "hc-dt")
    code = linking.issue_link_code(session, clock.now(), officer=an, unit=unit)
    with pytest.raises(InvalidInput, match="nhóm"):
        linking.redeem_link_code(session, code, 5001, "private", clock.now())
    assert linking.redeem_link_code(session, code, -100777, "supergroup", clock.now()) is unit
    assert unit.telegram_chat_id == -100777
    assert an.telegram_chat_id is None
    assert linking.unit_for_chat(session, -100777) is unit


def test_an_officer_code_sent_in_a_group_links_nothing(session: Session, clock: FixedClock) -> None:
    an = _an(session, clock)
    code = linking.issue_link_code(session, clock.now(), officer=an)
    with pytest.raises(InvalidInput, match="trò chuyện riêng"):
        linking.redeem_link_code(session, code, -100777, "group", clock.now())
    # The code was not spent by the mistake.
    assert linking.redeem_link_code(session, code, 5001, "private", clock.now()) is an


def test_a_chat_moves_to_the_officer_who_linked_it_last(
    session: Session, clock: FixedClock
) -> None:
    an = _an(session, clock)
    binh = services.add_officer(session, "Trần Thị Bình", clock.now())
    linking.redeem_link_code(
        session,
        linking.issue_link_code(session, clock.now(), officer=an),
        5001,
        "private",
        clock.now(),
    )
    linking.redeem_link_code(
        session,
        linking.issue_link_code(session, clock.now(), officer=binh),
        5001,
        "private",
        clock.now(),
    )
    assert (an.telegram_chat_id, binh.telegram_chat_id) == (None, 5001)


def test_link_code_prints_the_code_and_the_exact_text_to_send(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "officers", "add", "Nguyễn Văn An", "--unit", "hc-dt").code == 0
    result = run_cli(capsys, "link-code", "nguyen van an")
    assert result.code == 0, result.err
    assert "Mã liên kết Telegram cho Nguyễn Văn An" in result.out
    code = result.out.split("/start ")[1].strip()
    assert len(code) == linking.CODE_LENGTH
    group = run_cli(capsys, "link-code", "Nguyễn Văn An", "--unit", "hc-dt")
    assert "nhóm Telegram của Phòng Hành chính – Đoàn thể và các hội" in group.out
    assert "/start " in group.out


def test_link_code_for_an_unknown_officer_is_a_clear_error(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(capsys, "init")
    result = run_cli(capsys, "link-code", "Không Có Ai")
    assert result.code != 0
    assert result.err.startswith("Lỗi: Không tìm thấy cán bộ")
