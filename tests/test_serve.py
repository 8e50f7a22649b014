"""``lichct serve`` as an operator runs it: first start, health check, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.net_support import free_port, wait_until


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_creates_its_database_answers_healthz_and_stops_cleanly(tmp_path: Path, stop_signal):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICHCT_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from scheduler.cli import entry; entry()",
            "serve",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until(lambda: _healthy(port) or process.poll() is not None, timeout=30)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
        assert body == {"status": "ok", "database": "ok"}
        assert (tmp_path / "lichct.db").exists()
        process.send_signal(stop_signal)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert "lichct đã dừng" in output


def test_a_busy_port_is_one_clear_line_and_nothing_starts(cli_env, capsys, tmp_path: Path):
    import socket

    from tests.cli_support import run_cli

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli(capsys, "serve", "--port", str(port))
    assert result.code == 1
    assert f"Không mở được cổng HTTP 127.0.0.1:{port}" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "lichct.db").exists()
