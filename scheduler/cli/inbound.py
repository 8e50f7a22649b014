"""CLI for reports that come in: ``bodies`` (who owes reports) and ``inbound`` (what came)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit, vn_date
from scheduler.cli.reports import report_app, write_file
from scheduler.clock import local_today

bodies_app = typer.Typer(
    help="Đơn vị báo cáo: Mặt trận, đoàn thể, hội, Ban Dân vận cấp huyện gửi báo cáo về Ban.",
    no_args_is_help=True,
)
inbound_app = typer.Typer(
    help="Báo cáo các đơn vị gửi về: ghi nhận, tình hình.", no_args_is_help=True
)
app.add_typer(bodies_app, name="bodies")
app.add_typer(inbound_app, name="inbound")

BODY_ARG = typer.Argument(
    metavar="BODY", help="Đơn vị (tên, tên viết tắt hoặc mã; gõ không dấu được)."
)
KIND_HELP = "Loại: mttq, ctxh, hoi, bdv-huyen, dang-uy."
OWES_HELP = "Kỳ phải báo cáo: month, quarter, half, year (cách nhau bằng dấu phẩy)."
PERIOD_OPTION = typer.Option("--period", help="Kỳ báo cáo: YYYY-MM (hoặc 2024-Q2, 2024-H1, 2024).")


@bodies_app.command("add")
def bodies_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Tên đầy đủ của đơn vị.")],
    email: Annotated[
        list[str] | None, typer.Option("--email", help="Địa chỉ email (lặp lại được).")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help=KIND_HELP)] = "hoi",
    short_name: Annotated[str | None, typer.Option("--short-name", help="Tên viết tắt.")] = None,
    owes: Annotated[str, typer.Option("--owes", help=OWES_HELP)] = "month",
) -> None:
    """Thêm một đơn vị phải gửi báo cáo về Ban."""
    from scheduler.inbound import bodies as bodies_mod

    with unit_of_work() as (ctx, session):
        body = bodies_mod.add_body(
            session,
            name,
            ctx.clock.now(),
            short_name=short_name,
            kind=kind,
            emails=email or [],
            owes=[owes],
        )
        typer.echo(f"Đã thêm #{body.id} {body.name} ({bodies_mod.KIND_LABELS[body.kind]}).")


@bodies_app.command("set")
def bodies_set(
    body: Annotated[str, BODY_ARG],
    name: Annotated[str | None, typer.Option("--name", help="Tên mới.")] = None,
    short_name: Annotated[str | None, typer.Option("--short-name", help="Tên viết tắt.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=KIND_HELP)] = None,
    email: Annotated[
        list[str] | None,
        typer.Option("--email", help="Địa chỉ email (thay cả danh sách; lặp lại được)."),
    ] = None,
    no_email: Annotated[bool, typer.Option("--no-email", help="Xóa mọi địa chỉ email.")] = False,
    owes: Annotated[str | None, typer.Option("--owes", help=OWES_HELP)] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Còn theo dõi hay ngừng theo dõi đơn vị."),
    ] = None,
) -> None:
    """Sửa tên, loại, email, kỳ báo cáo của một đơn vị."""
    from scheduler.inbound import bodies as bodies_mod

    with unit_of_work() as (ctx, session):
        found = bodies_mod.resolve_body(session, body)
        emails = [] if no_email else email
        bodies_mod.set_body(
            session,
            found,
            ctx.clock.now(),
            name=name,
            short_name=short_name,
            kind=kind,
            emails=emails,
            owes=[owes] if owes is not None else None,
            active=active,
        )
        shown = ", ".join(found.emails) or "chưa có email"
        typer.echo(f"Đã cập nhật #{found.id} {found.name}: {shown}.")


@bodies_app.command("list")
def bodies_list(
    all_: Annotated[bool, typer.Option("--all", help="Cả đơn vị đã ngừng theo dõi.")] = False,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Danh sách đơn vị báo cáo."""
    from scheduler.inbound import bodies as bodies_mod

    with unit_of_work() as (_ctx, session):
        found = bodies_mod.list_bodies(session, include_inactive=all_)
        records = [bodies_mod.body_to_dict(b) for b in found]
        extra = {b.name: (b.id, ",".join(b.owes), b.active) for b in found}
    emit(
        fmt,
        records,
        ["Mã", "Đơn vị", "Loại", "Email", "Telegram", "Kỳ"],
        lambda r: [
            extra[r["name"]][0],
            r["name"] + ("" if extra[r["name"]][2] else " (ngừng)"),
            bodies_mod.KIND_LABELS.get(r["kind"], r["kind"]),
            ", ".join(r["emails"]) or "—",
            "có" if r["telegram_linked"] else "—",
            extra[r["name"]][1],
        ],
        empty="Chưa có đơn vị báo cáo nào: thêm bằng 'lichct bodies add TÊN --email ...'.",
    )


