"""The web workspace: server-rendered pages on the same port as the feeds.

Pages live in ``scheduler.web.pages`` and register themselves (with the role they need)
through :func:`scheduler.web.framework.page`; :func:`routes` returns them with the static
files. A later page module is added to ``PAGE_MODULES``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from scheduler.context import AppContext
from scheduler.web import framework

PAGE_MODULES = (
    "auth",
    "overview",
    "calendar",
    "items",
    "personal",
    "officers",
    "areas",
    "outbox",
    "plans",
    "reports",
    "bodies",
)
STATIC = Path(__file__).parent / "static"


def routes(ctx: AppContext) -> list[BaseRoute]:
    for name in PAGE_MODULES:
        importlib.import_module(f"scheduler.web.pages.{name}")
    return [
        *framework.routes(ctx),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
