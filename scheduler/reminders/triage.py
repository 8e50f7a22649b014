"""Triage of a claimed batch: what lost its point, and how late reminders are folded or merged.

After downtime a late reminder is sent once if it still makes sense; one made pointless by
time (its event is past, a newer reminder for the same item is due too, a digest of another
day) is not replayed: the pointless event reminders of each officer are folded into one short
"summary" note, and a burst of one officer's reminders goes out as one message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from notifiers import templates
from notifiers.base import Message, Recipient
from scheduler.reminders import outbox, planner
from scheduler.reminders.rendering import Render
from scheduler.reminders.specs import anchor_passed_at
from scheduler.store.models import InboundReport, Reminder

_EVENT_KINDS = ("lead", "due", "overdue", "snooze")


@dataclass
class Job:
    """One message ready to go out: the claimed row(s), whom to, and what."""

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
    # Other rows of the same claim sent in this one message (see ``merge``).
    merged: list[int] = field(default_factory=list)

    @property
    def rids(self) -> list[int]:
        return [self.rid, *self.merged]


def pointless(
    ctx: Render, row: Reminder, newest: Mapping[tuple[int, int, str], datetime]
) -> str | None:
    """Why a claimed row should not be sent now ("fold:" = worth a line in a summary)."""
    now, policies = ctx.now, ctx.policies
    event = row.event
    if row.event_id is not None and (event is None or event.status != "planned"):
        return "việc đã đóng"
    if row.body_id is not None:
        body = row.body
        if body is None or not body.active:
            return "đơn vị không còn trong danh sách"
        period = str((row.payload or {}).get("period", ""))
        received = ctx.session.scalar(
            select(InboundReport.id).where(
                InboundReport.body_id == row.body_id, InboundReport.period == period
            )
        )
        if received is not None:
            return "đã nhận báo cáo"
    if row.kind == "digest":
        made_for = str((row.payload or {}).get("start", ""))
        local = now.astimezone(ctx.tz)
        if (
            made_for and made_for < local.date().isoformat()
        ) or local.time() >= policies.digest_stale_after:
            return "bản tin đã cũ"
        return None
    if event is not None and row.kind in _EVENT_KINDS and row.officer_id is not None:
        if row.kind in ("lead", "due") and anchor_passed_at(event, policies, ctx.tz) <= now:
            return "fold:việc đã qua"
        latest = newest.get((event.id, row.officer_id, row.channel))
        if row.kind != "snooze" and latest is not None and latest > row.due_at:
            return "đã có lời nhắc mới hơn"
    # A month's report draft is worth sending late, while the month's report is written.
    if row.kind in ("summary", "alert", "escalation", "nudge", "lead", "due", "overdue", "report"):
        return None
    if now - row.due_at > policies.stale_after:
        return "fold:quá lâu chưa gửi"
    return None


def newest_due(
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


def merge(jobs: list[Job], merge_at: int) -> list[Job]:
    """One officer's event reminders due together (after quiet hours, after downtime) go
    out merged once there are ``merge_at`` of them, not as a burst: as few messages as
    the channel's limits allow (:func:`notifiers.templates.merged_reminders`)."""
    if merge_at < 2:
        return jobs
    groups: dict[tuple[int, str], list[Job]] = defaultdict(list)
    rest: list[Job] = []
    for job in jobs:
        if job.kind in _EVENT_KINDS and job.error is None and job.recipient.officer_id is not None:
            groups[(job.recipient.officer_id, job.channel)].append(job)
        else:
            rest.append(job)
    for group in groups.values():
        if len(group) < merge_at:
            rest.extend(group)
            continue
        for part in templates.merged_reminders([job.message for job in group]):
            members = [group[i] for i in part.indexes]
            first = members[0]
            rest.append(
                Job(
                    rid=first.rid,
                    lease=first.lease,
                    channel=first.channel,
                    attempts=max(job.attempts for job in members),
                    recipient=first.recipient,
                    message=part.message,
                    what=part.message.subject,
                    is_alert=False,
                    kind=first.kind,
                    merged=[job.rid for job in members[1:]],
                )
            )
    return rest


def fold(session: Session, folded: Mapping[tuple[int, str], list[Reminder]], ctx: Render) -> None:
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
