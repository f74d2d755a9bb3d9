"""The engine, pools and transactions every ``Store`` method runs in (its base class).

Reads get a plain transaction; writes take SQLite's in-process write gate and ``BEGIN
IMMEDIATE``. The action append (the hot path, ``store.fast_append``) runs one autocommit
statement on a DBAPI connection: on PostgreSQL from its own pool behind a first-come,
first-served gate (``database.FairGate``), on SQLite under the write gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from store import database
from store.database import (
    WRITE_OPTION,
    FairGate,
    is_sqlite,
    make_autocommit_engine,
    sqlite_write_lock,
)
from store.fast_append import CompiledAppend
from store.records import StoredAction, Viewer


class Transactions:
    """Owns ``engine`` (and the append pool) and opens short transactions on it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        sqlite = is_sqlite(engine.url)
        self._write_lock: AbstractContextManager[Any] = (
            sqlite_write_lock(engine.url) if sqlite else nullcontext())
        self._autocommit = None if sqlite else make_autocommit_engine(engine.url)
        # Callers beyond the append pool's size queue here in arrival order (the pool's own
        # queue lets returning threads barge ahead; some waited seconds in bench_store.py).
        self._append_gate = FairGate(database.PG_APPEND_SLOTS)
        self._append_engine = self._autocommit or engine
        self._append_sql = CompiledAppend.for_dialect(self._append_engine.dialect)

    def close(self) -> None:
        self.engine.dispose()
        if self._autocommit is not None:
            self._autocommit.dispose()

    @property
    def url(self) -> str:
        """The database URL with any password hidden (for logs and the admin page)."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        """A write transaction on a bare connection (the append hot path skips the ORM)."""
        with self._write_lock, self._writer.begin() as connection:
            yield connection

    def _fast_append(self, viewer: Viewer, drill_id: str, entry: StoredAction,
                     now: datetime) -> bool:
        """The one-statement append, in autocommit (no BEGIN/COMMIT round trips): True if
        stored. False on anything else (a refusal, a retry hitting the unique key, a dropped
        connection, which is discarded): the careful path then decides."""
        engine = self._append_engine
        gate = self._write_lock if self._autocommit is None else self._append_gate
        errors = engine.dialect.loaded_dbapi.Error
        with gate:
            raw = engine.raw_connection()
            try:
                return self._append_sql.run(raw.driver_connection, viewer, drill_id, entry,
                                            now)
            except errors as exc:
                if not isinstance(exc, engine.dialect.loaded_dbapi.IntegrityError):
                    raw.invalidate(exc)  # e.g. the server restarted since it was opened
                return False
            finally:
                raw.close()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with (self._write_lock, Session(self._writer, expire_on_commit=False) as session,
              session.begin()):
            yield session
