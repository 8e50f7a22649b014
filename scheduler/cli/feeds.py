"""Feed commands: ``feed-url``, ``feed-reset`` and ``ics`` (registered on import)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work
from scheduler.config import Settings

if TYPE_CHECKING:
    from scheduler.store.models import Officer


def _print_links(settings: Settings, officer: Officer, token: str) -> None:
    from scheduler.feeds.tokens import feed_links

    links = feed_links(settings.public_url, token)
    typer.echo(
        f"Địa chỉ lịch riêng của {officer.name} (giữ bí mật: ai có địa chỉ này đều xem được):"
    )
    typer.echo(f"  {links.https}")
    typer.echo(f"  {links.webcal}")
    typer.echo(
        "Outlook: Thêm lịch → Đăng ký từ web; Google Calendar: Lịch khác → Từ URL "
        "(dán địa chỉ https). Ứng dụng lịch tự cập nhật khoảng mỗi giờ."
    )
    if not links.https.startswith("https://"):
        typer.echo(
            "Lưu ý: LICHCT_PUBLIC_URL chưa phải https; Google Calendar và Outlook cần một "
            "địa chỉ https truy cập được từ Internet."
        )


@app.command("feed-url")
def feed_url(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
) -> None:
    """Địa chỉ lịch ICS riêng của một cán bộ (cấp ở lần gọi đầu tiên)."""
    from scheduler.feeds.tokens import active_token, issue_token, public_links

    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        existing = active_token(session, who)
        token = None if existing else issue_token(session, who, ctx.clock.now())
        issued_at = existing.created_at if existing else None
        public = public_links(ctx.settings.public_url)
    if token is not None:
        _print_links(ctx.settings, who, token)
        typer.echo(f"Lịch ngày lễ công khai (không cần mã): {public.https}")
        return
    assert issued_at is not None
    when = issued_at.astimezone(ctx.tz).strftime("%H:%M %d/%m/%Y")
    typer.echo(
        f"{who.name} đã có địa chỉ lịch riêng (cấp lúc {when}). Hệ thống chỉ lưu mã băm của "
        "địa chỉ nên không thể hiện lại địa chỉ cũ.\n"
        f"Nếu địa chỉ đã bị mất hoặc lộ, chạy: lichct feed-reset {who.id} "
        "(cấp địa chỉ mới, địa chỉ cũ ngừng hoạt động ngay).",
        err=True,
    )
    raise typer.Exit(1)


@app.command("feed-reset")
def feed_reset(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
) -> None:
    """Cấp địa chỉ lịch mới cho cán bộ; địa chỉ cũ ngừng hoạt động ngay."""
    from scheduler.feeds.tokens import active_token, issue_token

    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        had_one = active_token(session, who) is not None
        token = issue_token(session, who, ctx.clock.now())
    if had_one:
        typer.echo("Đã thu hồi địa chỉ cũ.")
    _print_links(ctx.settings, who, token)


@app.command("ics")
def ics(
    officer: Annotated[
        str | None,
        typer.Option("--officer", help="Lịch riêng của cán bộ này (mã hoặc tên)."),
    ] = None,
    observances: Annotated[
        bool, typer.Option("--observances", help="Chỉ các ngày lễ (như lịch công khai).")
    ] = False,
) -> None:
    """Ghi lịch ICS ra đầu ra chuẩn: của một cán bộ, chỉ ngày lễ, hoặc (mặc định) toàn Ban."""
    from scheduler.feeds.rendering import render_feed
    from scheduler.feeds.scopes import FeedScope

    if officer and observances:
        raise typer.BadParameter("Chọn --officer hoặc --observances, không dùng cả hai.")
    with unit_of_work() as (ctx, session):
        if officer:
            scope = FeedScope.officer(services.resolve_officer(session, officer))
        elif observances:
            scope = FeedScope("observances")
        else:
            scope = FeedScope("office")
        body = render_feed(session, scope, ctx.clock.now(), ctx.tz)
    # The feed is already UTF-8 bytes with CRLF line ends: write them untouched.
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
