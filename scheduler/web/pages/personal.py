"""``/ca-nhan``: my feed (reset, QR code, add links), Telegram status, channels, password."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from scheduler.errors import InvalidInput
from scheduler.feeds.tokens import active_token, feed_links, issue_token
from scheduler.services import web_access
from scheduler.web.framework import Page, nav, page, set_session_cookie

nav("Cá nhân", "/ca-nhan", order=90)

MESSAGES = {"password": "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."}


def _qr_svg(data: str) -> str:
    import segno

    return str(segno.make(data, error="m").svg_data_uri(scale=4, border=2))


def _render(p: Page, *, new_feed: str | None = None, error: str | None = None) -> Response:
    me = p.me
    token_row = active_token(p.db, me)
    extra: dict[str, object] = {}
    if new_feed is not None:
        links = feed_links(p.ctx.settings.public_url, new_feed)
        extra = {
            "feed": links,
            "qr": _qr_svg(links.webcal),
            "google": "https://calendar.google.com/calendar/render?cid="
            + quote(links.webcal, safe=""),
            "outlook": "https://outlook.office.com/calendar/0/addfromweb?url="
            + quote(links.https, safe="")
            + "&name="
            + quote("Lịch công tác", safe=""),
        }
    return p.render(
        "personal.html",
        status=400 if error else 200,
        title="Cá nhân",
        token_row=token_row,
        has_password=web_access.has_password(p.db, me),
        error=error,
        done=MESSAGES.get(p.query("ok")),
        **extra,
    )


@page("/ca-nhan")
def personal(p: Page) -> Response:
    return _render(p)


@page("/ca-nhan/lich-moi", methods=("POST",))
def reset_feed(p: Page) -> Response:
    # The new address is shown on this response only: the store keeps just its hash.
    token = issue_token(p.db, p.me, p.now)
    return _render(p, new_feed=token)


@page("/ca-nhan/mat-khau", methods=("POST",))
def change_password(p: Page) -> Response:
    me = p.me
    new, again = p.form.get("new", ""), p.form.get("again", "")
    if web_access.has_password(p.db, me) and not web_access.check_password(
        p.db, me, p.form.get("current", ""), f"officer:{me.id}", p.now
    ):
        return _render(p, error="Mật khẩu hiện tại không đúng.")
    if new != again:
        return _render(p, error="Hai lần nhập mật khẩu mới không khớp.")
    try:
        web_access.set_password(p.db, me, new, p.now)
    except InvalidInput as exc:
        return _render(p, error=str(exc))
    # Every session ended with the change; this browser gets a fresh one.
    signed = web_access.start_session(p.db, me, p.now)
    response = p.redirect("/ca-nhan?ok=password")
    set_session_cookie(response, p.ctx, signed.cookie)
    return response
