"""``/dicoso`` (alias ``/visit``): log a day at the grassroots from Telegram.

``/dicoso [dd/mm] <xã hoặc phường> [ghi chú]`` finds the commune by a fuzzy name; when
two names fit equally, the bot asks back with one button per commune
(``dicoso:ID:YYYYMMDD``; the note waits in ``chat_data`` under the question's id).
Handlers only parse and reply: :func:`visit_reply` and :func:`choose_reply` do the work
through :mod:`scheduler.fieldwork` (the same code path as ``lichct visits add``). The officer
is the one whose linked chat wrote; a button is re-checked, never trusted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from scheduler.bot.common import app_context, in_store
from scheduler.errors import InvalidInput, LichctError
from scheduler.fieldwork.areas import area_units
from scheduler.fieldwork.coverage_report import coverage_lines
from scheduler.fieldwork.matching import split_unit_and_note
from scheduler.fieldwork.names import unit_label
from scheduler.fieldwork.visits import in_area, log_visit
from scheduler.inputs import check_date
from scheduler.services.linking import officer_for_chat
from scheduler.store.models import Officer, Unit

log = logging.getLogger("lichct.bot.visits")

CALLBACK = re.compile(r"^dicoso:(\d{1,12}|cancel)(?::(\d{8}))?$")
PENDING = "dicoso_pending"
MAX_CHOICES = 8
USAGE = (
    "Cách dùng: /dicoso <xã hoặc phường> [ghi chú], ví dụ: /dicoso Tân Lập họp dân ấp 3\n"
    "Ghi cho ngày trước: /dicoso 20/5 Tân Lập. Có thể gõ không dấu."
)
PRIVATE_ONLY = "Để ghi ngày đi cơ sở, hãy nhắn riêng cho bot (không dùng lệnh này trong nhóm)."
NOT_LINKED = (
    "Bot chỉ ghi ngày đi cơ sở cho cán bộ đã liên kết tài khoản: "
    "xin quản trị mã liên kết rồi gửi /start MÃ"
)
_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")


@dataclass(frozen=True)
class VisitReply:
    """What the bot answers; ``choices`` (label, unit id) become buttons."""

    text: str
    choices: list[tuple[str, int]] = field(default_factory=list)
    day: date | None = None
    note: str | None = None


def _parse_day(words: list[str], today: date) -> tuple[date, list[str]]:
    match = _DAY.match(words[0]) if words else None
    if match is None:
        return today, words
    try:
        day = date(int(match[3] or today.year), int(match[2]), int(match[1]))
    except ValueError:
        raise InvalidInput(
            f"Ngày không hợp lệ: {words[0]!r} (dạng ngày/tháng, ví dụ 20/5)"
        ) from None
    return check_date(day), words[1:]


def _logged(
    session: Session,
    officer: Officer,
    unit: Unit,
    day: date,
    now: datetime,
    note: str | None,
    tz: ZoneInfo,
) -> str:
    visit, created = log_visit(session, officer, unit, day, now, note, "telegram", tz=tz)
    label = unit_label(unit)
    if created:
        lines = [f"✅ Đã ghi ngày đi cơ sở: {label}, {day:%d/%m/%Y}."]
        if visit.note:
            lines.append(f"Ghi chú: {visit.note}")
    else:
        lines = [f"Đã ghi từ trước: {label}, {day:%d/%m/%Y} (mỗi ngày, mỗi nơi tính một lần)."]
    if not in_area(session, officer, unit, day.year):
        lines.append("Lưu ý: nơi này ngoài địa bàn phụ trách; tính là ngày đi cơ sở.")
    today = now.astimezone(tz).date()
    lines += coverage_lines(session, officer, day.year, today)
    return "\n".join(lines)


def visit_reply(
    session: Session, officer: Officer, text: str, now: datetime, tz: ZoneInfo
) -> VisitReply:
    """Answer ``/dicoso text`` for ``officer``: log the visit, or ask which commune."""
    today = now.astimezone(tz).date()
    words = text.split()
    if not words:
        return VisitReply(USAGE)
    day, words = _parse_day(words, today)
    if not words:
        return VisitReply(USAGE)
    if not area_units(session, officer, day.year):
        return VisitReply(
            f"Bạn chưa được phân công địa bàn (xã, phường) năm {day.year} nên chưa ghi được "
            f"ngày đi cơ sở. Nhờ quản trị phân công: lichct areas assign {officer.id} TÊN_XÃ"
        )
    result, note = split_unit_and_note(session, " ".join(words), day.year)
    if len(result.units) == 1:
        return VisitReply(_logged(session, officer, result.units[0], day, now, note, tz))
    typed = " ".join(words)
    if result.units:
        choices = [(unit_label(u), u.id) for u in result.units[:MAX_CHOICES]]
        question = f"Có {len(result.units)} nơi khớp “{typed}”. Bạn đã đến nơi nào?"
        return VisitReply(question, choices, day, note)
    if result.suggestions:
        choices = [(unit_label(u), u.id) for u in result.suggestions]
        question = f"Không tìm thấy “{typed}”. Có phải một trong các nơi này?"
        return VisitReply(question, choices, day, note)
    return VisitReply(
        f"⚠️ Không tìm thấy xã, phường “{typed}” trong danh sách năm {day.year}. "
        "Kiểm tra lại tên (có thể gõ không dấu, ví dụ: /dicoso tan lap)."
    )


def choose_reply(
    session: Session,
    officer: Officer,
    unit_id: int,
    day: date | None,
    note: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> str:
    """Answer a press on a commune button: log that commune (everything is checked again)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return "⚠️ Không còn đơn vị này, hãy gửi lại /dicoso."
    return _logged(session, officer, unit, day or now.astimezone(tz).date(), now, note, tz)


