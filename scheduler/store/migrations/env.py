"""Alembic environment: the engine comes from ``scheduler.store.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from scheduler.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):  # pragma: no cover - only when run by hand
    from scheduler.config import load_settings
    from scheduler.store.db import make_engine

    engine = make_engine(load_settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
