"""The action append's hot path: one INSERT that carries every check, compiled by SQLAlchemy once
per dialect and run on the DBAPI cursor.

Why not ``connection.execute``: at full speed the append is CPU-bound in this process (50
writers, 2 cores shared with the database), and SQLAlchemy's execution layer cost as much client
CPU as psycopg and libpq themselves for this one statement (single thread, same SQL: ~340 us
against ~180 us per call; docs/store.md). The SQL text, the parameter names (all chosen here,
constants inlined, checked at compile time) and the bind conversions (each type's own
``bind_processor``: the store's JSON serializer, aware UTC times) all still come from
SQLAlchemy, so the row written is the one the ORM path writes (a contract test compares them).
Anything unusual (no row inserted, a constraint, a dropped connection) goes to the careful path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Double, Integer, bindparam, exists, insert, literal_column, or_, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import ReturningInsert

from store.models import DrillActionRow, DrillRow, JsonDoc, UserRow, UtcDateTime
from store.records import StoredAction, Viewer

#: Every parameter of the statement, by the name given below (no generated names).
PARAMETERS = frozenset({"public_id", "user_id", "role", "team_id", "seq", "minute", "action",
                        "created_at"})


def fast_append_statement() -> ReturningInsert[int]:
    """INSERT the action only if every check passes, in one statement (hence atomic even in
    autocommit): the viewer owns the running drill, their account is unchanged, ``seq`` is the
    next one and ``minute`` does not go back. No row returned: take the careful path.

    "Next seq" is one index probe: row ``seq - 1`` exists with a minute not after this one (or
    ``seq`` is 0); a stored ``seq`` (a retry) fails the UNIQUE(drill_id, seq) constraint
    instead. Seqs have no gaps, so that row is the last one.
    """
    target = (select(DrillRow.id.label("drill_id"))
              .join(UserRow, DrillRow.trainee_id == UserRow.id)
              .where(DrillRow.public_id == bindparam("public_id"),
                     DrillRow.trainee_id == bindparam("user_id"),
                     DrillRow.status == literal_column("'running'"),
                     DrillRow.room_id.is_(None),  # a room's actions go to its own log
                     UserRow.is_active.is_(True),
                     UserRow.role == bindparam("role"),
                     UserRow.team_id.is_not_distinct_from(bindparam("team_id")))
              .with_for_update(of=DrillRow)  # PostgreSQL: waits for a concurrent end_drill
              .cte("target"))
    seq = bindparam("seq", type_=Integer)
    minute = bindparam("minute", type_=Double)
    previous = exists(select(literal_column("1")).where(
        DrillActionRow.drill_id == target.c.drill_id,
        DrillActionRow.seq == seq - literal_column("1"),
        DrillActionRow.minute <= minute))
    rows = (select(target.c.drill_id, seq, minute, bindparam("action", type_=JsonDoc),
                   bindparam("created_at", type_=UtcDateTime))
            .where(or_(seq == literal_column("0"), previous)))
    return (insert(DrillActionRow)
            .from_select(["drill_id", "seq", "minute", "action", "created_at"], rows)
            .returning(DrillActionRow.id))


FAST_APPEND = fast_append_statement()


@dataclass(frozen=True, slots=True)
class CompiledAppend:
    """``FAST_APPEND`` for one dialect: its SQL, parameter order and bind conversions."""

    sql: str
    #: the parameter names in order for positional paramstyles (SQLite's ``?``), else None
    order: tuple[str, ...] | None
    processors: Mapping[str, Callable[[Any], Any] | None]

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> CompiledAppend:
        compiled = FAST_APPEND.compile(dialect=dialect)
        names = set(compiled.binds)
        if names != PARAMETERS:
            raise RuntimeError(f"the append statement's parameters changed: {sorted(names)}")
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for name, bind in compiled.binds.items()}
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(str(compiled), order, processors)

    def parameters(self, viewer: Viewer, drill_id: str, entry: StoredAction,
                   now: datetime) -> dict[str, Any] | tuple[Any, ...]:
        values = {"public_id": drill_id, "user_id": viewer.user_id, "role": viewer.role,
                  "team_id": viewer.team_id, "seq": entry.seq, "minute": entry.minute,
                  "action": entry.action, "created_at": now}
        for name, process in self.processors.items():
            if process is not None:
                values[name] = process(values[name])
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def run(self, dbapi_connection: Any, viewer: Viewer, drill_id: str, entry: StoredAction,
            now: datetime) -> bool:
        """True if the action was stored; False: "run ``append_action`` to find out why"."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters(viewer, drill_id, entry, now))
            return cursor.fetchone() is not None
        finally:
            cursor.close()
