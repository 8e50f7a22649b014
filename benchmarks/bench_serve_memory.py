"""Idle memory of ``lichct serve`` with the 2024 plan imported (no Telegram token, no SMTP).

    python benchmarks/bench_serve_memory.py [--settle 5]

Starts the service on a free loopback port against a temporary SQLite database, waits for
``/healthz``, fetches the public feed once, lets it settle, and prints its resident memory
(VmRSS, and VmHWM the peak). Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICHCT = [sys.executable, "-c", "import sys; from scheduler.cli import entry; entry()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) // 1024
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds idle before reading")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lichct-bench-serve-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LICHCT_TELEGRAM_TOKEN", "LICHCT_SMTP_URL")
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]),
        LICHCT_DATABASE_URL=f"sqlite:///{folder / 'lichct.db'}",
    )
    plan = files("lichct_data").joinpath("plans/2024_100-KH-BDVTU.txt")
    subprocess.run([*LICHCT, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*LICHCT, "import", str(plan), "--year", "2024"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    proc = subprocess.Popen(
        [*LICHCT, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("lichct serve did not start") from None
                time.sleep(0.2)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/feeds/public/observances.ics", timeout=10
        ) as answer:
            answer.read()
        time.sleep(args.settle)  # idle: the scheduler's first ticks have run
        found = memory(proc.pid)
        print(
            f"lichct serve, 2024 plan, idle: RSS {found.get('VmRSS', 0)} MB "
            f"(peak {found.get('VmHWM', 0)} MB)"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