def _keyboard(choices: list[tuple[str, int]], day: date | None) -> InlineKeyboardMarkup:
    when = f":{day:%Y%m%d}" if day else ""
    rows = [
        [InlineKeyboardButton(label[:60], callback_data=f"dicoso:{uid}{when}")]
        for label, uid in choices
    ]
    rows.append([InlineKeyboardButton("Hủy", callback_data="dicoso:cancel")])
    return InlineKeyboardMarkup(rows)


def _who(update: Update) -> int | None:
    """The writer's Telegram id: what a linked officer's ``telegram_chat_id`` holds."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


async def dicoso(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/dicoso [dd/mm] <xã hoặc phường> [ghi chú]``."""
    chat, message, who = update.effective_chat, update.effective_message, _who(update)
    if chat is None or message is None or who is None:
        return
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(PRIVATE_ONLY)
        return
    ctx = app_context(context)
    text = " ".join(context.args or ())

    def run(session: Session) -> VisitReply:
        officer = officer_for_chat(session, who)
        if officer is None:
            return VisitReply(NOT_LINKED)
        return visit_reply(session, officer, text, ctx.clock.now(), ctx.tz)

    try:
        reply = await in_store(ctx, run)
    except LichctError as exc:
        reply = VisitReply(f"⚠️ {exc}")
    if not reply.choices:
        await message.reply_text(reply.text)
        return
    asked = await message.reply_text(reply.text, reply_markup=_keyboard(reply.choices, reply.day))
    if context.chat_data is not None and reply.note:
        notes = context.chat_data.setdefault(PENDING, {})
        notes[asked.message_id] = reply.note
        while len(notes) > 20:  # only the latest questions keep their notes
            notes.pop(next(iter(notes)))


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press on one of the commune buttons that ``/dicoso`` offered."""
    query = update.callback_query
    if query is None:
        return
    match = CALLBACK.match(query.data or "")
    who = _who(update)
    if match is None or who is None:
        await query.answer("Nút này không còn dùng được.")
        return
    message_id = query.message.message_id if query.message is not None else None
    notes = context.chat_data.get(PENDING, {}) if context.chat_data is not None else {}
    note = notes.pop(message_id, None)
    if match[1] == "cancel":
        await query.answer("Đã hủy.")
        await _edit(query, "Đã hủy, chưa ghi ngày đi cơ sở nào.")
        return
    ctx = app_context(context)
    day = datetime.strptime(match[2], "%Y%m%d").date() if match[2] else None

    def run(session: Session) -> str:
        officer = officer_for_chat(session, who)
        if officer is None:
            return NOT_LINKED
        return choose_reply(session, officer, int(match[1]), day, note, ctx.clock.now(), ctx.tz)

    try:
        text = await in_store(ctx, run)
    except LichctError as exc:
        text = f"⚠️ {exc}"
    await query.answer()
    await _edit(query, text)


async def _edit(query: Any, text: str) -> None:
    try:
        await query.edit_message_text(text)
    except TelegramError as exc:  # the question is gone or unchanged: the answer still stands
        log.info("could not edit the /dicoso question: %s", exc)


# For the bot's menu and /trogiup: (Vietnamese command, English alias, what it does).
COMMANDS = (("dicoso", "visit", "Ghi ngày đi cơ sở: /dicoso <xã hoặc phường> [ghi chú]"),)

HANDLERS = [
    CommandHandler(["dicoso", "visit"], dicoso),
    CallbackQueryHandler(choose, pattern=CALLBACK),
]
