"""The buttons under a reminder: "✅ Hoàn thành" records completion, "⏰ Nhắc lại sau" snoozes."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session
from telegram import (
    InlineKeyboardMarkup,
    Update,
)
from telegram import Message as TgMessage
from telegram.error import BadRequest

from scheduler import services
from scheduler.bot.common import (
    NOT_LINKED,
    Context,
    app_context,
    in_store,
    log,
)
from scheduler.context import AppContext
from scheduler.errors import LichctError
from scheduler.reminders import outbox
from scheduler.services import linking

DONE_MARK = "✅ Đã hoàn thành"
SNOOZE_MARK = "⏰ Sẽ nhắc lại"
CALLBACK = re.compile(r"^(done|snooze):(\d{1,12})$")


def _base_text(text: str) -> str:
    """The reminder without a status line an earlier press added."""
    head, sep, last = text.rpartition("\n\n")
    if sep and last.startswith((DONE_MARK, SNOOZE_MARK)):
        return head
    return text


def _local(ctx: AppContext, at: datetime) -> str:
    return f"{at.astimezone(ctx.tz):%H:%M %d/%m/%Y}"


def _done_button_only(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    keep = [
        button
        for row in markup.inline_keyboard
        for button in row
        if isinstance(button.callback_data, str) and button.callback_data.startswith("done:")
    ]
    return InlineKeyboardMarkup([keep]) if keep else None


async def button(update: Update, context: Context) -> None:
    """ "✅ Hoàn thành" (done:ID) and "⏰ Nhắc lại sau" (snooze:RID) under a reminder."""
    query = update.callback_query
    if query is None:
        return
    match = CALLBACK.match(query.data or "")
    if match is None:
        await query.answer("Nút này không còn dùng được.")
        return
    action, number = match[1], int(match[2])
    ctx = app_context(context)
    user_id = query.from_user.id

    def run(session: Session) -> tuple[str, str | None]:
        officer = linking.officer_for_chat(session, user_id)
        if officer is None:
            return NOT_LINKED, None
        now = ctx.clock.now()
        if action == "done":
            result = services.mark_done(session, number, now, actor=officer, channel="telegram")
            when = _local(ctx, result.completion.at)
            if result.already:
                return "Việc này đã được xác nhận hoàn thành từ trước.", f"{DONE_MARK} · {when}"
            return "✅ Đã ghi nhận hoàn thành.", f"{DONE_MARK} · {officer.name} · {when}"
        row = outbox.snooze(session, number, now, officer)
        when = _local(ctx, row.due_at)
        return f"⏰ Sẽ nhắc lại lúc {when}.", f"{SNOOZE_MARK} lúc {when}"

    try:
        answer, status = await in_store(ctx, run)
    except LichctError as exc:
        await query.answer(str(exc)[:200], show_alert=True)
        return
    await query.answer(answer, show_alert=status is None)
    message = query.message
    if status is None or not isinstance(message, TgMessage) or message.text is None:
        return
    markup = None if action == "done" else _done_button_only(message.reply_markup)
    try:
        await query.edit_message_text(
            f"{_base_text(message.text)}\n\n{status}", reply_markup=markup
        )
    except BadRequest as exc:  # "message is not modified" after a double press
        log.info("Không sửa được tin nhắc: %s", exc.message)
