"""Bot commands and button presses: parse, call a service, reply.

Every handler finds the officer from the Telegram user who wrote (a private chat's id is
the user's id), runs its store work in a worker thread inside one unit of work, and turns a
:class:`LichctError` into a short Vietnamese answer. A chat nobody linked learns nothing.
Permissions live in the services (``mark_done``, ``undo_done``, ``outbox.snooze``), so a
button is never trusted on its own.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from telegram import (
    BotCommand,
    InlineKeyboardMarkup,
    Update,
)
from telegram import (
    Message as TgMessage,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from calendars.text import WEEKDAYS, vn_date
from scheduler import services
from scheduler.bot import visits
from scheduler.bot.common import app_context, in_store
from scheduler.clock import local_today
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, LichctError, NotFound
from scheduler.services import linking, progress
from scheduler.store.models import Event, Officer

log = logging.getLogger("lichct.bot")

Context = ContextTypes.DEFAULT_TYPE

MAX_TEXT = 4000
UPCOMING_DAYS = 14
NOT_LINKED = (
    "Xin chào! Bot này chỉ phục vụ cán bộ đã liên kết tài khoản. "
    "Nếu bạn là cán bộ của Ban, hãy xin quản trị mã liên kết rồi gửi: /start MÃ"
)
PRIVATE_ONLY = "Để xem việc của bạn, hãy nhắn riêng cho bot (không dùng lệnh này trong nhóm)."
ID_HINT = "Xem mã việc bằng /homnay, /tuannay hoặc /sapden."
DONE_MARK = "✅ Đã hoàn thành"
SNOOZE_MARK = "⏰ Sẽ nhắc lại"

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
    ("trogiup", "help", "Các lệnh của bot"),
)


def _all_commands() -> tuple[tuple[str, str, str], ...]:
    """Our commands, then the field-visit ones, before /trogiup."""
    *main, last = COMMANDS
    return (*main, *visits.COMMANDS, last)


def bot_commands() -> list[BotCommand]:
    """The menu Telegram shows (Vietnamese names; the English aliases work too)."""
    return [BotCommand(vn, text.split(":")[0]) for vn, _en, text in _all_commands()]


def help_text() -> str:
    lines = ["Các lệnh (tiếng Việt hoặc tiếng Anh):"]
    lines += [f"/{vn} (/{en}): {text}" for vn, en, text in _all_commands()]
    lines.append("Dưới mỗi lời nhắc có nút ✅ Hoàn thành và ⏰ Nhắc lại sau.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- plumbing


def _fit(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _problem(exc: LichctError) -> str:
    text = f"⚠️ {exc}"
    if isinstance(exc, NotFound | InvalidInput) and ("#" in text or "Mã việc" in text):
        text += f"\n{ID_HINT}"
    return text


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(_fit(text), do_quote=False)


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
            answer = _problem(exc)
        await _reply(update, answer)

    return handler


# --------------------------------------------------------------------------- lists


def _day(d: date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {vn_date(d)}"


def _item_line(event: Event, today: date) -> str:
    due = event.due_date or event.end_date
    title = event.title if len(event.title) <= 140 else event.title[:139] + "…"
    if event.status == "done":
        return f"✅ #{event.id} · {title} (đã xong)"
    if services.is_overdue(event, today):
        return f"⚠️ #{event.id} · {title} · hạn {_day(due)} (quá {(today - due).days} ngày)"
    if event.end_date > event.start_date:
        when = f"{vn_date(event.start_date)}–{vn_date(event.end_date)}"
    elif event.kind in ("visit", "ceremony", "meeting"):
        when = f"ngày {_day(event.start_date)}"
    else:
        when = f"hạn {_day(due)}"
    left = (due - today).days
    countdown = "hôm nay" if left == 0 else f"còn {left} ngày" if left > 0 else ""
    suffix = f" ({countdown})" if countdown else ""
    if event.conditional:
        suffix += " · nếu có"
    return f"▫️ #{event.id} · {title} · {when}{suffix}"


def _agenda(
    session: Session, officer: Officer, start: date, end: date, today: date, heading: str
) -> str:
    events = services.list_events(session, start=start, end=end)
    observances = [e for e in events if e.kind == "observance"]
    mine = progress.responsible_events(
        session, officer, [e for e in events if e not in observances]
    )
    lines = [heading]
    if mine:
        lines += [_item_line(e, today) for e in mine]
    else:
        lines.append("Không có việc nào của bạn.")
    if observances:
        lines.append("🙏 Ngày lễ:")
        lines += [f"• {e.title} · {_day(e.start_date)}" for e in observances]
    return "\n".join(lines)


def cmd_today(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    return _agenda(session, officer, today, today, today, f"📅 Hôm nay, {_day(today)}")


def cmd_week(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    heading = f"🗓 Tuần này ({vn_date(monday)} – {vn_date(sunday)})"
    return _agenda(session, officer, monday, sunday, today, heading)


def cmd_upcoming(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    end = today + timedelta(days=UPCOMING_DAYS)
    heading = f"⏭ {UPCOMING_DAYS} ngày tới (đến {vn_date(end)})"
    return _agenda(session, officer, today + timedelta(days=1), end, today, heading)


def cmd_overdue(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    today = local_today(ctx.clock, ctx.tz)
    events = services.list_events(session, end=today)
    late = [e for e in events if services.is_overdue(e, today)]
    mine = progress.responsible_events(session, officer, late)
    if not mine:
        return "👍 Không có việc quá hạn."
    return "\n".join([f"⚠️ Việc quá hạn ({len(mine)}):", *(_item_line(e, today) for e in mine)])


# --------------------------------------------------------------------------- done / undo


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


# --------------------------------------------------------------------------- feed, progress


_NEW = {"moi", "mới", "new", "reset"}


def cmd_feed(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    try:
        from scheduler import feeds

        issue, active, links_for = feeds.issue_token, feeds.active_token, feeds.feed_links
    except (ImportError, AttributeError):
        return "Địa chỉ lịch riêng: nhờ quản trị chạy 'lichct feed-url' với tên của bạn."
    wants_new = bool(args) and args[0].lower() in _NEW
    if active(session, officer) is not None and not wants_new:
        return (
            "Bạn đã có địa chỉ lịch riêng (đã cấp trước đây). Vì lý do bảo mật, bot không lưu "
            "địa chỉ đó. Mất địa chỉ? Gửi /lich moi để tạo địa chỉ mới; địa chỉ cũ sẽ ngừng "
            "hoạt động."
        )
    links = links_for(ctx.settings.public_url, issue(session, officer, ctx.clock.now()))
    return (
        "📆 Địa chỉ lịch riêng của bạn (giữ kín, ai có địa chỉ này đều xem được lịch):\n"
        f"{links.https}\n"
        f"Outlook, Lịch Apple: {links.webcal}\n"
        "Google Calendar: Cài đặt → Thêm lịch → Từ URL, dán địa chỉ https ở trên."
    )


def cmd_progress(session: Session, officer: Officer, ctx: AppContext, args: Sequence[str]) -> str:
    return "\n".join(progress.progress_lines(session, officer, local_today(ctx.clock, ctx.tz)))


# --------------------------------------------------------------------------- start, help


async def start(update: Update, context: Context) -> None:
    """``/start CODE`` links this chat; ``/start`` alone greets or explains how to link."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    ctx = app_context(context)
    args = tuple(context.args or ())

    def run(session: Session) -> str:
        if args:
            linked = linking.redeem_link_code(session, args[0], chat.id, chat.type, ctx.clock.now())
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
    await _reply(update, answer)


async def show_help(update: Update, context: Context) -> None:
    await _reply(update, help_text())


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know: say which ones it does (only in private chats)."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await _reply(update, "Bot không hiểu lệnh này.\n" + help_text())


# --------------------------------------------------------------------------- buttons

_CALLBACK = re.compile(r"^(done|snooze):(\d{1,12})$")


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
    match = _CALLBACK.match(query.data or "")
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
        from scheduler.reminders import outbox

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


# --------------------------------------------------------------------------- registration


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
    }
    handlers: list[BaseHandler[Update, Context, Any]] = [CommandHandler("start", start)]
    for vn, en, _text in COMMANDS:
        if vn == "trogiup":
            handlers.append(CommandHandler([vn, en], show_help))
        else:
            handlers.append(CommandHandler([vn, en], officer_command(works[vn])))
    handlers.append(CallbackQueryHandler(button, pattern=_CALLBACK))
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
