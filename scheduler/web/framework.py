"""The small frame every page stands on: route registration with a role, sign-in, CSRF.

A page is a plain function ``(Page) -> Response`` registered with :func:`page`::

    @page("/viec/{id:int}", methods=("GET",), role="officer", item_scope=True)
    def item(p: Page) -> Response: ...

Before the function runs, the frame opens one unit of work, finds the viewer's session,
refuses a POST without the session's CSRF token (403, nothing changed), redirects a
signed-out visit to ``/dang-nhap?next=...`` and answers 403 to a viewer below ``role``.
A user error raised by a service becomes a page with its Vietnamese message, and the unit
of work is rolled back.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scheduler.clock import local_today
from scheduler.context import AppContext
from scheduler.errors import LichctError, NotFound, PermissionDenied
from scheduler.services import web_access
from scheduler.services.visibility import Visibility, sees_everything
from scheduler.store.models import Officer, WebSession
from scheduler.web import filters

SESSION_COOKIE = "lichct_session"
PRE_COOKIE = "lichct_pre"  # CSRF token of a signed-out browser (the sign-in form)
ROLES = ("public", "officer", "head", "admin")
TEMPLATES = Path(__file__).parent / "templates"

Handler = Callable[["Page"], Response]
# The largest file a page takes, read from the configuration at request time.
UploadLimit = Callable[[AppContext], int]


@dataclass(frozen=True)
class PageRoute:
    path: str
    handler: Handler
    methods: tuple[str, ...]
    role: str
    item_scope: bool
    # Largest file a POST may upload (bytes, or read from the configuration at request
    # time); 0: the page takes no files.
    upload: int | UploadLimit = 0

    def upload_limit(self, ctx: AppContext) -> int:
        return self.upload(ctx) if callable(self.upload) else self.upload


@dataclass(frozen=True)
class Upload:
    """A file sent with a form: its name as the browser gave it and its bytes (cut at the
    page's limit; ``size`` is the whole size, so the page can say it is too large)."""

    name: str
    data: bytes
    size: int


REGISTRY: list[PageRoute] = []


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    role: str
    order: int


NAV: list[NavItem] = []


def nav(label: str, href: str, *, role: str = "officer", order: int = 50) -> None:
    """Add a link to the top menu, shown to viewers whose role reaches ``role``."""
    NAV.append(NavItem(label, href, role, order))
    NAV.sort(key=lambda item: item.order)


def page(
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    role: str = "officer",
    item_scope: bool = False,
    upload: int | UploadLimit = 0,
) -> Callable[[Handler], Handler]:
    """Register a page. ``role``: public, officer (signed in), head, admin (or board head).

    ``item_scope`` lets a session opened by an item link (email) reach this page, for the
    item named by its ``id`` path parameter only. ``upload`` (bytes) lets a POST carry one
    file of at most that size (``Page.files``).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def register(handler: Handler) -> Handler:
        REGISTRY.append(PageRoute(path, handler, methods, role, item_scope, upload))
        return handler

    return register


def role_allows(viewer: Officer, role: str) -> bool:
    if role in ("public", "officer"):
        return True
    if role == "head":
        return viewer.role in ("head", "admin")
    return sees_everything(viewer)


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
filters.install(_env)


@dataclass
class Page:
    """One request as a page function sees it."""

    request: Request
    ctx: AppContext
    db: Session
    now: datetime
    viewer: Officer | None
    web_session: WebSession | None
    form: Mapping[str, str]
    csrf: str
    # Every value of a field sent more than once (checkboxes of one name).
    lists: Mapping[str, list[str]] = field(default_factory=dict)
    files: Mapping[str, Upload] = field(default_factory=dict)
    _visibility: Visibility | None = field(default=None, repr=False)

    @property
    def today(self) -> date:
        return local_today(self.ctx.clock, self.ctx.tz)

    @property
    def me(self) -> Officer:
        assert self.viewer is not None
        return self.viewer

    @property
    def visibility(self) -> Visibility:
        if self._visibility is None:
            self._visibility = Visibility(self.db, self.me)
        return self._visibility

    @property
    def item_only(self) -> bool:
        return self.web_session is not None and self.web_session.event_id is not None

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()

    def render(self, template: str, status: int = 200, **data: Any) -> HTMLResponse:
        body = _env.get_template(template).render(
            viewer=self.viewer,
            csrf=self.csrf,
            path=self.request.url.path,
            item_only=self.item_only,
            board=self.viewer is not None and sees_everything(self.viewer),
            nav_items=[n for n in NAV if self.viewer and role_allows(self.viewer, n.role)],
            today=self.today,
            tz=self.ctx.tz,
            **data,
        )
        return HTMLResponse(body, status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        """Post, redirect, get: a reload never repeats an action."""
        return RedirectResponse(url, status_code=303)


def error_page(status: int, message: str, viewer: Officer | str | None = None) -> HTMLResponse:
    """A page that says what went wrong; ``viewer`` is only shown by name."""
    if isinstance(viewer, Officer):
        viewer = viewer.name
    titles = {
        403: "Không có quyền",
        404: "Không tìm thấy",
        400: "Không thực hiện được",
        413: "Tệp quá lớn",
    }
    body = _env.get_template("error.html").render(
        viewer=SimpleNamespace(name=viewer) if viewer else None,
        csrf="",
        path="",
        item_only=True,
        board=False,
        nav_items=[],
        title=titles.get(status, "Lỗi"),
        message=message,
        status=status,
    )
    return HTMLResponse(body, status_code=status)


def secure_cookies(ctx: AppContext) -> bool:
    return ctx.settings.public_url.strip().lower().startswith("https://")


def set_session_cookie(response: Response, ctx: AppContext, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(web_access.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(ctx),
        path="/",
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _next_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/dang-nhap?next=" + quote(target, safe="")


def _item_id(request: Request) -> int | None:
    value = str(request.path_params.get("id", ""))
    return int(value) if value.isdigit() else None


@dataclass
class _Posted:
    form: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)


def _handle(ctx: AppContext, spec: PageRoute, request: Request, posted: _Posted) -> Response:
    form = posted.form
    viewer_for_errors: str | None = None
    new_pre: str | None = None
    try:
        with ctx.db.unit_of_work() as db:
            now = ctx.clock.now()
            ws = web_access.find_session(db, request.cookies.get(SESSION_COOKIE, ""), now)
            viewer = ws.officer if ws is not None else None
            if ws is not None:
                csrf = ws.csrf_token
            else:
                csrf = request.cookies.get(PRE_COOKIE, "")
                if not csrf:
                    csrf = new_pre = secrets.token_urlsafe(24)
            if request.method == "POST":
                sent = form.get("csrf", "")
                if not sent or not hmac.compare_digest(sent.encode(), csrf.encode()) or new_pre:
                    return error_page(
                        403,
                        "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ). "
                        "Hãy tải lại trang rồi thử lại.",
                        viewer,
                    )
            item_token = request.query_params.get("t") if spec.item_scope else None
            if item_token and request.method == "GET":
                return _open_item_link(ctx, db, request, item_token, now, ws)
            if spec.role != "public":
                if ws is None or viewer is None:
                    return RedirectResponse(_next_url(request), status_code=303)
                viewer_for_errors = viewer.name
                if ws.event_id is not None and (
                    not spec.item_scope or _item_id(request) != ws.event_id
                ):
                    return error_page(
                        403,
                        "Liên kết trong email chỉ mở được trang của việc đó. "
                        "Hãy đăng nhập để xem các trang khác.",
                        viewer,
                    )
                if not role_allows(viewer, spec.role):
                    return error_page(403, "Trang này vượt quá quyền của bạn.", viewer)
            p = Page(request, ctx, db, now, viewer, ws, form, csrf, posted.lists, posted.files)
            response = spec.handler(p)
    except PermissionDenied as exc:
        return error_page(403, str(exc), viewer_for_errors)
    except NotFound as exc:
        return error_page(404, str(exc), viewer_for_errors)
    except LichctError as exc:
        return error_page(400, str(exc), viewer_for_errors)
    if new_pre:
        response.set_cookie(
            PRE_COOKIE,
            new_pre,
            httponly=True,
            samesite="lax",
            secure=secure_cookies(ctx),
            path="/",
        )
    return response


def _open_item_link(
    ctx: AppContext,
    db: Session,
    request: Request,
    token: str,
    now: datetime,
    ws: WebSession | None,
) -> Response:
    """An item link from an email: a session for that item only, then the plain page."""
    event_id = _item_id(request)
    officer = (
        web_access.redeem_item_link(db, token, event_id, now) if event_id is not None else None
    )
    if officer is None:
        return error_page(
            403,
            "Liên kết này đã hết hạn hoặc không hợp lệ. Hãy đăng nhập để xem việc.",
        )
    response = RedirectResponse(request.url.path, status_code=303)
    if ws is None or ws.officer_id != officer.id:
        signed = web_access.start_session(db, officer, now, event_id=event_id)
        set_session_cookie(response, ctx, signed.cookie)
    return response


# Room for the other fields of an upload form beside the file itself.
_FORM_SLACK = 64 * 1024
# Checkbox lists (items of a month, officers) can be long; a page lists at most 500 items.
_MAX_FIELDS = 1000


def _declared_size(request: Request) -> int:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else 0


def _endpoint(ctx: AppContext, spec: PageRoute) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        posted = _Posted()
        if request.method == "POST":
            limit = spec.upload_limit(ctx)
            if limit and _declared_size(request) > limit + _FORM_SLACK:
                return error_page(
                    413,
                    f"Tệp quá lớn; giới hạn là {limit // (1024 * 1024)} MB. Không có gì được lưu.",
                )
            async with request.form(max_files=1 if limit else 0, max_fields=_MAX_FIELDS) as data:
                for key, value in data.multi_items():
                    if isinstance(value, str):
                        posted.form[key] = value
                        posted.lists.setdefault(key, []).append(value)
                    elif limit:
                        content = await value.read(limit + 1)
                        size = value.size if value.size is not None else len(content)
                        posted.files[key] = Upload(value.filename or "", content, size)
        return await run_in_threadpool(_handle, ctx, spec, request, posted)

    return endpoint


def routes(ctx: AppContext) -> list[Route]:
    return [Route(spec.path, _endpoint(ctx, spec), methods=list(spec.methods)) for spec in REGISTRY]
