"""The outbox dispatcher: claim due rows, render them, hand them to the notifiers, record.

One pass (:func:`dispatch_due`):
1. a short transaction claims a batch (``outbox.claim``), drops what lost its point and
   renders the rest;
2. the messages go out with no transaction open (a few at a time);
3. each result is recorded in its own short transaction: sent, retry later (exponential
   backoff with jitter, at least the server's ``retry_after``), or failed (permanent error
   or no attempts left; admins are told).

After downtime, a late reminder is sent once if it still makes sense; one made pointless
by time (its event is past, a newer reminder for the same item is due too, a digest of
another day) is not replayed: the pointless event reminders of each officer are folded into
one short "summary" note.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from notifiers import templates
from notifiers.base import Action, Attachment, DeliveryError, Message, Notifier, Recipient
from scheduler import feeds
from scheduler.reminders import digests, outbox, planner
from scheduler.reminders.policies import Policies
from scheduler.store.db import Database
from scheduler.store.models import Assignment, Event, Officer, Reminder, Unit
from scheduler.store.queries import event_recipients

log = logging.getLogger("lichct.dispatch")

# Test hook for the crash tests: "after_claim:/path" or "after_send:/path" makes the
# dispatcher write the file at that point and then wait to be killed.
TEST_HOOK_ENV = "LICHCT_DISPATCH_TEST_HOOK"
# Kinds whose time of day matters to the reader; others ignore quiet hours ("nudge").
_QUIET_EXEMPT = ("nudge",)
_EVENT_KINDS = ("lead", "due", "overdue", "snooze")


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    folded: int = 0
    lost: int = 0

    def add(self, other: DispatchStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        """One line in Vietnamese for the CLI and the log."""
        return (
            f"đã gửi {self.sent}, thử lại sau {self.retried}, thất bại {self.failed}, "
            f"hoãn (giờ yên tĩnh) {self.deferred}, bỏ {self.cancelled}, gộp {self.folded}"
        )


@dataclass
class _Job:
    rid: int
    lease: datetime
    channel: str
    attempts: int
    recipient: Recipient
    message: Message
    what: str
    is_alert: bool
    error: str | None = None
    kind: str = ""
    # Other rows of the same claim sent in this one message (see ``_merge``).
    merged: list[int] = field(default_factory=list)

    @property
    def rids(self) -> list[int]:
        return [self.rid, *self.merged]


@dataclass
class _Render:
    """Everything rendering a batch needs, loaded once."""

    session: Session
    now: datetime
    tz: ZoneInfo
    policies: Policies
    observances: dict[str, str] = field(default_factory=dict)


def _test_hook(point: str) -> None:
    spec = os.environ.get(TEST_HOOK_ENV, "")
    where, _, path = spec.partition(":")
    if where != point:
        return
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    while True:  # wait for SIGKILL
        signal.pause()


def _recipient(row: Reminder, units: Mapping[int, Unit]) -> Recipient | None:
    if row.officer is not None:
        o = row.officer
        return Recipient(
            o.name, telegram_chat_id=o.telegram_chat_id, email=o.email, officer_id=o.id
        )
    unit = units.get(row.unit_id or -1)
    if unit is not None:
        return Recipient(unit.name, telegram_chat_id=unit.telegram_chat_id)
    return None


def _address_error(recipient: Recipient, channel: str) -> str | None:
    if channel == "telegram" and recipient.telegram_chat_id is None:
        return f"{recipient.name} chưa liên kết Telegram"
    if channel == "email" and not recipient.email:
        return f"{recipient.name} chưa có địa chỉ email"
    return None


def _observance_name(ctx: _Render, event: Event) -> str | None:
    if event.source == "observance" or event.kind == "observance":
        return event.title
    key = event.observance_key
    if not key:
        return None
    if key not in ctx.observances:
        title = ctx.session.scalar(
            select(Event.title)
            .where(Event.source == "observance", Event.observance_key == key)
            .where(Event.start_date <= event.end_date)
            .order_by(Event.start_date.desc())
            .limit(1)
        )
        ctx.observances[key] = title or ""
    return ctx.observances[key] or None


def _view(ctx: _Render, event: Event, with_assignees: bool = False) -> templates.EventView:
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


def _ics(ctx: _Render, event: Event) -> tuple[Attachment, ...]:
    """The event as an .ics file, so Outlook can add it from the email in one click."""
    try:
        data = feeds.event_ics(ctx.session, event, ctx.tz)
    except Exception:  # an attachment must never stop a reminder
        log.exception("Không tạo được tệp .ics cho việc #%s", event.id)
        return ()
    return (Attachment("su-kien.ics", "text/calendar", data),)


def _render(ctx: _Render, row: Reminder) -> Message | None:
    payload = row.payload or {}
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
    return message


def _pointless(
    ctx: _Render, row: Reminder, newest: Mapping[tuple[int, int, str], datetime]
) -> str | None:
    """Why a claimed row should not be sent now ("fold:" = worth a line in a summary)."""
    now, policies = ctx.now, ctx.policies
    event = row.event
    if row.event_id is not None and (event is None or event.status != "planned"):
        return "việc đã đóng"
    if row.kind == "digest":
        made_for = str((row.payload or {}).get("start", ""))
        local = now.astimezone(ctx.tz)
        if (
            made_for and made_for < local.date().isoformat()
        ) or local.time() >= policies.digest_stale_after:
            return "bản tin đã cũ"
        return None
    if event is not None and row.kind in _EVENT_KINDS and row.officer_id is not None:
        if row.kind in ("lead", "due") and planner.anchor_passed_at(event, policies, ctx.tz) <= now:
            return "fold:việc đã qua"
        latest = newest.get((event.id, row.officer_id, row.channel))
        if row.kind != "snooze" and latest is not None and latest > row.due_at:
            return "đã có lời nhắc mới hơn"
    if row.kind in ("summary", "alert", "escalation", "nudge", "lead", "due", "overdue"):
        return None
    if now - row.due_at > policies.stale_after:
        return "fold:quá lâu chưa gửi"
    return None


def _newest(
    session: Session, rows: list[Reminder], now: datetime
) -> dict[tuple[int, int, str], datetime]:
    """The latest due time of a planner row per (event, officer, channel) of this batch."""
    event_ids = sorted({r.event_id for r in rows if r.event_id is not None})
    newest: dict[tuple[int, int, str], datetime] = {}
    for ids in planner.chunked(event_ids):
        query = (
            select(
                Reminder.event_id, Reminder.officer_id, Reminder.channel, func.max(Reminder.due_at)
            )
            .where(Reminder.event_id.in_(ids))
            .where(Reminder.kind.in_(("lead", "due", "overdue")))
            .where(Reminder.state != "cancelled")
            .where(Reminder.due_at <= now)
            .group_by(Reminder.event_id, Reminder.officer_id, Reminder.channel)
        )
        for event_id, officer_id, channel, latest in session.execute(query):
            if event_id is not None and officer_id is not None and latest is not None:
                if latest.tzinfo is None:
                    latest = latest.replace(tzinfo=now.tzinfo)
                newest[(event_id, officer_id, channel)] = latest
    return newest


def _prepare(
    session: Session, claimed: list[tuple[int, datetime]], ctx: _Render, stats: DispatchStats
) -> list[_Job]:
    """Triage and render a claimed batch inside the claim transaction."""
    if not claimed:
        return []
    leases = dict(claimed)
    rows = list(
        session.scalars(
            select(Reminder)
            .where(Reminder.id.in_(list(leases)))
            .options(
                selectinload(Reminder.officer),
                selectinload(Reminder.event)
                .selectinload(Event.assignments)
                .selectinload(Assignment.officer),
            )
            .order_by(Reminder.id)
        )
    )
    unit_ids = {r.unit_id for r in rows if r.unit_id is not None}
    units = (
        {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
        if unit_ids
        else {}
    )
    newest = _newest(session, rows, ctx.now)
    quiet = ctx.policies.in_quiet_hours(ctx.now, ctx.tz)
    folded: dict[tuple[int, str], list[Reminder]] = defaultdict(list)
    jobs: list[_Job] = []
    for row in rows:
        reason = _pointless(ctx, row, newest)
        if reason is not None:
            outbox.cancel(session, row.id, ctx.now, reason.removeprefix("fold:"))
            if reason.startswith("fold:") and row.officer_id is not None:
                folded[(row.officer_id, row.channel)].append(row)
                stats.folded += 1
            else:
                stats.cancelled += 1
            continue
        if quiet and row.kind not in _QUIET_EXEMPT and not (row.payload or {}).get("urgent"):
            at = ctx.policies.after_quiet(ctx.now, ctx.tz, row.officer_id or row.unit_id or 0)
            outbox.release(session, row.id, ctx.now, at, "giờ yên tĩnh")
            stats.deferred += 1
            continue
        recipient = _recipient(row, units)
        message = _render(ctx, row)
        if message is None or recipient is None:
            outbox.cancel(session, row.id, ctx.now, "không còn gì để gửi")
            stats.cancelled += 1
            continue
        jobs.append(
            _Job(
                rid=row.id,
                lease=leases[row.id],
                channel=row.channel,
                attempts=row.attempts,
                recipient=recipient,
                message=message,
                what=message.subject,
                is_alert=row.kind == "alert",
                error=_address_error(recipient, row.channel),
                kind=row.kind,
            )
        )
    _fold(session, folded, ctx)
    return _merge(jobs, ctx.policies.merge_at)


def _merge(jobs: list[_Job], merge_at: int) -> list[_Job]:
    """One officer's event reminders due together (after quiet hours, after downtime) go
    out as one message once there are ``merge_at`` of them, not as a burst."""
    if merge_at < 2:
        return jobs
    groups: dict[tuple[int, str], list[_Job]] = defaultdict(list)
    rest: list[_Job] = []
    for job in jobs:
        if job.kind in _EVENT_KINDS and job.error is None and job.recipient.officer_id is not None:
            groups[(job.recipient.officer_id, job.channel)].append(job)
        else:
            rest.append(job)
    for group in groups.values():
        if len(group) < merge_at:
            rest.extend(group)
            continue
        subject = f"⏰ {len(group)} việc cần chú ý"
        lines = [subject]
        actions: dict[int, Action] = {}
        for job in group:
            number = f" · #{job.message.event_id}" if job.message.event_id else ""
            lines.append(f"• {job.message.subject.split(' ', 1)[-1]}{number}")
            if job.message.event_id is not None:
                eid = job.message.event_id
                actions.setdefault(eid, Action(f"✅ Xong #{eid}", f"done:{eid}"))
        first = group[0]
        message = Message(
            subject=subject,
            text="\n".join(lines),
            actions=tuple(actions.values()),
            attachments=tuple(a for job in group for a in job.message.attachments),
        )
        rest.append(
            _Job(
                rid=first.rid,
                lease=first.lease,
                channel=first.channel,
                attempts=max(job.attempts for job in group),
                recipient=first.recipient,
                message=message,
                what=subject,
                is_alert=False,
                kind=first.kind,
                merged=[job.rid for job in group[1:]],
            )
        )
    return rest


def _fold(session: Session, folded: Mapping[tuple[int, str], list[Reminder]], ctx: _Render) -> None:
    rows = []
    for (officer_id, channel), group in folded.items():
        items = [
            templates.SummaryItem(
                r.event_id,
                r.event.title if r.event else str((r.payload or {}).get("subject", "Lời nhắc")),
                (r.event.due_date or r.event.start_date) if r.event else None,
            )
            for r in group
        ]
        subject, text = templates.summary(items)
        first = min(r.id for r in group)
        rows.append(
            outbox.new_row(
                f"summary:{officer_id}:{channel}:{first}",
                channel=channel,
                kind="summary",
                due_at=ctx.now,
                now=ctx.now,
                officer_id=officer_id,
                lead=f"summary:{first}",
                payload={"subject": subject, "text": text, "folded": [r.id for r in group]},
            )
        )
    outbox.enqueue(session, rows)


def _alert_admins(session: Session, job: _Job, now: datetime, error: str) -> None:
    if job.is_alert:
        log.error("Không gửi được cảnh báo #%s: %s", job.rid, error)
        return
    admins = list(
        session.scalars(select(Officer).where(Officer.role == "admin", Officer.active.is_(True)))
    )
    subject, text = templates.delivery_alert(job.recipient.name, job.channel, job.what, error)
    rows = [
        outbox.new_row(
            f"alert:{job.rid}:of:{admin.id}:{channel}",
            channel=channel,
            kind="alert",
            due_at=now,
            now=now,
            officer_id=admin.id,
            lead=f"alert:{job.rid}",
            payload={"subject": subject, "text": text, "failed": job.rid},
        )
        for admin in admins
        for channel in planner.usable_channels(admin)
    ]
    if not rows:
        log.error("%s (không có quản trị viên nào để báo): %s", subject, error)
        return
    outbox.enqueue(session, rows)


def _record(
    db: Database,
    job: _Job,
    outcome: str | BaseException,
    now: datetime,
    policies: Policies,
    rng: random.Random,
) -> DispatchStats:
    """Write the result of one delivery in its own short transaction."""
    stats = DispatchStats()
    with db.unit_of_work() as session:
        _record_in(session, job, outcome, now, policies, rng, stats)
    return stats


def _record_in(
    session: Session,
    job: _Job,
    outcome: str | BaseException,
    now: datetime,
    policies: Policies,
    rng: random.Random,
    stats: DispatchStats,
) -> None:
    """Record one outcome on every row of ``job`` (within ``session``)."""
    if not isinstance(outcome, BaseException):
        for rid in job.rids:
            if outbox.mark_sent(session, rid, job.lease, now, outcome or None):
                stats.sent += 1
            else:
                stats.lost += 1
        return
    error = f"{type(outcome).__name__}: {outcome}"
    permanent = isinstance(outcome, DeliveryError) and outcome.permanent
    if permanent or job.attempts >= policies.max_attempts:
        failed = [
            rid for rid in job.rids if outbox.mark_failed(session, rid, job.lease, now, error)
        ]
        stats.failed += len(failed)
        if failed:
            _alert_admins(session, job, now, str(outcome))
        return
    delay = policies.backoff(job.attempts, rng.random())
    retry_after = outcome.retry_after if isinstance(outcome, DeliveryError) else None
    if retry_after:
        delay = max(delay, type(delay)(seconds=retry_after))
    for rid in job.rids:
        if outbox.mark_retry(session, rid, job.lease, now, now + delay, error):
            stats.retried += 1


async def dispatch_due(
    db: Database,
    notifiers: Mapping[str, Notifier],
    now: datetime,
    batch_size: int = 100,
    worker_id: str = "",
    *,
    policies: Policies | None = None,
    tz: ZoneInfo | None = None,
    rng: random.Random | None = None,
) -> DispatchStats:
    """Send one batch of due reminders; returns what happened (``claimed`` 0: nothing due)."""
    if policies is None or tz is None:
        policies, tz = planner.current()
    rng = rng or random.Random()
    assert policies is not None and tz is not None

    def claim_batch() -> tuple[DispatchStats, list[_Job]]:
        found = DispatchStats()
        with db.unit_of_work() as session:
            claimed = outbox.claim(session, now, batch_size, policies.lease)
            found.claimed = len(claimed)
            ctx = _Render(session, now, tz, policies)
            return found, _prepare(session, claimed, ctx, found)

    # Database work runs in a thread: the bot and the HTTP feeds share this event loop.
    stats, jobs = await asyncio.to_thread(claim_batch)
    if not jobs:
        return stats
    _test_hook("after_claim")
    limit = asyncio.Semaphore(policies.concurrency)

    async def deliver(job: _Job) -> None:
        outcome: str | BaseException
        async with limit:
            notifier = notifiers.get(job.channel)
            if job.error is not None:
                outcome = DeliveryError(job.error, permanent=True)
            elif notifier is None:
                outcome = DeliveryError(f"kênh {job.channel} chưa được cấu hình", permanent=True)
            else:
                try:
                    delivery = await notifier.send(job.recipient, job.message)
                    outcome = delivery.external_id or ""
                except DeliveryError as exc:
                    outcome = exc
                except Exception as exc:  # a bug in a channel is a transient failure
                    log.exception("Lỗi khi gửi lời nhắc #%s", job.rid)
                    outcome = exc
            _test_hook("after_send")
            stats.add(await asyncio.to_thread(_record, db, job, outcome, now, policies, rng))

    await asyncio.gather(*(deliver(job) for job in jobs))
    if worker_id:
        log.debug("[%s] %s", worker_id, stats.line())
    return stats


async def dispatch_all(
    db: Database,
    notifiers: Mapping[str, Notifier],
    now: datetime,
    batch_size: int = 100,
    worker_id: str = "",
    *,
    policies: Policies | None = None,
    tz: ZoneInfo | None = None,
    max_batches: int = 10_000,
) -> DispatchStats:
    """Dispatch batches until nothing is due at ``now`` (``lichct dispatch --once``)."""
    total = DispatchStats()
    for _ in range(max_batches):
        stats = await dispatch_due(
            db,
            notifiers,
            now,
            batch_size,
            worker_id,
            policies=policies,
            tz=tz,
        )
        total.add(stats)
        if stats.claimed == 0:
            break
    return total


def pending_count(session: Session, now: datetime) -> int:
    """How many rows are due at ``now`` (for the CLI and tests)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.state == "pending", Reminder.next_attempt_at <= now)
        )
        or 0
    )


__all__ = ["TEST_HOOK_ENV", "DispatchStats", "dispatch_all", "dispatch_due", "pending_count"]
