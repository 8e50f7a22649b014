"""Vietnamese texts of reminders, summaries and alerts (plain data in, ``Message`` out).

The tone follows DOMAIN.md: one line that says what and how soon, then the deadline with
its weekday, then where the item comes from and its number (#37). Dates are dd/mm/yyyy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from calendars.lunar import format_lunar, solar_to_lunar
from calendars.text import vn_date, vn_day
from notifiers.base import Action, Attachment, Message
from notifiers.limits import (
    SUBJECT_MAX,
    TELEGRAM_TEXT_MAX,
    TITLE_MAX,
    shorten,
    shorten_utf16,
    utf16_len,
)

# A text every channel can carry in one message (Telegram's limit, in UTF-16 units).
TEXT_MAX = TELEGRAM_TEXT_MAX
# Items listed in one merged message: each has its own "✅ Xong" button.
MERGED_MAX_ITEMS = 10
# A title in a list line (summaries, merged reminders).
LIST_TITLE_MAX = 200

SECTIONS = {
    "tham-muu": "Tham mưu Thường trực, Ban Thường vụ Tỉnh ủy",
    "chuyen-mon": "Nhiệm vụ chuyên môn",
}

KINDS = {
    "report": "Báo cáo",
    "plan": "Kế hoạch",
    "directive": "Văn bản chỉ đạo",
    "supervision": "Giám sát",
    "inspection": "Kiểm tra",
    "meeting": "Họp, hội nghị",
    "visit": "Thăm, chúc mừng",
    "ceremony": "Dự lễ",
    "bulletin": "Thông báo",
    "observance": "Ngày lễ",
    "other": "Việc khác",
}

# Kinds that happen on a day (counted to the start) rather than fall due.
HAPPENING_KINDS = ("visit", "ceremony", "meeting", "observance", "supervision", "inspection")


def lunar_text(d: date) -> str | None:
    """The lunar date of ``d`` in words (rằm tháng Bảy năm Giáp Thìn), when it is known."""
    try:
        return format_lunar(solar_to_lunar(d))
    except (ValueError, LookupError):
        return None


@dataclass(frozen=True)
class EventView:
    """What a reminder shows of an event (the dispatcher fills it from the store)."""

    id: int
    title: str
    kind: str
    start: date
    end: date
    due: date | None = None
    section: str | None = None
    start_local: datetime | None = None
    conditional: bool = False
    observance_name: str | None = None
    assignees: tuple[str, ...] = ()
    link: str | None = None

    @property
    def happening(self) -> bool:
        return self.kind in HAPPENING_KINDS or self.observance_name is not None

    @property
    def anchor(self) -> date:
        if self.happening:
            return self.start_local.date() if self.start_local else self.start
        return self.due or self.end

    @property
    def origin(self) -> str:
        return SECTIONS.get(self.section or "", KINDS.get(self.kind, "Việc"))


@dataclass(frozen=True)
class SummaryItem:
    event_id: int | None
    title: str
    when: date | None


@dataclass
class Rendered:
    """Header, body lines and footer before they become a ``Message``."""

    header: str
    lines: list[str] = field(default_factory=list)


def _countdown(days: int, happening: bool) -> str:
    if days < 0:
        return f"Đã qua {-days} ngày"
    if days == 0:
        return "Hôm nay" if happening else "Hôm nay đến hạn"
    if days == 1:
        return "Ngày mai" if happening else "Còn 1 ngày"
    return f"Còn {days} ngày"


def _when_line(view: EventView) -> str:
    if view.happening:
        text = vn_day(view.anchor)
        if view.start_local is not None:
            text += f", lúc {view.start_local:%H:%M}"
        elif view.end > view.start:
            text = f"{vn_day(view.start)} – {vn_day(view.end)}"
        return f"Ngày: {text}"
    return f"Hạn: {vn_day(view.anchor)}"


def _footer(view: EventView) -> str:
    return f"{view.origin} · #{view.id}"


def _actions(view: EventView, reminder_id: int | None) -> tuple[Action, ...]:
    actions = [Action("✅ Hoàn thành", f"done:{view.id}")]
    if reminder_id is not None:
        actions.append(Action("⏰ Nhắc lại sau", f"snooze:{reminder_id}"))
    return tuple(actions)


def _message(
    rendered: Rendered,
    view: EventView,
    reminder_id: int | None,
    attachments: Sequence[Attachment] = (),
    actions: bool = True,
) -> Message:
    lines = [rendered.header, *rendered.lines]
    if view.link:
        lines.append(view.link)
    return Message(
        subject=shorten(rendered.header, SUBJECT_MAX),
        text="\n".join(lines),
        actions=_actions(view, reminder_id) if actions else (),
        attachments=tuple(attachments),
        event_id=view.id,
        reminder_id=reminder_id,
        link=view.link,
    )


def event_reminder(
    view: EventView,
    kind: str,
    now_local: datetime,
    *,
    reminder_id: int | None = None,
    hours: int | None = None,
    days_late: int | None = None,
    attachments: Sequence[Attachment] = (),
) -> Message:
    """A reminder about one event: lead, due, overdue, escalation, nudge or snooze.

    A runaway title is shortened with "…" so the deadline line and the item number that
    follow it always reach the reader; the subject (email) stays within ``SUBJECT_MAX``.
    """
    view = replace(
        view,
        title=shorten_utf16(view.title, TITLE_MAX),
        observance_name=(
            shorten_utf16(view.observance_name, TITLE_MAX // 2)
            if view.observance_name is not None
            else None
        ),
    )
    today = now_local.date()
    days = (view.anchor - today).days
    if kind == "escalation":
        late = (today - (view.due or view.end)).days
        who = ", ".join(view.assignees) or "chưa giao"
        rendered = Rendered(
            f"🚨 Quá hạn {late} ngày, chưa hoàn thành · {view.title}",
            [f"Hạn: {vn_day(view.due or view.end)}", f"Người phụ trách: {who}", _footer(view)],
        )
        return _message(rendered, view, reminder_id, attachments)
    if kind == "overdue" or (days < 0 and not view.happening):
        late = days_late if days_late is not None else (today - (view.due or view.end)).days
        rendered = Rendered(
            f"⚠️ Quá hạn {late} ngày · {view.title}",
            [f"Hạn: {vn_day(view.due or view.end)}", _footer(view)],
        )
        return _message(rendered, view, reminder_id, attachments)
    prefix = {"nudge": "📣 Lãnh đạo nhắc: ", "snooze": "🔁 Nhắc lại: "}.get(kind, "")
    if view.observance_name is not None:
        lunar = lunar_text(view.anchor)
        when = vn_day(view.anchor, comma=False) + (f" ({lunar})" if lunar else "")
        soon = _countdown(days, True).lower()
        header = f"🙏 {prefix}{view.observance_name}: {when}, {soon}"
        lines = [f"Việc: {view.title} · #{view.id}"]
        if view.conditional:
            lines.append("(nếu có: chỉ nhắc một lần)")
        return _message(Rendered(header, lines), view, reminder_id, attachments)
    if hours is not None and view.start_local is not None:
        left = max(int((view.start_local - now_local).total_seconds() // 3600), 0)
        soon = f"Còn {left} giờ" if left else "Sắp bắt đầu"
    else:
        soon = _countdown(days, view.happening)
    icon = "📅" if view.happening else "⏰"
    lines = [_when_line(view), _footer(view)]
    if view.conditional:
        lines.insert(1, "Việc phát sinh (nếu có): chỉ nhắc một lần.")
    return _message(
        Rendered(f"{prefix or icon + ' '}{soon} · {view.title}", lines),
        view,
        reminder_id,
        attachments,
    )


def summary(items: Sequence[SummaryItem], limit: int = 10) -> tuple[str, str]:
    """One short note for the reminders that lost their point while the service was down."""
    subject = f"🔕 {len(items)} lời nhắc không còn cần gửi (hệ thống tạm ngừng)"
    lines = [subject, "Trong lúc hệ thống tạm ngừng, các việc sau đã qua thời điểm nhắc:"]
    for item in items[:limit]:
        when = f" ({vn_date(item.when)})" if item.when else ""
        number = f" · #{item.event_id}" if item.event_id else ""
        lines.append(f"• {shorten(item.title, LIST_TITLE_MAX)}{when}{number}")
    if len(items) > limit:
        lines.append(f"… và {len(items) - limit} mục khác.")
    lines.append("Xem lại bằng /quahan hoặc /homnay.")
    return subject, "\n".join(lines)


def delivery_alert(recipient: str, channel: str, what: str, error: str) -> tuple[str, str]:
    """For admins: a reminder could not be delivered and will not be retried."""
    subject = f"❗ Không gửi được nhắc việc tới {recipient} ({channel})"
    text = "\n".join([subject, f"Nội dung: {what}", f"Lỗi: {error}"])
    return subject, text


@dataclass(frozen=True)
class MergedPart:
    """One message of a merged burst, and which of the given reminders it carries."""

    message: Message
    indexes: tuple[int, ...]


def merged_reminders(messages: Sequence[Message]) -> list[MergedPart]:
    """One officer's reminders due together, as few messages as fit: each at most
    ``MERGED_MAX_ITEMS`` items and ``TEXT_MAX`` UTF-16 units, one "✅ Xong" button per item
    shown (and only those), the attachments of those items."""
    lines: list[str] = []
    for message in messages:
        # The subject minus its leading icon: "Còn 3 ngày · Báo cáo…".
        what = shorten(message.subject.split(" ", 1)[-1], LIST_TITLE_MAX)
        item = f" · #{message.event_id}" if message.event_id is not None else ""
        lines.append(f"• {what}{item}")
    groups: list[list[int]] = []
    for index, line in enumerate(lines):
        current = groups[-1] if groups else None
        if current is not None and len(current) < MERGED_MAX_ITEMS:
            size = sum(utf16_len(lines[i]) + 1 for i in current) + utf16_len(line) + 1
            if size + 40 <= TEXT_MAX:  # 40: room for the header line
                current.append(index)
                continue
        groups.append([index])
    parts: list[MergedPart] = []
    for part_number, group in enumerate(groups, start=1):
        subject = f"⏰ {len(messages)} việc cần chú ý"
        if len(groups) > 1:
            subject += f" ({part_number}/{len(groups)})"
        actions: dict[int, Action] = {}
        for i in group:
            eid = messages[i].event_id
            if eid is not None:
                actions.setdefault(eid, Action(f"✅ Xong #{eid}", f"done:{eid}"))
        text = "\n".join([subject, *(lines[i] for i in group)])
        parts.append(
            MergedPart(
                Message(
                    subject=subject,
                    text=text,
                    actions=tuple(actions.values()),
                    attachments=tuple(a for i in group for a in messages[i].attachments),
                ),
                tuple(group),
            )
        )
    return parts
