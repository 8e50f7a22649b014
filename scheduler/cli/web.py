"""Web sign-in commands: ``login-link`` (registered on import); ``officers set --password``
calls :func:`read_password` from ``scheduler.cli.core``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work
from scheduler.errors import InvalidInput


@app.command("login-link")
def login_link(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
) -> None:
    """Liên kết đăng nhập trang web một lần, dùng trong 15 phút."""
    from scheduler.services import web_access

    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        url = web_access.issue_login_link(session, who, ctx.settings.public_url, ctx.clock.now())
    typer.echo(url)


def read_password() -> str:
    """Prompt twice on a terminal; otherwise read the first line of standard input."""
    if sys.stdin.isatty():
        first = typer.prompt("Mật khẩu mới", hide_input=True)
        second = typer.prompt("Nhập lại", hide_input=True)
        if first != second:
            raise InvalidInput("Hai lần nhập mật khẩu không khớp")
        return str(first)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidInput("Không đọc được mật khẩu từ đầu vào chuẩn")
    return line
