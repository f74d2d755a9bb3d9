"""The engine, pools and transactions every ``Store`` method runs in (its base class).

Reads get a plain transaction; writes take SQLite's in-process write gate and ``BEGIN
IMMEDIATE``; the action append (the hot path) gets a one-statement autocommit connection on
PostgreSQL, behind a first-come, first-served gate (``database.FairGate``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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

    @contextmanager
    def _append_connection(self) -> Iterator[Connection]:
        """For the one-statement append: autocommit on PostgreSQL saves the BEGIN and COMMIT
        round trips; SQLite takes the in-process write lock as for any write."""
        if self._autocommit is None:
            with self._write_connection() as connection:
                yield connection
        else:
            with self._append_gate, self._autocommit.connect() as connection:
                yield connection

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with (self._write_lock, Session(self._writer, expire_on_commit=False) as session,
              session.begin()):
            yield session
