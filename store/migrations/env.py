"""Alembic environment: migrate the connection the store hands over (or the configured URL)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from store.database import make_engine
from store.models import Base, UtcDateTime

target_metadata = Base.metadata


def render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes the store's column types as plain SQLAlchemy ones (frozen copies)."""
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    # Run by the alembic command line: the same URL the store would use.
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as own:
            run_on(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; use `python -m store upgrade`")
run_migrations_online()
