"""``/`` Tổng quan: this month's progress, overdue and coming items, observances ahead."""

from __future__ import annotations

from starlette.responses import Response

from scheduler.services.dashboard import overview as build_overview
from scheduler.web.framework import Page, nav, page

nav("Tổng quan", "/", order=10)


@page("/")
def overview(p: Page) -> Response:
    data = build_overview(p.db, p.me, p.today, visibility=p.visibility)
    return p.render("overview.html", title="Tổng quan", o=data)
