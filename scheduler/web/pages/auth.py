"""Sign in (password or one-time link) and sign out."""

from __future__ import annotations

from starlette.responses import Response

from scheduler import services
from scheduler.errors import LichctError
from scheduler.services import web_access
from scheduler.web.framework import (
    SESSION_COOKIE,
    Page,
    client_address,
    error_page,
    page,
    set_session_cookie,
)


def _safe_next(target: str) -> str:
    """Only a path on this site: never another host (an open redirect)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _signed_in(p: Page, officer: services.Officer, target: str) -> Response:
    signed = web_access.start_session(p.db, officer, p.now)
    response = p.redirect(_safe_next(target))
    set_session_cookie(response, p.ctx, signed.cookie)
    return response


@page("/dang-nhap", methods=("GET",), role="public")
def login_form(p: Page) -> Response:
    if p.viewer is not None and not p.item_only:
        return p.redirect(_safe_next(p.query("next", "/")))
    return p.render("login.html", next=_safe_next(p.query("next", "/")), error=None, name="")


@page("/dang-nhap", methods=("POST",), role="public")
def login_submit(p: Page) -> Response:
    name = p.form.get("name", "").strip()
    target = _safe_next(p.form.get("next", "/"))
    try:
        officer: services.Officer | None = services.resolve_officer(p.db, name) if name else None
    except LichctError:
        officer = None
    try:
        ok = web_access.check_password(
            p.db, officer, p.form.get("password", ""), client_address(p.request), p.now
        )
    except web_access.TooManyAttempts as exc:
        return p.render("login.html", status=429, next=target, error=str(exc), name=name)
    if not ok or officer is None:
        # The failure is recorded: this unit of work must commit, so no exception here.
        return p.render(
            "login.html",
            status=401,
            next=target,
            error="Tên hoặc mật khẩu không đúng.",
            name=name,
        )
    return _signed_in(p, officer, target)


@page("/dang-nhap/{token}", methods=("GET",), role="public")
def login_link(p: Page) -> Response:
    # A link scanner may fetch this address: the page only offers a button, the POST uses it.
    return p.render("login_link.html", token=p.request.path_params["token"])


@page("/dang-nhap/{token}", methods=("POST",), role="public")
def login_link_use(p: Page) -> Response:
    officer = web_access.redeem_login_link(p.db, p.request.path_params["token"], p.now)
    if officer is None:
        return error_page(
            403,
            "Liên kết đăng nhập đã được dùng hoặc đã hết hạn (15 phút). "
            "Hãy xin liên kết mới (/dangnhap trên Telegram) hoặc đăng nhập bằng mật khẩu.",
        )
    return _signed_in(p, officer, "/")


@page("/dang-xuat", methods=("GET",), role="public")
def logout_form(p: Page) -> Response:
    return p.render("logout.html")


@page("/dang-xuat", methods=("POST",), role="public")
def logout(p: Page) -> Response:
    if p.web_session is not None:
        web_access.end_session(p.db, p.web_session, p.now)
    response = p.redirect("/dang-nhap")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
