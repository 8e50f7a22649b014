"""APScheduler wiring: ticks that drive the outbox dispatcher, the planner and the digests.

The scheduler only says "now is a good time"; the outbox rows are the truth, so a missed or
doubled tick changes nothing. Every tick records a heartbeat in ``service_state`` so a
restart can tell how long the service was down.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from scheduler.context import AppContext
from scheduler.reminders import (
    digests,
    dispatcher,
    inbound_rules,
    planner,
    report_send,
    visit_rules,
)
from scheduler.reminders.channels import build_notifiers
from scheduler.reminders.policies import load_policies
from scheduler.store.models import ServiceState

if TYPE_CHECKING:  # APScheduler loads only in ``serve``.
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("lichct.jobs")

HEARTBEAT_KEY = "dispatcher.heartbeat"
PLANNED_KEY = planner.PLANNED_KEY
DISPATCH_SECONDS = 30
# A heartbeat older than this at start means the service was down.
DOWNTIME_AFTER = timedelta(minutes=5)


def read_state(session: Session, key: str) -> datetime | None:
    """An instant kept in ``service_state`` (None when never written)."""
    row = session.get(ServiceState, key)
    if row is None:
        return None
    try:
        return datetime.fromisoformat(row.value)
    except ValueError:
        return None


def write_state(session: Session, key: str, at: datetime) -> datetime | None:
    """Store ``at`` under ``key``; return the previous value."""
    row = session.get(ServiceState, key)
    previous = read_state(session, key)
    if row is None:
        session.add(ServiceState(key=key, value=at.isoformat(), updated_at=at))
    else:
        row.value = at.isoformat()
        row.updated_at = at
    session.flush()
    return previous


def run_daily_planning(ctx: AppContext, now: datetime) -> str:
    """Re-sync the outbox with the store, queue today's digests and visit nudges."""
    inbound_policy = inbound_rules.load_inbound_policy(ctx.settings.extra)
    send_policy = report_send.load_report_send_policy(ctx.settings.extra)
    with ctx.db.unit_of_work() as session:
        stats = planner.plan_all(session, now)
        queued = digests.plan_digests(session, now)
        visits = visit_rules.plan_visit_reminders(session, now)
        requests = inbound_rules.plan_inbound_reminders(session, now, ctx.tz, inbound_policy)
        drafts = report_send.plan_report_sends(session, now, ctx.tz, send_policy)
        write_state(session, PLANNED_KEY, now)
    summary = (
        f"Lập lịch nhắc: {stats.events} việc, {stats.changed} thay đổi, "
        f"{stats.cancelled_closed} nhắc của việc đã đóng bị hủy, {queued} bản tin"
        + (f", {visits} nhắc đi cơ sở" if visits else "")
        + (f", {requests} đề nghị gửi báo cáo" if requests else "")
        + (f", {drafts} thư gửi dự thảo báo cáo tháng" if drafts else "")
    )
    log.info(summary)
    return summary


def needs_planning(ctx: AppContext, now: datetime) -> bool:
    """True when the planner has not run today (local) or was asked to (``planner.invalidate``)."""
    with ctx.db.unit_of_work() as session:
        last = read_state(session, PLANNED_KEY)
    return last is None or last.astimezone(ctx.tz).date() != now.astimezone(ctx.tz).date()


def note_start(ctx: AppContext, now: datetime) -> None:
    """Log how long the service was down (from the last heartbeat)."""
    with ctx.db.unit_of_work() as session:
        last = write_state(session, HEARTBEAT_KEY, now)
    if last is not None and now - last > DOWNTIME_AFTER:
        local = last.astimezone(ctx.tz)
        log.warning(
            "Dịch vụ đã ngừng từ %s (%s): nhắc việc bị lỡ còn ý nghĩa sẽ được gửi một lần, "
            "nhắc đã mất ý nghĩa được gộp thành một tin tóm tắt",
            local.strftime("%d/%m/%Y %H:%M"),
            _span(now - last),
        )


