"""The service's ticks: APScheduler only drives them; planning, digests and dispatch run
from the rows, with a heartbeat that tells how long the service was down."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from notifiers.log import LogNotifier
from scheduler.clock import FixedClock
from scheduler.context import AppContext
from scheduler.reminders import jobs, planner
from scheduler.reminders.channels import build_notifiers
from scheduler.store.models import ServiceState
from tests.support_reminders import TZ, event, local, officer, rows


def run_job(scheduler: AsyncIOScheduler, job_id: str) -> None:
    job = scheduler.get_job(job_id)
    assert job is not None
    asyncio.run(job.func())


def test_configure_registers_dispatch_planning_and_start_ticks(ctx: AppContext) -> None:
    scheduler = AsyncIOScheduler(timezone=TZ)
    jobs.configure(scheduler, ctx)
    assert {j.id for j in scheduler.get_jobs()} == {
        "lichct-start",
        "lichct-dispatch",
        "lichct-plan-night",
        "lichct-plan-morning",
    }
    assert scheduler.get_job("lichct-dispatch").trigger.interval == timedelta(seconds=30)  # type: ignore[union-attr]


def test_without_token_or_smtp_the_channels_only_log(ctx: AppContext) -> None:
    notifiers = build_notifiers(ctx)
    assert set(notifiers) == {"telegram", "email"}
    assert all(isinstance(n, LogNotifier) for n in notifiers.values())


def test_the_start_tick_plans_sends_and_records_a_heartbeat(
    ctx: AppContext, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    with ctx.db.unit_of_work() as s:
        who = officer(s, "Nguyễn Thị Lan", clock.now(), chat=101)
        event(s, "Báo cáo tuần", date(2024, 5, 21), clock.now(), assignees=[who])
        s.add(
            ServiceState(
                key=jobs.HEARTBEAT_KEY,
                value=local(2024, 5, 19, 8).isoformat(),
                updated_at=clock.now(),
            )
        )
    clock.set(local(2024, 5, 21, 7, 35))
    scheduler = AsyncIOScheduler(timezone=TZ)
    jobs.configure(scheduler, ctx)
    with caplog.at_level(logging.INFO):
        run_job(scheduler, "lichct-start")
    assert "Dịch vụ đã ngừng từ 19/05/2024 08:00 (1 ngày 23 giờ 35 phút)" in caplog.text
    assert "sẽ gửi tới Nguyễn Thị Lan: ☀️ Việc hôm nay, Thứ Ba, 21/05/2024" in caplog.text
    assert "sẽ gửi tới Nguyễn Thị Lan: ⏰ Hôm nay đến hạn · Báo cáo tuần" in caplog.text
    with ctx.db.unit_of_work() as s:
        beat = jobs.read_state(s, jobs.HEARTBEAT_KEY)
        assert beat == clock.now()
        assert {r.state for r in rows(s) if r.next_attempt_at <= clock.now()} == {"sent"}


def test_a_dispatch_tick_is_a_no_op_when_nothing_is_due(ctx: AppContext, clock: FixedClock) -> None:
    scheduler = AsyncIOScheduler(timezone=TZ)
    jobs.configure(scheduler, ctx)
    run_job(scheduler, "lichct-dispatch")
    clock.advance(timedelta(seconds=30))
    run_job(scheduler, "lichct-dispatch")
    with ctx.db.unit_of_work() as s:
        assert jobs.read_state(s, jobs.HEARTBEAT_KEY) == clock.now()
        assert rows(s) == []


def test_planning_runs_once_a_day_for_cron_dispatch(ctx: AppContext, clock: FixedClock) -> None:
    planner.configure(planner.load_policies(), TZ)
    assert jobs.needs_planning(ctx, clock.now())
    jobs.run_daily_planning(ctx, clock.now())
    assert not jobs.needs_planning(ctx, clock.now() + timedelta(hours=3))
    assert jobs.needs_planning(ctx, clock.now() + timedelta(days=1))
