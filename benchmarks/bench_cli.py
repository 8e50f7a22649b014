"""Benchmark of the CLI's start: ``lichct --help`` and ``lichct events --format json`` (the
2024 plan imported into a temporary SQLite database) against ``python -c pass``.

    python benchmarks/bench_cli.py [--rounds 9]

Runs are interleaved (pass, help, events, pass, ...) so that a busy machine weighs on all
three alike; prints the median time of each and the median of the per-round ratios.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICHCT = [sys.executable, "-c", "import sys; from scheduler.cli import entry; entry()"]


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lichct-bench-cli-"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
        "LICHCT_DATABASE_URL": f"sqlite:///{folder / 'lichct.db'}",
        "LICHCT_NOW": "2024-05-21T09:00:00+07:00",
    }
    plan = files("lichct_data").joinpath("plans/2024_100-KH-BDVTU.txt")
    subprocess.run([*LICHCT, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*LICHCT, "import", str(plan), "--year", "2024"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "lichct --help": [*LICHCT, "--help"],
        "lichct events --format json": [*LICHCT, "events", "--format", "json"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the file cache once
        timed(argv, env)
    for _ in range(args.rounds):
        for name, argv in commands.items():
            times[name].append(timed(argv, env))
    base = times["python -c pass"]
    print(f"{args.rounds} interleaved rounds; medians:")
    for name, runs in times.items():
        ratios = [t / b for t, b in zip(runs, base, strict=True)]
        print(
            f"  {name}: {statistics.median(runs) * 1000:.0f} ms"
            + ("" if runs is base else f" = {statistics.median(ratios):.1f}x python -c pass")
        )


if __name__ == "__main__":
    main()
