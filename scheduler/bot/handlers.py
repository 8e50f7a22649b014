"""Bot commands and their registration: parse, call a service, reply.

Every handler finds the officer from the Telegram user who wrote (a private chat's id is
the user's id), runs its store work in a worker thread inside one unit of work, and turns a
:class:`LichctError` into a short Vietnamese answer. A chat nobody linked learns nothing.
Permissions live in the services (``mark_done``, ``undo_done``, ``outbox.snooze``), so a
button is never trusted on its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from telegram import (
    BotCommand,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from scheduler import feeds, services
from scheduler.bot import inbound, visits
from scheduler.bot.agenda import (
    UPCOMING_DAYS,
    cmd_overdue,
    cmd_today,
    cmd_upcoming,
    cmd_week,
)
from scheduler.bot.buttons import CALLBACK, button
from scheduler.bot.common import (
    ID_HINT,
    NOT_LINKED,
    Context,
    OfficerWork,
    app_context,
    in_store,
    log,
    officer_command,
    reply,
)
from scheduler.clock import local_today
from scheduler.context import AppContext
from scheduler.errors import LichctError
from scheduler.services import linking, progress
from scheduler.store.models import Officer

# (Vietnamese command, English alias, what it does): the bot's menu and /trogiup.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("homnay", "today", "Việc hôm nay"),
    ("tuannay", "week", "Việc tuần này"),
    ("sapden", "upcoming", f"Việc {UPCOMING_DAYS} ngày tới"),
    ("quahan", "overdue", "Việc quá hạn"),
    ("xong", "done", "Báo hoàn thành: /xong MÃ [ghi chú]"),
    ("hoantac", "undo", "Hủy báo hoàn thành: /hoantac MÃ"),
    ("lich", "feed", "Địa chỉ lịch riêng cho Outlook, Google Calendar"),
    ("tiendo", "progress", "Tiến độ tháng này"),
    ("dangnhap", "login", "Liên kết đăng nhập trang web (dùng một lần, trong 15 phút)"),
    ("trogiup", "help", "Các lệnh của bot"),
)


def _all_commands() -> tuple[tuple[str, str, str], ...]:
    """Our commands, then the field-visit and report-receipt ones, before /trogiup."""
    *main, last = COMMANDS
    return (*main, *visits.COMMANDS, *inbound.COMMANDS, last)


def bot_commands() -> list[BotCommand]:
    """The menu Telegram shows (Vietnamese names; the English aliases work too)."""
    return [BotCommand(vn, text.split(":")[0]) for vn, _en, text in _all_commands()]


def help_text() -> str:
    lines = ["Các lệnh (tiếng Việt hoặc tiếng Anh):"]
    lines += [f"/{vn} (/{en}): {text}" for vn, en, text in _all_commands()]
    lines.append("Dưới mỗi lời nhắc có nút ✅ Hoàn thành và ⏰ Nhắc lại sau.")
    return "\n".join(lines)


def cmd_done(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    if not args:
        return "Cách dùng: /xong MÃ [ghi chú], ví dụ: /xong 37 đã gửi báo cáo\n" + ID_HINT
    event_id = services.parse_event_id(args[0])
    note = " ".join(args[1:]) or None
    result = services.mark_done(
        session, event_id, ctx.clock.now(), actor=officer, note=note, channel="telegram"
    )
    if result.already:
        return f"Việc #{result.event.id} đã được xác nhận hoàn thành từ trước: {result.event.title}"
    return f"✅ Đã ghi nhận hoàn thành việc #{result.event.id}: {result.event.title}"


def cmd_undo(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    if not args:
        return "Cách dùng: /hoantac MÃ, ví dụ: /hoantac 37 (trong vòng 1 ngày sau khi báo xong)"
    event = services.undo_done(
        session, services.parse_event_id(args[0]), ctx.clock.now(), actor=officer
    )
    return f"↩️ Đã hủy xác nhận hoàn thành việc #{event.id}: {event.title}"


_NEW = {"moi", "mới", "new", "reset"}


def cmd_feed(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    wants_new = bool(args) and args[0].lower() in _NEW
    if feeds.active_token(session, officer) is not None and not wants_new:
        return (
            "Bạn đã có địa chỉ lịch riêng (đã cấp trước đây). Vì lý do bảo mật, bot không lưu "
            "địa chỉ đó. Mất địa chỉ? Gửi /lich moi để tạo địa chỉ mới; địa chỉ cũ sẽ ngừng "
            "hoạt động."
        )
    token = feeds.issue_token(session, officer, ctx.clock.now())
    links = feeds.feed_links(ctx.settings.public_url, token)
    return (
        "📆 Địa chỉ lịch riêng của bạn (giữ kín, ai có địa chỉ này đều xem được lịch):\n"
        f"{links.https}\n"
        f"Outlook, Lịch Apple: {links.webcal}\n"
        "Google Calendar: Cài đặt → Thêm lịch → Từ URL, dán địa chỉ https ở trên."
    )


def cmd_login(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    """A one-time web sign-in link, the same as ``lichct login-link``."""
    from scheduler.services import web_access

    url = web_access.issue_login_link(session, officer, ctx.settings.public_url, ctx.clock.now())
    return (
        "🔑 Liên kết đăng nhập trang web (chỉ dùng một lần, trong 15 phút; đừng chuyển cho "
        f"người khác):\n{url}"
    )


def cmd_progress(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    return "\n".join(progress.progress_lines(session, officer, local_today(ctx.clock, ctx.tz)))


async def start(update: Update, context: Context) -> None:
    """``/start CODE`` links this chat; ``/start`` alone greets or explains how to link."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    ctx = app_context(context)
    args = tuple(context.args or ())

    def run(session: Session) -> str:
        if args:
            try:
                linked = linking.redeem_link_code(
                    session,
                    args[0],
                    chat.id,
                    chat.type,
                    ctx.clock.now(),
                    secret=ctx.settings.secret_key,
                )
            except LichctError as exc:
                # Answered inside the unit of work, so the wrong code stays counted.
                return f"⚠️ {exc}"
            if isinstance(linked, Officer):
                return (
                    f"✅ Đã liên kết Telegram với cán bộ {linked.name}. Từ nay lời nhắc việc sẽ "
                    "đến đây.\n" + help_text()
                )
            return (
                f"✅ Nhóm này đã được liên kết với {linked.name}: nhóm sẽ nhận bản tin tổng hợp "
                "của đơn vị."
            )
        if chat.type != ChatType.PRIVATE:
            unit = linking.unit_for_chat(session, chat.id)
            if unit is not None:
                return f"Nhóm này nhận bản tin tổng hợp của {unit.name}."
            return NOT_LINKED
        officer = linking.officer_for_chat(session, user.id)
        if officer is None:
            return NOT_LINKED
        return f"Chào {officer.name}!\n" + help_text()

    try:
        answer = await in_store(ctx, run)
    except LichctError as exc:
        answer = f"⚠️ {exc}"
    await reply(update, answer)