def _span(delta: timedelta) -> str:
    """A duration in Vietnamese words: 3 ngày 23 giờ 58 phút."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} ngày"] if days else []
    parts += [f"{hours} giờ"] if hours else []
    parts.append(f"{mins} phút")
    return " ".join(parts)


def _stops_quietly(
    job: Callable[[], Coroutine[Any, Any, None]],
) -> Callable[[], Coroutine[Any, Any, None]]:
    """A job cut short by the service stopping ends with one line, not a traceback.

    Its work is transactional: whatever it had not committed is done again by the next tick.
    """

    @functools.wraps(job)
    async def run() -> None:
        try:
            await job()
        except asyncio.CancelledError:
            log.info("Dịch vụ dừng giữa lúc chạy %s: lần chạy sau sẽ làm tiếp", job.__name__)

    return run


# How long a stopping service waits for a dispatch in flight to record its results.
DRAIN_SECONDS = 30.0


def configure(
    scheduler: AsyncIOScheduler, ctx: AppContext
) -> Callable[[], Coroutine[Any, Any, None]]:
    """Register the periodic jobs of the service on ``scheduler``.

    Returns ``drain``: awaited at shutdown (after the scheduler stopped), it waits until a
    dispatch in flight has recorded what it sent, so that a stop leaves no row half-sent.
    """
    policies = load_policies(ctx.settings.extra)
    inbound_rules.load_inbound_policy(ctx.settings.extra)  # a broken [inbound] stops the start
    report_send.load_report_send_policy(ctx.settings.extra)  # and so does a broken [report.send]
    notifiers = build_notifiers(ctx)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    busy = asyncio.Lock()

    stopping = asyncio.Event()

    async def dispatch_tick() -> None:
        if busy.locked() or stopping.is_set():
            return
        async with busy:
            now = ctx.clock.now()
            with ctx.db.unit_of_work() as session:
                write_state(session, HEARTBEAT_KEY, now)
            if await asyncio.to_thread(needs_planning, ctx, now):
                await asyncio.to_thread(run_daily_planning, ctx, now)
            stats = await dispatcher.dispatch_all(
                ctx.db,
                notifiers,
                now,
                worker_id=worker,
                policies=policies,
                tz=ctx.tz,
                max_batches=50,
                public_url=ctx.settings.public_url if ctx.settings.public_url_set else None,
                extra=ctx.settings.extra,
            )
            if stats.claimed:
                log.info("Gửi nhắc việc: %s", stats.line())

    async def planning_tick() -> None:
        await asyncio.to_thread(run_daily_planning, ctx, ctx.clock.now())

    async def start_tick() -> None:
        note_start(ctx, ctx.clock.now())
        await planning_tick()
        await dispatch_tick()

    digest_minus = (
        datetime.combine(datetime(2000, 1, 1), policies.digest_time) - timedelta(minutes=15)
    ).time()
    scheduler.add_job(_stops_quietly(start_tick), id="lichct-start", replace_existing=True)
    scheduler.add_job(
        _stops_quietly(dispatch_tick),
        "interval",
        seconds=DISPATCH_SECONDS,
        id="lichct-dispatch",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    for name, at in (
        ("lichct-plan-night", datetime(2000, 1, 1, 0, 5).time()),
        ("lichct-plan-morning", digest_minus),
    ):
        scheduler.add_job(
            _stops_quietly(planning_tick),
            "cron",
            hour=at.hour,
            minute=at.minute,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
            replace_existing=True,
        )

    async def drain() -> None:
        stopping.set()
        try:
            async with asyncio.timeout(DRAIN_SECONDS), busy:
                pass
        except TimeoutError:
            log.warning(
                "Dừng khi còn nhắc việc đang gửi; chúng sẽ được gửi lại sau khi hết hạn giữ"
            )

    return drain
