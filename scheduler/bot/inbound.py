"""``/danhan`` (alias ``/received``): an officer records from Telegram that a body reported.

``/danhan <đơn vị> [tháng/năm]`` finds the body by a loosely typed name (no diacritics
needed) and records today's receipt for the given month, or for this month, through the
same code as ``lichct inbound received``. Only linked officers may record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session
from telegram.ext import CommandHandler

from calendars.periods import Period, period_of
from scheduler.bot.common import officer_command
from scheduler.context import AppContext
from scheduler.errors import InvalidInput
from scheduler.inbound.bodies import resolve_body
from scheduler.inbound.receipts import period_arg, record_received
from scheduler.reminders.inbound_rules import load_inbound_policy
from scheduler.store.models import Officer

COMMANDS = (("danhan", "received", "Ghi nhận đơn vị đã gửi báo cáo: /danhan <đơn vị> [tháng/năm]"),)
USAGE = (
    "Cách dùng: /danhan <đơn vị> [tháng/năm], ví dụ: /danhan Hội Nông dân 5/2024\n"
    "Không ghi tháng thì tính báo cáo tháng này. Có thể gõ không dấu."
)
_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$")


def _split_period(words: list[str], today: date) -> tuple[list[str], Period]:
    last = words[-1] if words else ""
    match = _MONTH.match(last)
    if match is not None:
        return words[:-1], period_arg(f"{match[2]}-{int(match[1]):02d}")
    if re.fullmatch(r"\d{4}(-\S+)?", last):
        return words[:-1], period_arg(last)
    return words, period_of("month", today)


def received_reply(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    """Answer ``/danhan args`` for ``officer``."""
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    words, period = _split_period(list(args), today)
    if not words:
        return USAGE
    policy = load_inbound_policy(ctx.settings.extra)
    body = resolve_body(session, " ".join(words))
    if not body.active:
        raise InvalidInput(f"{body.name} đã ngừng theo dõi")
    done = record_received(
        session, body, period, today, now, policy, today=today, officer=officer, channel="telegram"
    )
    when = "đúng hạn" if done.late_days == 0 else f"trễ {done.late_days} ngày"
    verb = "Đã cập nhật" if done.updated else "Đã ghi nhận"
    return (
        f"✅ {verb}: {body.name} gửi báo cáo {period.label} ngày {today:%d/%m/%Y} "
        f"({when}, hạn {done.due:%d/%m/%Y})."
    )


HANDLERS = [CommandHandler(["danhan", "received"], officer_command(received_reply))]