async def show_help(update: Update, context: Context) -> None:
    await reply(update, help_text())


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know: say which ones it does (only in private chats)."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, "Bot không hiểu lệnh này.\n" + help_text())


async def on_error(update: object, context: Context) -> None:
    """Log what broke; tell the user something went wrong without details."""
    log.error("Lỗi khi xử lý cập nhật Telegram", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text("Có lỗi khi xử lý yêu cầu, xin thử lại sau.")


def command_handlers() -> list[BaseHandler[Update, Context, Any]]:
    """Every command with its Vietnamese name and English alias."""
    works: dict[str, OfficerWork] = {
        "homnay": cmd_today,
        "tuannay": cmd_week,
        "sapden": cmd_upcoming,
        "quahan": cmd_overdue,
        "xong": cmd_done,
        "hoantac": cmd_undo,
        "lich": cmd_feed,
        "tiendo": cmd_progress,
        "dangnhap": cmd_login,
    }
    handlers: list[BaseHandler[Update, Context, Any]] = [CommandHandler("start", start)]
    for vn, en, _text in COMMANDS:
        if vn == "trogiup":
            handlers.append(CommandHandler([vn, en], show_help))
        else:
            handlers.append(CommandHandler([vn, en], officer_command(works[vn])))
    handlers.append(CallbackQueryHandler(button, pattern=CALLBACK))
    return handlers


def register(
    application: Application[Any, Any, Any, Any, Any, Any], extra: Sequence[Any] = ()
) -> None:
    """Add our handlers, then ``extra`` ones (field visits), then the unknown-command answer."""
    for handler in command_handlers():
        application.add_handler(handler)
    for handler in extra:
        application.add_handler(handler)
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_error_handler(on_error)
