"""Core commands: init, events, add, assign, done, undo, officers, serve."""

from __future__ import annotations

from typing import Annotated

import typer

from calendars.kinds import EVENT_KINDS
from scheduler import services
from scheduler.cli.app import (
    app,
    gc_for_long_run,
    open_context,
    read_connection,
    unit_of_work,
)
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit, vn_date
from scheduler.clock import local_today
from scheduler.store.vocabulary import OFFICER_ROLES

CHANNELS_HELP = "Kênh nhận nhắc việc: telegram, email hoặc telegram,email."
officers_app = typer.Typer(help="Cán bộ: thêm, sửa và xem danh sách.", no_args_is_help=True)
app.add_typer(officers_app, name="officers")


@app.command()
def init() -> None:
    """Tạo hoặc cập nhật cơ sở dữ liệu và nạp danh mục ngày lễ; chạy lại nhiều lần vẫn an toàn."""
    from scheduler.plans.seed import seed_database
    from scheduler.store.db import migrate

    ctx = open_context(check_schema=False)
    try:
        applied = migrate(ctx.db.engine)
        with ctx.db.unit_of_work() as session:
            summary = seed_database(session, ctx.clock.now(), ctx.tz)
    finally:
        ctx.db.dispose()
    state = "đã tạo/cập nhật" if applied else "đã ở phiên bản mới nhất"
    typer.echo(f"Cơ sở dữ liệu {state}: {ctx.db.engine.url.render_as_string(hide_password=True)}")
    if summary:
        typer.echo(summary)


