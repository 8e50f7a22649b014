"""The outbox dispatcher: claim due rows, render them, hand them to the notifiers, record.

One pass (:func:`dispatch_due`):
1. a short transaction claims a batch (``outbox.claim``), drops what lost its point and
   renders the rest;
2. the messages go out with no transaction open: a channel that paces itself (Telegram:
   per-chat queues under the Bot API's limits, see :mod:`notifiers.pacing`) gets every
   message at once and orders them, so a chat that must wait holds no delivery slot; other
   channels (email) get their own fixed number of concurrent sends;
3. results are recorded in batches, one short transaction for whatever finished while the
   previous batch was being written (the lease check kept row by row): sent, put back at
   the precise time a channel's pacing asks (no attempt counted), retry later (exponential
   backoff with jitter, at least the server's ``retry_after``), or failed (permanent error
   or no attempts left; admins are told).

Rendering a row is :mod:`.rendering`; what to drop, fold or merge after downtime is
:mod:`.triage`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from notifiers import templates
from notifiers.base import Deferred, DeliveryError, Notifier
from scheduler.reminders import outbox, rendering, triage
from scheduler.reminders.policies import Policies, current
from scheduler.reminders.recipients import usable_channels
from scheduler.reminders.rendering import Render
from scheduler.reminders.triage import Job
from scheduler.store.db import Database
from scheduler.store.models import Assignment, Event, Officer, Reminder, Unit

log = logging.getLogger("lichct.dispatch")

# Test hook for the crash tests: "after_claim:/path" or "after_send:/path" makes the
# dispatcher write the file at that point and then wait to be killed.
TEST_HOOK_ENV = "LICHCT_DISPATCH_TEST_HOOK"
# Kinds whose time of day matters to the reader; others ignore quiet hours ("nudge").
_QUIET_EXEMPT = ("nudge",)
# A batch's results that the database refuses are written again this many times in all,
# WRITE_PAUSE, 2 * WRITE_PAUSE... seconds apart, before the pass gives up (the rows then
# keep their lease and are claimed again once it runs out).
WRITE_TRIES = 3
WRITE_PAUSE = 1.0
# Seconds after which batches still going out let the next batch start (``dispatch_all``).
OVERLAP_AFTER = 0.5


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
    # Put back by the channel's own pacing (a busy chat), not an attempt.
    paced: int = 0

    def add(self, other: DispatchStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        """One line in Vietnamese for the CLI and the log."""
        return (
            f"đã gửi {self.sent}, thử lại sau {self.retried}, thất bại {self.failed}, "
            f"hoãn (giờ yên tĩnh) {self.deferred}, bỏ {self.cancelled}, gộp {self.folded}"
            + (f", giãn nhịp gửi {self.paced}" if self.paced else "")
        )


def _test_hook(point: str) -> None:
    spec = os.environ.get(TEST_HOOK_ENV, "")
    where, _, path = spec.partition(":")
    if where != point:
        return
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    while True:  # wait for SIGKILL
        signal.pause()


def _prepare(
    session: Session, claimed: list[tuple[int, datetime]], ctx: Render, stats: DispatchStats
) -> list[Job]:
    """Triage and render a claimed batch inside the claim transaction."""
    if not claimed:
        return []
    leases = dict(claimed)
    rows = list(
        session.scalars(
            select(Reminder)
            .where(Reminder.id.in_(list(leases)))
            .options(
                # Many-to-one: joined in the same query (a second query per batch cost more).
                joinedload(Reminder.officer),
                joinedload(Reminder.body),
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
    newest = triage.newest_due(session, rows, ctx.now)
    quiet = ctx.policies.in_quiet_hours(ctx.now, ctx.tz)
    folded: dict[tuple[int, str], list[Reminder]] = defaultdict(list)
    jobs: list[Job] = []
    for row in rows:
        reason = triage.pointless(ctx, row, newest)
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
        recipient = rendering.recipient(row, units)
        message = rendering.render(ctx, row)
        if message is None or recipient is None:
            outbox.cancel(session, row.id, ctx.now, "không còn gì để gửi")
            stats.cancelled += 1
            continue
        jobs.append(
            Job(
                rid=row.id,
                lease=leases[row.id],
                channel=row.channel,
                attempts=row.attempts,
                recipient=recipient,
                message=message,
                what=message.subject,
                is_alert=row.kind == "alert",
                error=rendering.address_error(recipient, row.channel),
                kind=row.kind,
            )
        )
    triage.fold(session, folded, ctx)
    return triage.merge(jobs, ctx.policies.merge_at)


def _alert_admins(session: Session, job: Job, now: datetime, error: str) -> None:
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
        for channel in usable_channels(admin)
    ]
    if not rows:
        log.error("%s (không có quản trị viên nào để báo): %s", subject, error)
        return
    outbox.enqueue(session, rows)


def _record_batch(
    db: Database,
    results: list[tuple[Job, str | BaseException]],
    now: datetime,
    policies: Policies,
    rng: random.Random,
) -> DispatchStats:
    """Write the results of many deliveries in one short transaction."""
    stats = DispatchStats()
    with db.unit_of_work() as session:
        delivered = [
            (rid, job.lease, outcome or None)
            for job, outcome in results
            if not isinstance(outcome, BaseException)
            for rid in job.rids
        ]
        if delivered:
            owned = outbox.mark_sent_many(session, delivered, now)
            stats.sent += len(owned)
            stats.lost += len(delivered) - len(owned)
        for job, outcome in results:
            if isinstance(outcome, BaseException):
                _record_in(session, job, outcome, now, policies, rng, stats)
    return stats


def _record_in(
    session: Session,
    job: Job,
    outcome: BaseException,
    now: datetime,
    policies: Policies,
    rng: random.Random,
    stats: DispatchStats,
) -> None:
    """Record a failed or deferred send on every row of ``job`` (within ``session``)."""
    if isinstance(outcome, Deferred):
        at = now + timedelta(seconds=outcome.retry_after or 0)
        for rid in job.rids:
            if outbox.mark_deferred(session, rid, job.lease, now, at, str(outcome)):
                stats.paced += 1
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
    public_url: str | None = None,
    limits: dict[str, asyncio.Semaphore] | None = None,
    claimed: asyncio.Event | None = None,
    extra: Mapping[str, Any] | None = None,
) -> DispatchStats:
    """Send one batch of due reminders; returns what happened (``claimed`` 0: nothing due).

    ``limits`` are the per-channel pools of concurrent sends (shared by the lanes of
    :func:`dispatch_all`); ``claimed`` is set once this batch is claimed and going out.
    """
    if policies is None or tz is None:
        policies, tz = current()
    rng = rng or random.Random()
    assert policies is not None and tz is not None

    def claim_batch() -> tuple[DispatchStats, list[Job]]:
        found = DispatchStats()
        with db.unit_of_work() as session:
            claimed = outbox.claim(session, now, batch_size, policies.lease)
            found.claimed = len(claimed)
            ctx = Render(session, now, tz, policies, public_url=public_url, extra=extra or {})
            return found, _prepare(session, claimed, ctx, found)

    # Database work runs in a thread: the bot and the HTTP feeds share this event loop.
    stats, jobs = await asyncio.to_thread(claim_batch)
    if not jobs:
        if claimed is not None:
            claimed.set()
        return stats
    _test_hook("after_claim")
    if claimed is not None:
        claimed.set()
    if limits is None:
        limits = channel_limits(policies)
    finished: list[tuple[Job, str | BaseException]] = []
    arrived = asyncio.Event()

    async def attempt(job: Job) -> str | BaseException:
        notifier = notifiers.get(job.channel)
        if job.error is not None:
            return DeliveryError(job.error, permanent=True)
        if notifier is None:
            return DeliveryError(f"kênh {job.channel} chưa được cấu hình", permanent=True)
        try:
            if getattr(notifier, "paced", False):
                delivery = await notifier.send(job.recipient, job.message)
            else:
                async with limits[job.channel]:
                    delivery = await notifier.send(job.recipient, job.message)
            return delivery.external_id or ""
        except DeliveryError as exc:
            return exc
        except Exception as exc:  # a bug in a channel is a transient failure
            log.exception("Lỗi khi gửi lời nhắc #%s", job.rid)
            return exc

    async def deliver(job: Job) -> None:
        finished.append((job, await attempt(job)))
        _test_hook("after_send")
        arrived.set()

    async def record() -> None:
        # One writer per batch: each write takes every result that arrived while the
        # previous one was being written (one transaction for them all). A write the
        # database refuses is tried again, with whatever arrived meanwhile: the rows keep
        # their lease until then, so nothing is sent twice for a short outage.
        recorded = failures = 0
        while recorded < len(jobs):
            await arrived.wait()
            arrived.clear()
            batch = finished[:]
            try:
                stats.add(await asyncio.to_thread(_record_batch, db, batch, now, policies, rng))
            except Exception as exc:
                failures += 1
                if failures >= WRITE_TRIES:
                    raise
                log.warning("Chưa ghi được kết quả gửi (lần %s), sẽ thử lại: %s", failures, exc)
                await asyncio.sleep(WRITE_PAUSE * failures)
                arrived.set()
                continue
            failures = 0
            del finished[: len(batch)]
            recorded += len(batch)
            if finished:
                arrived.set()

    await asyncio.gather(record(), *(deliver(job) for job in jobs))
    if worker_id:
        log.debug("[%s] %s", worker_id, stats.line())
    return stats


def channel_limits(policies: Policies) -> dict[str, asyncio.Semaphore]:
    """One pool of concurrent sends per unpaced channel: email never waits for Telegram."""
    return defaultdict(lambda: asyncio.Semaphore(policies.concurrency))


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
    public_url: str | None = None,
    lanes: int = 2,
    overlap_after: float = OVERLAP_AFTER,
    extra: Mapping[str, Any] | None = None,
) -> DispatchStats:
    """Dispatch batches until nothing is due at ``now`` (``lichct dispatch --once``).

    Up to ``lanes`` batches are in flight at once. The next batch is claimed when one
    finishes, or when none has finished ``overlap_after`` seconds after the last was
    claimed: the channels are then slower than the database (Telegram's pacer spacing a
    batch's messages to one chat), and a second batch keeps them busy through the first
    one's tail. A batch that goes out at once has no tail: its next claim waits for it, so
    one worker does not hold two claims in the database for nothing, and workers that share
    the outbox do not compete for it twice each.
    """
    if policies is None or tz is None:
        policies, tz = current()
    total = DispatchStats()
    limits = channel_limits(policies)
    running: set[asyncio.Task[DispatchStats]] = set()
    budget, drained = max_batches, False

    async def start() -> None:
        nonlocal budget
        budget -= 1
        claimed = asyncio.Event()
        task = asyncio.create_task(
            dispatch_due(
                db,
                notifiers,
                now,
                batch_size,
                worker_id,
                policies=policies,
                tz=tz,
                limits=limits,
                public_url=public_url,
                extra=extra,
                claimed=claimed,
            )
        )
        running.add(task)
        # The next claim never runs alongside this one: it waits until this batch has
        # its rows (or ended).
        waiting = asyncio.ensure_future(claimed.wait())
        await asyncio.wait((waiting, task), return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()

    try:
        while running or (not drained and budget > 0):
            room = not drained and budget > 0 and len(running) < max(1, lanes)
            if room and not running:
                await start()
                continue
            done, _ = await asyncio.wait(
                running,
                timeout=overlap_after if room else None,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done:
                await start()  # the batches in flight are slow to go out
                continue
            for task in done:
                running.discard(task)
                stats = task.result()
                total.add(stats)
                if stats.claimed == 0:
                    drained = True  # nothing due now; the batches in flight finish
    finally:
        if running:
            # A failure (the database went away) ends the pass once the sends already
            # under way are done and recorded as far as possible.
            await asyncio.wait(running)
            for task in running:
                if not task.cancelled() and task.exception() is None:
                    total.add(task.result())
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
