"""The HTTP app of ``lichct serve``: health, the ICS feeds (``scheduler.feeds``) and the
web pages (``scheduler.web``)."""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scheduler.context import AppContext
from scheduler.errors import LichctError
from scheduler.feeds import http as feeds_http
from scheduler.web import routes as web_routes


def build_app(ctx: AppContext) -> Starlette:
    async def healthz(request: Request) -> Response:
        try:
            with ctx.db.unit_of_work() as session:
                session.execute(text("SELECT 1"))
        except LichctError as exc:
            return JSONResponse({"status": "degraded", "database": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    routes = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        *feeds_http.routes(ctx),
        *web_routes(ctx),
    ]
    return Starlette(routes=routes)