@app.command()
def events(
    date_from: Annotated[str | None, typer.Option("--from", help="Từ ngày (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Đến ngày (YYYY-MM-DD).")] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", help="Chỉ việc của cán bộ này (mã hoặc tên).")
    ] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Danh sách việc đã lưu, theo ngày."""
    from scheduler.store import listing

    start = services.parse_date(date_from, "ngày bắt đầu") if date_from else None
    end = services.parse_date(date_to, "ngày kết thúc") if date_to else None
    with read_connection() as (ctx, connection):
        who = listing.find_officer(connection, officer) if officer else None
        today = local_today(ctx.clock, ctx.tz)
        records = listing.event_records(
            connection, today=today, tz=ctx.tz, start=start, end=end, officer=who
        )

    def row(r: dict[str, object]) -> list[object]:
        start, end = str(r["start"]), str(r["end"])
        when = vn_date(start) + (f" {start[11:16]}" if "T" in start else "")
        if end[:10] != start[:10]:
            when += "–" + vn_date(end)
        state = {"planned": "chưa xong", "done": "✅ xong", "cancelled": "đã hủy"}[str(r["status"])]
        if r["observance"] is not None and r["kind"] == "observance":
            state = "ngày lễ"
        if r["overdue"]:
            state = "⚠ quá hạn"
        return [f"#{r['id']}", when, vn_date(str(r["due"] or "")), r["kind"], state, r["title"]]

    emit(fmt, records, ["Mã", "Ngày", "Hạn", "Loại", "Trạng thái", "Nội dung"], row)


@app.command()
def add(
    title: Annotated[str, typer.Argument(help="Tên việc.")],
    on: Annotated[str, typer.Option("--date", help="Ngày (YYYY-MM-DD).")],
    end: Annotated[
        str | None, typer.Option("--end", help="Ngày kết thúc, tính cả ngày đó.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--time", help="Giờ bắt đầu (HH:MM, giờ Việt Nam).")
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help=f"Loại việc: {', '.join(EVENT_KINDS)}.")
    ] = "other",
    assign: Annotated[
        list[str] | None,
        typer.Option("--assign", help="Giao cho cán bộ (mã hoặc tên); lặp lại được."),
    ] = None,
) -> None:
    """Thêm một việc phát sinh ngoài kế hoạch."""
    start = services.parse_date(on, "ngày")
    finish = services.parse_date(end, "ngày kết thúc") if end else None
    start_time = services.parse_time(at) if at else None
    with unit_of_work() as (ctx, session):
        officers = [services.resolve_officer(session, ref) for ref in assign or []]
        event = services.add_event(
            session,
            title,
            start,
            ctx.clock.now(),
            ctx.tz,
            end=finish,
            at=start_time,
            kind=kind,
            assignees=officers,
        )
        event_id, names = event.id, ", ".join(o.name for o in officers)
    suffix = f" · giao cho {names}" if names else ""
    typer.echo(f"Đã thêm việc #{event_id}: {title}{suffix}")


@app.command("assign")
def assign_cmd(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="Mã việc.")],
    officers: Annotated[
        list[str], typer.Argument(metavar="OFFICER...", help="Cán bộ (mã hoặc tên).")
    ],
) -> None:
    """Giao một việc cho một hay nhiều cán bộ."""
    with unit_of_work() as (ctx, session):
        event = services.get_event(session, event_id)
        people = [services.resolve_officer(session, ref) for ref in officers]
        for officer in people:
            services.assign(session, event, ctx.clock.now(), officer=officer)
        eid, names = event.id, ", ".join(o.name for o in people)
    typer.echo(f"Đã giao việc #{eid} cho {names}")


@app.command()
def done(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="Mã việc (số).")],
    by: Annotated[
        str | None, typer.Option("--by", help="Cán bộ đã hoàn thành (mã hoặc tên).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú kèm theo.")] = None,
) -> None:
    """Xác nhận một việc đã hoàn thành."""
    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, by) if by else None
        result = services.mark_done(session, event_id, ctx.clock.now(), by=who, note=note)
        eid, title = result.event.id, result.event.title
    if result.already:
        typer.echo(f"Việc #{eid} đã được xác nhận hoàn thành từ trước: {title}")
    else:
        typer.echo(f"✅ Đã ghi nhận hoàn thành việc #{eid}: {title}")


@app.command()
def undo(event_id: Annotated[str, typer.Argument(metavar="ID", help="Mã việc (số).")]) -> None:
    """Hủy xác nhận hoàn thành của một việc."""
    with unit_of_work() as (ctx, session):
        event = services.undo_done(session, event_id, ctx.clock.now())
        eid, title = event.id, event.title
    typer.echo(f"Đã hủy xác nhận hoàn thành việc #{eid}: {title}")


@officers_app.command("add")
def officers_add(
    name: Annotated[str, typer.Argument(help="Họ và tên.")],
    email: Annotated[str | None, typer.Option("--email", help="Địa chỉ email.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Đơn vị (mã hoặc tên).")] = None,
    role: Annotated[
        str, typer.Option("--role", help=f"Vai trò: {', '.join(OFFICER_ROLES)}.")
    ] = "officer",
    channels: Annotated[
        str | None,
        typer.Option("--channels", help=CHANNELS_HELP),
    ] = None,
) -> None:
    """Thêm một cán bộ."""
    with unit_of_work() as (ctx, session):
        officer = services.add_officer(
            session, name, ctx.clock.now(), email=email, unit=unit, role=role, channels=channels
        )
        oid, oname = officer.id, officer.name
    typer.echo(f"Đã thêm cán bộ {oname} (mã {oid})")


@officers_app.command("set")
def officers_set(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
    email: Annotated[str | None, typer.Option("--email", help="Địa chỉ email mới.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Đơn vị (mã hoặc tên).")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help=f"Vai trò: {', '.join(OFFICER_ROLES)}.")
    ] = None,
    channels: Annotated[
        str | None,
        typer.Option("--channels", help=CHANNELS_HELP),
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Còn công tác hay đã nghỉ (không nhận nhắc)."),
    ] = None,
    password: Annotated[
        bool,
        typer.Option("--password", help="Đặt mật khẩu trang web (hỏi, hoặc đọc từ đầu vào chuẩn)."),
    ] = False,
) -> None:
    """Sửa thông tin một cán bộ: email, đơn vị, vai trò, kênh nhận nhắc việc, mật khẩu web."""
    from scheduler.cli.web import read_password

    secret = read_password() if password else None
    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        services.update_officer(
            session,
            who,
            email=email,
            unit=unit,
            role=role,
            channels=channels,
            active=active,
            now=ctx.clock.now(),
        )
        if secret is not None:  # a new password ends the open sessions
            from scheduler.services import web_access

            web_access.end_sessions(session, who, ctx.clock.now())
            web_access.set_password(session, who, secret, ctx.clock.now())
        record = services.officer_to_dict(who)
    typer.echo(
        f"Đã cập nhật {record['name']}: vai trò {record['role']}, "
        f"đơn vị {record['unit'] or 'chưa có'}, email {record['email'] or 'chưa có'}, "
        f"kênh {', '.join(record['channels'])}"
    )
    if secret is not None:
        typer.echo("Đã đặt mật khẩu trang web; các phiên đăng nhập cũ đã kết thúc.")


@officers_app.command("list")
def officers_list(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Danh sách cán bộ."""
    with unit_of_work() as (_ctx, session):
        records = [services.officer_to_dict(o) for o in services.list_officers(session)]
    emit(
        fmt,
        records,
        ["Mã", "Họ tên", "Vai trò", "Đơn vị", "Email", "Telegram"],
        lambda r: [
            r["id"],
            r["name"],
            r["role"],
            r["unit"] or "",
            r["email"] or "",
            "đã liên kết" if r["telegram_linked"] else "",
        ],
        empty="Chưa có cán bộ nào: thêm bằng 'lichct officers add'.",
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng HTTP.")] = 8080,
) -> None:
    """Chạy toàn bộ dịch vụ: lịch nhắc, gửi tin, lịch ICS qua HTTP và bot Telegram."""
    from scheduler.runtime import run_service

    ctx = open_context(check_schema=False)
    gc_for_long_run()
    run_service(ctx, host, port)
