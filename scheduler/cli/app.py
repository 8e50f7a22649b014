"""The Typer application and what every command shares."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the database layer loads only in commands that use it
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from scheduler.context import AppContext, ReadContext

# A command lives about a second and builds its objects once (the command tree, the
# database library's classes): the cycle collector's default pace, a pass every 700 new
# objects, costs it a tenth of its run and frees nothing. ``entry`` slows the pace for a
# command; ``serve``, which runs for days, puts the default back.
_GC_DEFAULT = gc.get_threshold()
_GC_SHORT_RUN = (20_000, 50, 100)


def gc_for_short_run() -> None:
    gc.set_threshold(*_GC_SHORT_RUN)


def gc_for_long_run() -> None:
    gc.set_threshold(*_GC_DEFAULT)


app = typer.Typer(
    name="lichct",
    help=(
        "Lịch công tác: kế hoạch công tác năm thành lịch sống, với lịch ICS và "
        "nhắc việc qua Telegram và email."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def open_context(check_schema: bool = True) -> AppContext:
    """Settings, database and clock for one command; fails clearly before any work."""
    from scheduler.context import AppContext

    ctx = AppContext.from_environment()
    if check_schema:
        ctx.db.check_schema()
    return ctx


@contextlib.contextmanager
def unit_of_work(check_schema: bool = True) -> Iterator[tuple[AppContext, Session]]:
    """One command, one transaction: everything is stored, or nothing is."""
    ctx = open_context(check_schema)
    try:
        with ctx.db.unit_of_work() as session:
            yield ctx, session
    finally:
        ctx.db.dispose()


@contextlib.contextmanager
def read_connection() -> Iterator[tuple[ReadContext, Connection]]:
    """A command that only reads: one connection, no ORM (it loads in a fraction of the
    time); the schema is checked first, as for every command."""
    from scheduler.context import ReadContext
    from scheduler.store.engine import check_schema, translate_db_errors

    ctx = ReadContext.from_environment()
    try:
        check_schema(ctx.engine)
        with translate_db_errors(ctx.settings.database_url), ctx.engine.connect() as connection:
            yield ctx, connection
    finally:
        ctx.engine.dispose()
