"""A link code lives exactly 24 hours: still good one minute before, refused on the hour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from scheduler import services
from scheduler.clock import FixedClock
from scheduler.errors import InvalidInput
from scheduler.services import linking


def test_a_code_still_links_at_23_hours_59_minutes(session: Session, clock: FixedClock) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")
    code = linking.issue_link_code(session, clock.now(), officer=an)
    almost = clock.now() + timedelta(hours=23, minutes=59)
    assert linking.redeem_link_code(session, code, 5001, "private", almost) is an
    assert an.telegram_chat_id == 5001


def test_a_code_is_refused_at_24_hours(session: Session, clock: FixedClock) -> None:
    an = services.add_officer(session, "Nguyễn Văn An", clock.now(), unit="hc-dt")
    code = linking.issue_link_code(session, clock.now(), officer=an)
    with pytest.raises(InvalidInput, match="hết hạn"):
        linking.redeem_link_code(session, code, 5001, "private", clock.now() + timedelta(hours=24))
    assert an.telegram_chat_id is None
