"""``lichct link-code``: a one-time code that links a Telegram chat to an officer or a unit."""

from __future__ import annotations

from typing import Annotated

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work


@app.command("link-code")
def link_code(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Liên kết nhóm Telegram của đơn vị này (mã hoặc tên) thay vì cá nhân."
        ),
    ] = None,
) -> None:
    """Cấp mã liên kết Telegram dùng một lần (hiệu lực 24 giờ): gửi cho bot /start MÃ."""
    from scheduler.services import linking

    with unit_of_work() as (ctx, session):
        person = services.resolve_officer(session, officer)
        group = services.find_unit(session, unit) if unit else None
        now = ctx.clock.now()
        code = linking.issue_link_code(
            session, now, officer=person, unit=group, secret=ctx.settings.secret_key
        )
        expires = (now + linking.CODE_TTL).astimezone(ctx.tz)
        name = person.name
        group_name = group.name if group else None
    until = f"{expires:%H:%M %d/%m/%Y}"
    if group_name:
        typer.echo(f"Mã liên kết nhóm Telegram của {group_name} (dùng một lần, đến {until}):")
        typer.echo(f"  {code}")
        typer.echo("Thêm bot vào nhóm của đơn vị, rồi gửi trong nhóm đúng dòng sau:")
    else:
        typer.echo(f"Mã liên kết Telegram cho {name} (dùng một lần, đến {until}):")
        typer.echo(f"  {code}")
        typer.echo("Nhắn riêng cho bot đúng dòng sau:")
    typer.echo(f"  /start {code}")
