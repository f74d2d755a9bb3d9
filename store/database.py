"""Engines for the store: URL resolution, SQLite pragmas and transaction modes, PostgreSQL pools.

One code path serves both back ends. SQLite (the default, a file under ``data/``) runs in WAL
mode with foreign keys on; its write transactions start with ``BEGIN IMMEDIATE`` and are
serialised inside the process by a lock, so concurrent writers queue in Python instead of
sleeping in SQLite's busy handler (whose back-off steps of 1-100 ms would ruin the p95).
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

#: Environment variable naming the database (e.g. ``postgresql+psycopg://user@host/db``).
URL_ENV = "STORMDESK_DATABASE_URL"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "stormdesk.db"

#: Execution option that asks for a write transaction (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "stormdesk_write"

#: Seconds a connection waits for another *process* holding SQLite's write lock.
SQLITE_BUSY_TIMEOUT_S = 30.0

#: Connection pool (SQLite files too): a Streamlit server runs every browser session in its
#: own thread. Connections beyond the pool size are closed on return, and opening one costs a
#: PostgreSQL backend fork (a 10-15 ms p50 in bench_store.py when the pool was too small).
POOL_SIZE = 10
MAX_OVERFLOW = 20
#: Connections (and concurrent appends) of the append pool; more callers queue in order.
PG_APPEND_SLOTS = 16

class FairGate:
    """At most ``slots`` holders at a time, admitted first come, first served.

    ``threading.Lock`` lets a releasing thread take it straight back: with 50 writers some
    waited 140 ms while others cycled (p95 43 ms; benchmarks/bench_store.py). Waiters here
    queue and are handed the slot in arrival order (p95 12 ms, same throughput).
    """

    def __init__(self, slots: int = 1) -> None:
        self._guard = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._free = slots

    def acquire(self) -> None:
        with self._guard:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            baton = threading.Lock()
            baton.acquire()
            self._waiters.append(baton)
        try:
            baton.acquire()  # released by a holder handing its slot over to us
        except BaseException:
            self._abandon(baton)
            raise

    def _abandon(self, baton: threading.Lock) -> None:
        """An interrupted waiter leaves the queue, or passes on a slot it was just handed."""
        with self._guard:
            if baton in self._waiters:
                self._waiters.remove(baton)
                return
        self.release()

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()  # the slot goes straight to the next in line
            else:
                self._free += 1

    def __enter__(self) -> FairGate:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


#: One lock per SQLite file, shared by every engine of this process on that file.
_SQLITE_WRITE_LOCKS: dict[str, FairGate] = {}
_LOCKS_GUARD = threading.Lock()

#: Same JSON everywhere: NaN/Infinity are refused (PostgreSQL's jsonb rejects them anyway).
json_dumps = partial(json.dumps, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def resolve_url(url: str | URL | None = None) -> URL:
    """The database URL: the argument, else ``$STORMDESK_DATABASE_URL``, else the SQLite file.

    ``postgres://`` and ``postgresql://`` are read as ``postgresql+psycopg://`` (psycopg 3).
    """
    raw = url if url is not None else os.environ.get(URL_ENV) or None
    if raw is None:
        return URL.create("sqlite", database=str(DEFAULT_SQLITE_PATH))
    parsed = make_url(raw) if isinstance(raw, str) else raw
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def is_memory_sqlite(url: URL) -> bool:
    return is_sqlite(url) and url.database in (None, "", ":memory:")


def sqlite_write_lock(url: URL) -> FairGate:
    """The in-process write lock for the SQLite database at ``url``."""
    key = "memory" if is_memory_sqlite(url) else str(Path(str(url.database)).resolve())
    with _LOCKS_GUARD:
        return _SQLITE_WRITE_LOCKS.setdefault(key, FairGate(1))


def make_engine(url: str | URL | None = None) -> Engine:
    """An engine for ``url`` (see ``resolve_url``), with the pragmas and pools the store needs."""
    resolved = resolve_url(url)
    if is_sqlite(resolved):
        return _sqlite_engine(resolved)
    return create_engine(resolved, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW,
                         pool_pre_ping=True, json_serializer=json_dumps)


def make_autocommit_engine(url: URL) -> Engine:
    """PostgreSQL connections that stay in autocommit, for one-statement writes (the action
    append): no BEGIN/COMMIT round trips, no isolation switch and no pre-ping per checkout.
    A connection the server dropped fails once; ``Store.append_action`` then retries."""
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=PG_APPEND_SLOTS,
                         max_overflow=0, pool_reset_on_return=None, json_serializer=json_dumps)


def _sqlite_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
    options: dict[str, Any] = {"connect_args": connect_args, "json_serializer": json_dumps}
    if is_memory_sqlite(url):
        options["poolclass"] = StaticPool  # one shared connection, or each sees an empty db
    else:
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)
        options.update(pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
    engine = create_engine(url, **options)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy (pysqlite would otherwise BEGIN lazily before the
    # first INSERT only, so reads ran outside the transaction); see _on_sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL in WAL mode: a commit survives a crash or kill of the process; only a power
        # loss or OS crash can roll back the last few commits. FULL adds an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
