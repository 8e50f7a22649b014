"""What every bot handler needs: the shared AppContext, a unit of work off the loop, replies.

:func:`officer_command` wraps a command that works for a linked officer in a private chat:
it finds the officer from the Telegram user who wrote, runs the store work in a worker
thread, and turns a :class:`LichctError` into a short Vietnamese answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ContextTypes

from notifiers.limits import shorten_utf16
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, LichctError, NotFound
from scheduler.services import linking
from scheduler.store.models import Officer

T = TypeVar("T")
log = logging.getLogger("lichct.bot")
Context = ContextTypes.DEFAULT_TYPE
MAX_TEXT = 4000
NOT_LINKED = (
    "Xin chào! Bot này chỉ phục vụ cán bộ đã liên kết tài khoản. "
    "Nếu bạn là cán bộ của Ban, hãy xin quản trị mã liên kết rồi gửi: /start MÃ"
)
PRIVATE_ONLY = "Để xem việc của bạn, hãy nhắn riêng cho bot (không dùng lệnh này trong nhóm)."
ID_HINT = "Xem mã việc bằng /homnay, /tuannay hoặc /sapden."


def app_context(context: CallbackContext[Any, Any, Any, Any]) -> AppContext:
    """The service's context, put in ``bot_data`` when the application is built."""
    ctx: AppContext = context.application.bot_data["ctx"]
    return ctx


async def in_store(ctx: AppContext, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one unit of work, off the event loop (HTTP and jobs share it)."""

    def run() -> T:
        with ctx.db.unit_of_work() as session:
            return work(session)

    return await asyncio.to_thread(run)


def fit(text: str) -> str:
    """``text`` shortened to what one Telegram message holds (in UTF-16 units)."""
    return shorten_utf16(text, MAX_TEXT)


def problem(exc: LichctError) -> str:
    """A user error as a short answer, with a hint where an item ID was wrong."""
    text = f"⚠️ {exc}"
    if isinstance(exc, NotFound | InvalidInput) and ("#" in text or "Mã việc" in text):
        text += f"\n{ID_HINT}"
    return text


async def reply(update: Update, text: str) -> None:
    """Answer in the chat the update came from (without quoting it)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(fit(text), do_quote=False)


OfficerWork = Callable[[Session, Officer, AppContext, Sequence[str]], str]


def officer_command(work: OfficerWork) -> Callable[[Update, Context], Any]:
    """Wrap ``work`` (session, officer, ctx, args → answer) as a private-chat command."""

    async def handler(update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        ctx = app_context(context)
        args = tuple(context.args or ())

        def run(session: Session) -> str:
            officer = linking.officer_for_chat(session, user.id)
            if officer is None:
                if chat.type != ChatType.PRIVATE and linking.unit_for_chat(session, chat.id):
                    return PRIVATE_ONLY
                return NOT_LINKED
            if chat.type != ChatType.PRIVATE:
                return PRIVATE_ONLY
            return work(session, officer, ctx, args)

        try:
            answer = await in_store(ctx, run)
        except LichctError as exc:
            answer = problem(exc)
        await reply(update, answer)

    return handler
