"""The ``lichct`` command line: thin entry points over ``scheduler.services``."""

from __future__ import annotations

import sys

import typer

# Each module registers its commands on ``app`` when imported.
from scheduler.cli import (  # noqa: F401
    core,
    feeds,
    inbound,
    observances,
    plan_import,
    reminders,
    reports,
    telegram,
    visits,
    web,
)
from scheduler.cli.app import app, gc_for_short_run
from scheduler.errors import LichctError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a user mistake prints one line on stderr, never a traceback."""
    try:
        app(args=argv, prog_name="lichct")
    except SystemExit as exc:
        # Typer/Click end every run this way, usage errors (code 2) included.
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LichctError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:
        # SQLAlchemy loads only in commands that use the database: without it loaded, this
        # cannot be one of its errors (and ``--help`` does not pay for importing it).
        sa_exc = sys.modules.get("sqlalchemy.exc")
        if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
            raise
        from scheduler.store.engine import describe_db_error

        typer.echo(f"Lỗi: {describe_db_error(exc)}", err=True)
        return 3
    except KeyboardInterrupt:
        typer.echo("Đã dừng.", err=True)
        return 130
    return 0


def entry() -> None:
    """The ``lichct`` program (not ``main``, which tests call in their own process)."""
    gc_for_short_run()
    sys.exit(main())
