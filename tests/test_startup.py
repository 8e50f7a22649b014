"""Starting the CLI is quick: heavy libraries load only in the commands that use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from scheduler.store import db as store_db
from scheduler.store import engine as store_engine

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("telegram", "alembic", "apscheduler", "uvicorn", "docx", "pypdf", "aiosmtplib")


def _loaded_after(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh Python."""
    listing = "sorted({m.split('.')[0] for m in sys.modules})"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({listing}))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library():
    loaded = _loaded_after("import scheduler.cli")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_loads_neither_the_database_layer_nor_the_heavy_libraries():
    loaded = _loaded_after(
        "import sys\nfrom scheduler.cli import main\nsys.stdout = open('/dev/null', 'w')\n"
        "main(['--help'])\nsys.stdout = sys.__stdout__"
    )
    assert loaded.isdisjoint({*HEAVY, "sqlalchemy", "icalendar"}), sorted(
        loaded & {*HEAVY, "sqlalchemy", "icalendar"}
    )


def test_schema_check_reads_the_same_head_as_alembic(tmp_path):
    database = store_db.Database(f"sqlite:///{tmp_path / 'x.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "scheduler" / "store" / "migrations"))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    assert set(store_engine.code_heads()) == heads
    assert store_db.head_revision(database.engine) == ",".join(sorted(heads))
    database.dispose()


def test_a_started_service_keeps_migration_and_occasional_libraries_out(tmp_path: Path) -> None:
    # What ``serve`` holds in memory for days: the database at its head revision is told
    # without Alembic, and the pages load the fuzzy matcher and the HTTP client only when
    # one is used (the idle service stays under its memory budget).
    url = f"sqlite:///{tmp_path / 'lichct.db'}"
    store_db.migrate(store_db.make_engine(url))
    loaded = _loaded_after(
        "from scheduler.config import Settings\n"
        "from scheduler.context import AppContext\n"
        "from scheduler import http\n"
        "from scheduler.store.db import migrate\n"
        f"ctx = AppContext.from_settings(Settings(database_url={url!r}))\n"
        "assert migrate(ctx.db.engine) is False\n"
        "http.build_app(ctx)"
    )
    assert loaded.isdisjoint({"alembic", "mako", "httpx", "rapidfuzz", "docx", "openpyxl"}), sorted(
        loaded & {"alembic", "mako", "httpx", "rapidfuzz", "docx", "openpyxl"}
    )


def test_listing_items_loads_neither_the_orm_nor_the_models(tmp_path: Path) -> None:
    # ``lichct events`` only reads: it goes through bare tables, so a user asking for the
    # list does not wait for the ORM, the model classes, the planner or the holidays.
    url = f"sqlite:///{tmp_path / 'lichct.db'}"
    store_db.migrate(store_db.make_engine(url))
    probe = (
        "import json, os, sys\n"
        f"os.environ['LICHCT_DATABASE_URL'] = {url!r}\n"
        "from scheduler.cli import main\n"
        "sys.stdout = open(os.devnull, 'w')\n"
        "code = main(['events', '--format', 'json'])\n"
        "sys.stdout = sys.__stdout__\n"
        "print(json.dumps([code, sorted(sys.modules)]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert code == 0, out.stderr
    unwanted = {
        "sqlalchemy.orm",
        "scheduler.store.models",
        "scheduler.reminders.planner",
        "holidays",
        "icalendar",
        # typer 0.29 validates options through pydantic (+300 ms a command): pyproject
        # keeps typer below it.
        "pydantic",
    }
    assert unwanted.isdisjoint(modules), sorted(unwanted & set(modules))
