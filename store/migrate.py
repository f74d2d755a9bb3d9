"""Schema migrations with Alembic, run from code: ``upgrade(engine)`` brings any database to head.

No ``alembic.ini`` is needed: the configuration points at ``store/migrations`` and hands the
store's own connection to ``env.py`` (``config.attributes["connection"]``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from store.database import WRITE_OPTION

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: pg_advisory_xact_lock key, so two servers starting at once do not both migrate.
PG_MIGRATION_LOCK = 0x5707_4D0E


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate to ``revision`` (a no-op when already there); returns the revision reached."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": PG_MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), revision)
    return current_revision(engine)


def new_revision(engine: Engine, message: str) -> None:
    """Autogenerate a revision from ``store.models`` against a database already at head."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
