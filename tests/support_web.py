"""A real ``lichct serve`` with the 2024 plan, officers and passwords, for the web tests.

The server stands at Tuesday 2024-05-21 07:59 (``LICHCT_NOW``); the setup runs the same
CLI entry point an operator runs, in this process, against the server's database.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from tests.net_support import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "plans" / "2024_100-KH-BDVTU.txt"
NOW = "2024-05-21T07:59"
PASSWORD = "mat-khau-2024"

# name, unit, role
PEOPLE = (
    ("Lê Văn Quản", "bdvtu", "admin"),
    ("Nguyễn Văn An", "hc-dt", "head"),
    ("Trần Thị Bình", "hc-dt", "officer"),
    ("Phạm Văn Cường", "dvcq-dttg", "officer"),
    ("Võ Thị Dung", "hc-dt", "officer"),
    ("Đặng Văn Em", "hc-dt", "officer"),
)


@dataclass
class Site:
    base: str
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[str] | None = None
    officers: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)

    def cli(self, *args: str, stdin: str = "", now: str | None = None) -> tuple[int, str, str]:
        """Run ``lichct ARGS`` in this process against the site's database."""
        from scheduler.cli import main

        env = dict(self.env)
        if now:
            env["LICHCT_NOW"] = now
        out, err = io.StringIO(), io.StringIO()
        cleared = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
        with (
            mock.patch.dict(os.environ, {**cleared, **env}, clear=True),
            mock.patch("sys.stdin", io.StringIO(stdin)),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    def events(self) -> list[dict[str, Any]]:
        code, out, err = self.cli("events", "--format", "json")
        assert code == 0, err
        return list(json.loads(out))

    def event(self, event_id: int) -> dict[str, Any]:
        return next(e for e in self.events() if e["id"] == event_id)

    def login_link(self, officer: str, now: str | None = None) -> str:
        code, out, err = self.cli("login-link", officer, now=now)
        assert code == 0, err
        return out.strip()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10)

    def sign_in(
        self, client: httpx.Client, officer: str, password: str = PASSWORD
    ) -> httpx.Response:
        form = client.get("/dang-nhap")
        return client.post(
            "/dang-nhap",
            data={"csrf": csrf_of(form.text), "name": officer, "password": password, "next": "/"},
        )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def prepare(folder: Path, port: int, with_plan: bool = True) -> Site:
    base = f"http://127.0.0.1:{port}"
    site = Site(
        base=base,
        env={
            "LICHCT_DATABASE_URL": f"sqlite:///{folder / 'lichct.db'}",
            "LICHCT_NOW": NOW,
            "LICHCT_PUBLIC_URL": base,
        },
        folder=folder,
    )
    for args in (("init",), ("import", str(PLAN))) if with_plan else (("init",),):
        code, _out, err = site.cli(*args)
        assert code == 0, err
    for index, (name, unit, role) in enumerate(PEOPLE, start=1):
        code, _out, err = site.cli(
            "officers",
            "add",
            name,
            "--unit",
            unit,
            "--role",
            role,
            "--email",
            f"cb{index}@example.vn",
        )
        assert code == 0, err
        site.officers[name] = index
        code, _out, err = site.cli(
            "officers", "set", str(index), "--password", stdin=PASSWORD + "\n"
        )
        assert code == 0, err
    if not with_plan:
        return site
    may = [
        e
        for e in site.events()
        if e["kind"] != "observance" and (e["due"] or "").startswith("2024-05-31")
    ]
    site.items["binh"] = may[0]["id"]
    site.items["cuong"] = may[1]["id"]
    site.items["binh_undo"] = may[2]["id"]
    for key, who in (("binh", "3"), ("binh_undo", "3"), ("cuong", "4")):
        code, _out, err = site.cli("assign", str(site.items[key]), who)
        assert code == 0, err
    return site


@contextlib.contextmanager
def running_site(
    folder: Path,
    *,
    with_plan: bool = True,
    extra_env: dict[str, str] | None = None,
    before_serve: Callable[[Site], None] | None = None,
) -> Iterator[Site]:
    """Prepare the site (with the 2024 plan unless ``with_plan`` is False), run
    ``before_serve`` on its store, then start ``lichct serve`` (with ``extra_env`` added to
    the site's environment, for example a Bot API stand-in)."""
    port = free_port()
    site = prepare(folder, port, with_plan)
    site.env.update(extra_env or {})
    if before_serve is not None:
        before_serve(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(site.env, PYTHONPATH=os.pathsep.join(paths))
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from scheduler.cli import entry; entry()",
            "serve",
            "--port",
            str(port),
        ],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    site.process = process
    try:
        assert wait_until(lambda: _healthy(site.base) or process.poll() is not None, timeout=30)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        yield site
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
