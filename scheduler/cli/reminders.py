"""Reminder commands: ``lichct reminders``, ``lichct dispatch --once``, ``lichct remind ID``."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler import services
from scheduler.cli.app import app, open_context, unit_of_work
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit
from scheduler.clock import local_today
from scheduler.errors import InvalidInput

if TYPE_CHECKING:
    from scheduler.context import AppContext
    from scheduler.reminders import dispatcher
    from scheduler.store.models import Reminder

STATE_NAMES = {
    "pending": "chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "thất bại",
    "cancelled": "đã hủy",
}
KIND_NAMES = {
    "lead": "nhắc trước",
    "due": "đến hạn",
    "overdue": "quá hạn",
    "escalation": "báo lãnh đạo",
    "digest": "bản tin",
    "nudge": "lãnh đạo nhắc",
    "snooze": "nhắc lại",
    "summary": "tóm tắt",
    "alert": "cảnh báo",
    "visit": "đi cơ sở",
}


def reminder_to_dict(row: Reminder, tz: Any) -> dict[str, Any]:
    """The JSON shape of ``lichct reminders --format json`` (DESIGN.md)."""
    who = row.officer.name if row.officer is not None else None
    if who is None and row.unit_id is not None:
        who = f"đơn vị {row.unit_id}"
    return {
        "id": row.id,
        "event_id": row.event_id,
        "officer": who,
        "channel": row.channel,
        "due_at": row.due_at.astimezone(tz).isoformat(),
        "state": row.state,
    }


@app.command()
def reminders(
    date_from: Annotated[
        str | None, typer.Option("--from", help="Từ ngày (YYYY-MM-DD); mặc định hôm nay.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Đến ngày (YYYY-MM-DD).")] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Các lời nhắc: khi nào gửi, cho ai, qua kênh nào, việc nào, trạng thái."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from scheduler.store.models import Reminder

    start = services.parse_date(date_from, "ngày bắt đầu") if date_from else None
    end = services.parse_date(date_to, "ngày kết thúc") if date_to else None
    if start and end and end < start:
        raise InvalidInput(
            f"Ngày kết thúc {end.isoformat()} trước ngày bắt đầu {start.isoformat()}"
        )
    with unit_of_work() as (ctx, session):
        tz = ctx.tz
        start = start or local_today(ctx.clock, tz)
        query = (
            select(Reminder)
            .options(selectinload(Reminder.officer), selectinload(Reminder.event))
            .where(Reminder.due_at >= datetime.combine(start, time(0), tzinfo=tz))
            .order_by(Reminder.due_at, Reminder.id)
        )
        if end is not None:
            query = query.where(
                Reminder.due_at < datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
            )
        rows = list(session.scalars(query))
        records = [reminder_to_dict(r, tz) for r in rows]
        extra = {
            r.id: (
                KIND_NAMES.get(r.kind, r.kind),
                f"#{r.event_id} {r.event.title}" if r.event is not None else r.lead,
            )
            for r in rows
        }

    def row(r: dict[str, Any]) -> list[Any]:
        when = datetime.fromisoformat(str(r["due_at"]))
        kind, what = extra[int(r["id"])]
        return [
            r["id"],
            when.strftime("%d/%m/%Y %H:%M"),
            r["officer"] or "",
            r["channel"],
            kind,
            STATE_NAMES.get(str(r["state"]), r["state"]),
            what,
        ]

    emit(
        fmt,
        records,
        ["Mã", "Giờ gửi", "Người nhận", "Kênh", "Loại", "Trạng thái", "Việc"],
        row,
        empty="Không có lời nhắc nào trong khoảng này.",
    )


def _dispatch(ctx: AppContext) -> dispatcher.DispatchStats:
    import asyncio

    from scheduler.reminders import dispatcher
    from scheduler.reminders.channels import build_notifiers
    from scheduler.reminders.policies import current

    now = ctx.clock.now()
    policies, tz = current()
    return asyncio.run(
        dispatcher.dispatch_all(
            ctx.db,
            build_notifiers(ctx),
            now,
            worker_id="cli",
            policies=policies,
            tz=tz,
            public_url=ctx.settings.public_url if ctx.settings.public_url_set else None,
            extra=ctx.settings.extra,
        )
    )


@app.command()
def dispatch(
    once: Annotated[
        bool, typer.Option("--once", help="Gửi mọi lời nhắc đã đến giờ rồi thoát (dùng cho cron).")
    ] = False,
) -> None:
    """Gửi các lời nhắc đã đến giờ (lập lịch nhắc trước nếu hôm nay chưa lập)."""
    from scheduler.reminders import jobs

    if not once:
        raise InvalidInput("Hãy dùng 'lichct dispatch --once' (chạy liên tục: 'lichct serve')")
    ctx = open_context()
    try:
        now = ctx.clock.now()
        with ctx.db.unit_of_work() as session:
            jobs.write_state(session, jobs.HEARTBEAT_KEY, now)
        if jobs.needs_planning(ctx, now):
            typer.echo(jobs.run_daily_planning(ctx, now))
        stats = _dispatch(ctx)
    finally:
        ctx.db.dispose()
    typer.echo(f"Nhắc việc: {stats.line()}.")


@app.command()
def remind(event_id: Annotated[str, typer.Argument(metavar="ID", help="Mã việc (số).")]) -> None:
    """Nhắc ngay những người phụ trách một việc, qua các kênh của họ (kể cả giờ yên tĩnh)."""
    from scheduler.reminders import outbox

    with unit_of_work() as (ctx, session):
        rows = outbox.remind_now(session, event_id, ctx.clock.now())
        targets = sorted({f"{r.officer.name} ({r.channel})" for r in rows if r.officer is not None})
        eid = rows[0].event_id
    ctx = open_context()
    try:
        stats = _dispatch(ctx)
    finally:
        ctx.db.dispose()
    typer.echo(f"Đã nhắc việc #{eid} tới: {', '.join(targets)}")
    if stats.retried or stats.failed:
        typer.echo(f"Lưu ý: {stats.line()}.")