@bodies_app.command("remove")
def bodies_remove(body: Annotated[str, BODY_ARG]) -> None:
    """Xóa một đơn vị (đơn vị đã có báo cáo thì chỉ ngừng theo dõi, giữ lịch sử)."""
    from scheduler.inbound import bodies as bodies_mod

    with unit_of_work() as (ctx, session):
        found = bodies_mod.resolve_body(session, body)
        typer.echo(bodies_mod.remove_body(session, found, ctx.clock.now()))


@inbound_app.command("received")
def inbound_received(
    body: Annotated[str, BODY_ARG],
    period: Annotated[str, PERIOD_OPTION],
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày nhận (YYYY-MM-DD; mặc định hôm nay).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Tệp báo cáo nhận được (lưu kèm).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Cán bộ ghi nhận (mã hoặc tên).")] = None,
) -> None:
    """Ghi nhận một đơn vị đã gửi báo cáo của một kỳ."""
    from scheduler.inbound import bodies as bodies_mod
    from scheduler.inbound import receipts
    from scheduler.reminders.inbound_rules import load_inbound_policy

    wanted = receipts.period_arg(period)
    received_on = services.parse_date(on, "ngày nhận") if on else None
    with unit_of_work() as (ctx, session):
        policy = load_inbound_policy(ctx.settings.extra)
        found = bodies_mod.resolve_body(session, body)
        content = receipts.read_received_file(file, policy) if file is not None else None
        officer = services.resolve_officer(session, by) if by else None
        today = local_today(ctx.clock, ctx.tz)
        done = receipts.record_received(
            session,
            found,
            wanted,
            received_on or today,
            ctx.clock.now(),
            policy,
            today=today,
            officer=officer,
            note=note,
            file=content,
        )
        when = "đúng hạn" if done.late_days == 0 else f"trễ {done.late_days} ngày"
        verb = "Đã cập nhật" if done.updated else "Đã ghi nhận"
        typer.echo(
            f"{verb}: {found.name} gửi báo cáo {wanted.label} ngày "
            f"{vn_date(done.report.received_on.isoformat())} ({when}, hạn "
            f"{vn_date(done.due.isoformat())})."
            + (f" Đã hủy {done.cancelled} lời nhắc chưa gửi." if done.cancelled else "")
        )


@inbound_app.command("status")
def inbound_status(
    period: Annotated[str, PERIOD_OPTION],
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Tình hình gửi báo cáo của các đơn vị trong một kỳ."""
    from scheduler.inbound import receipts
    from scheduler.reminders.inbound_rules import load_inbound_policy

    wanted = receipts.period_arg(period)
    with unit_of_work() as (ctx, session):
        policy = load_inbound_policy(ctx.settings.extra)
        today = local_today(ctx.clock, ctx.tz)
        records = receipts.status(session, wanted, today, policy)
    emit(
        fmt,
        records,
        ["Đơn vị", "Hạn", "Ngày nhận", "Tình hình", "Tệp"],
        lambda r: [
            r["body"],
            vn_date(r["due"]),
            vn_date(r["received"]),
            receipts.state_words(r, today),
            r["file"] or "",
        ],
        empty=f"Không có đơn vị nào phải gửi báo cáo {wanted.label}.",
    )


@report_app.command("inbound")
def report_inbound(
    period: Annotated[str, typer.Argument(metavar="YYYY-MM", help="Kỳ báo cáo.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Tệp .docx (mặc định: thong-bao-bao-cao-YYYY-MM.docx)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày ghi trên thông báo (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Dự thảo thông báo tình hình thông tin báo cáo của các đơn vị (Word)."""
    from scheduler.inbound import receipts
    from scheduler.inbound.notice import inbound_notice_docx
    from scheduler.reminders.inbound_rules import load_inbound_policy
    from scheduler.reports import load_report_settings

    wanted = receipts.period_arg(period)
    report_date = services.parse_date(on, "ngày thông báo") if on else None
    with unit_of_work() as (ctx, session):
        data = inbound_notice_docx(
            session,
            wanted,
            today=local_today(ctx.clock, ctx.tz),
            policy=load_inbound_policy(ctx.settings.extra),
            settings=load_report_settings(ctx.settings.extra),
            report_date=report_date,
        )
    path = out or Path(f"thong-bao-bao-cao-{wanted.key}.docx")
    write_file(path, data)
    typer.echo(f"Đã ghi dự thảo thông báo tình hình báo cáo {wanted.label}: {path}")
