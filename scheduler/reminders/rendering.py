"""Rendering: turns a claimed outbox row into the notifier message for its recipient.

A row that carries its own text (alerts, summaries, merged notes) is sent as is; a digest is
written now (:mod:`.digests`); an event reminder is rendered from the event with the
Vietnamese templates, with an .ics attachment when it goes by email.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifiers import templates
from notifiers.base import Action, Attachment, Message, Recipient
from scheduler import feeds
from scheduler.reminders import digests, item_links, report_send
from scheduler.reminders.policies import Policies
from scheduler.store.models import Event, Reminder, Unit
from scheduler.store.queries import event_recipients

log = logging.getLogger("lichct.dispatch")


@dataclass
class Render:
    """Everything rendering a batch needs, loaded once."""

    session: Session
    now: datetime
    tz: ZoneInfo
    policies: Policies
    observances: dict[str, str] = field(default_factory=dict)
    # LICHCT_PUBLIC_URL when it is set: reminders then link to the item's web page.
    public_url: str | None = None
    # The tables of lichct.toml (``Settings.extra``): a report's letterhead is read from them.
    extra: Mapping[str, Any] = field(default_factory=dict)


def recipient(row: Reminder, units: Mapping[int, Unit]) -> Recipient | None:
    if row.body is not None:
        # A body has several addresses: each email row names its own in the payload.
        body = row.body
        return Recipient(
            body.name,
            telegram_chat_id=body.telegram_chat_id,
            email=str((row.payload or {}).get("to") or "") or None,
        )
    if row.officer is not None:
        o = row.officer
        return Recipient(
            o.name, telegram_chat_id=o.telegram_chat_id, email=o.email, officer_id=o.id
        )
    unit = units.get(row.unit_id or -1)
    if unit is not None:
        return Recipient(unit.name, telegram_chat_id=unit.telegram_chat_id)
    return None


def address_error(recipient: Recipient, channel: str) -> str | None:
    if channel == "telegram" and recipient.telegram_chat_id is None:
        return f"{recipient.name} chưa liên kết Telegram"
    if channel == "email" and not recipient.email:
        return f"{recipient.name} chưa có địa chỉ email"
    return None


def _observance_name(ctx: Render, event: Event) -> str | None:
    if event.source == "observance" or event.kind == "observance":
        return event.title
    key = event.observance_key
    if not key:
        return None
    if key not in ctx.observances:
        title = ctx.session.scalar(
            select(Event.title)
            .where(Event.source == "observance", Event.observance_key == key)
            # The occurrence the item leads up to: "before Tết" items stand before it.
            .where(Event.end_date >= event.start_date)
            .order_by(Event.start_date)
            .limit(1)
        )
        ctx.observances[key] = title or ""
    return ctx.observances[key] or None


def _view(ctx: Render, event: Event, with_assignees: bool = False) -> templates.EventView:
    names: tuple[str, ...] = ()
    if with_assignees:
        names = tuple(o.name for o in event_recipients(ctx.session, event))
    start_local = (
        event.start_at.astimezone(ctx.tz)
        if event.start_at is not None and not event.all_day
        else None
    )
    return templates.EventView(
        id=event.id,
        title=event.title,
        kind=event.kind,
        start=event.start_date,
        end=event.end_date,
        due=event.due_date,
        section=event.section,
        start_local=start_local,
        conditional=event.conditional,
        observance_name=_observance_name(ctx, event),
        assignees=names,
    )


def _ics(ctx: Render, event: Event) -> tuple[Attachment, ...]:
    """The event as an .ics file, so Outlook can add it from the email in one click."""
    try:
        data = feeds.event_ics(ctx.session, event, ctx.tz)
    except Exception:  # an attachment must never stop a reminder
        log.exception("Không tạo được tệp .ics cho việc #%s", event.id)
        return ()
    return (Attachment("su-kien.ics", "text/calendar", data),)


def render(ctx: Render, row: Reminder) -> Message | None:
    payload = row.payload or {}
    if payload.get("attach") == report_send.ATTACH:
        return report_send.render_report_row(
            ctx.session, row, ctx.now, ctx.tz, public_url=ctx.public_url, extra=ctx.extra
        )
    if payload.get("subject") and payload.get("text"):
        return Message(
            subject=str(payload["subject"]),
            text=str(payload["text"]),
            event_id=row.event_id,
            reminder_id=row.id,
        )
    if row.kind == "digest":
        made = digests.render_digest(ctx.session, row, ctx.now, ctx.policies, ctx.tz)
        if made is None:
            return None
        return Message(subject=made[0], text=made[1], reminder_id=row.id)
    event = row.event
    if event is None:
        return None
    kind = str(payload.get("of_kind", row.kind)) if row.kind == "snooze" else row.kind
    view = _view(ctx, event, with_assignees=kind == "escalation")
    message = templates.event_reminder(
        view,
        "snooze" if row.kind == "snooze" and kind in ("lead", "due") else kind,
        ctx.now.astimezone(ctx.tz),
        reminder_id=row.id,
        hours=payload.get("hours"),
        attachments=_ics(ctx, event) if row.channel == "email" else (),
    )
    return _with_page_link(ctx, row, event, message)


def _with_page_link(ctx: Render, row: Reminder, event: Event, message: Message) -> Message:
    """Email: a link that opens this item for this officer (no password needed); Telegram:
    an "Mở trang" button to the item's page. Only when LICHCT_PUBLIC_URL is set."""
    if not ctx.public_url or row.officer is None:
        return message
    if row.channel == "email":
        link = item_links.issue_item_link(ctx.session, row.officer, event, ctx.public_url, ctx.now)
        return replace(message, link=link)
    if row.channel == "telegram":
        page = item_links.page_url(ctx.public_url, f"/viec/{event.id}")
        return replace(message, actions=(*message.actions, Action("Mở trang", url=page)))
    return message
