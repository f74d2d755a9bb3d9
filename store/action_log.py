"""The append-only action log of a drill: every trainee action as it happens, idempotent on
(drill, seq), and read back in seq order to rebuild the drill (the engine is deterministic).

This is the store's hot path (one call per trainee action): one INSERT that carries every check
(``store.fast_append``), and the careful path here that says why an action was refused or
confirms a retry (``append_action``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from engine.records import Action, action_from_dict
from store.access import STALE_VIEWER, no_drill, readable_drill
from store.database import json_dumps
from store.drills import MAX_DRILL_MINUTES
from store.errors import AccessDenied, ActionConflict, Conflict, DrillNotRunning, InvalidInput
from store.models import DrillActionRow, DrillRow, UserRow
from store.records import StoredAction, Viewer


def action_payload(action: Mapping[str, Any] | Action) -> dict[str, Any]:
    """The action's JSON form, checked to be one the engine can replay."""
    data = action.to_dict() if isinstance(action, Action) else dict(action)
    try:
        plain: dict[str, Any] = json.loads(json_dumps(data))
        action_from_dict(plain)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"not a replayable action: {exc}") from exc
    return plain


#: The drill and its trainee's account in one query (the hot path: one call per action).
_DRILL_FOR_APPEND = (
    select(DrillRow.id, DrillRow.status, DrillRow.trainee_id, DrillRow.room_id, UserRow.role,
           UserRow.team_id, UserRow.is_active)
    .join(UserRow, DrillRow.trainee_id == UserRow.id)
    .where(DrillRow.public_id == bindparam("public_id"))
    .with_for_update(of=DrillRow))  # PostgreSQL: serialises with end_drill; SQLite: ignored
_LAST_ACTION = (select(DrillActionRow.seq, DrillActionRow.minute)
                .where(DrillActionRow.drill_id == bindparam("drill_id"))
                .order_by(DrillActionRow.seq.desc()).limit(1))
_STORED_ACTION = select(DrillActionRow.minute, DrillActionRow.action).where(
    DrillActionRow.drill_id == bindparam("drill_id"), DrillActionRow.seq == bindparam("seq"))


def append_action(connection: Connection, viewer: Viewer, drill_id: str, entry: StoredAction,
                  now: datetime) -> bool:
    """Store action ``entry.seq`` of the viewer's running drill; False if already stored.

    Seqs are 0, 1, 2... with no gaps; minutes never go back. A retry with the same payload is
    a no-op, with a different one an ``ActionConflict``. The careful path behind
    ``store.fast_append``: it says why an action was refused.
    """
    drill = connection.execute(_DRILL_FOR_APPEND, {"public_id": drill_id}).one_or_none()
    if drill is None or drill.trainee_id != viewer.user_id:
        raise no_drill(drill_id)
    if not drill.is_active or (drill.role, drill.team_id) != (viewer.role, viewer.team_id):
        raise AccessDenied(STALE_VIEWER)
    last = connection.execute(_LAST_ACTION, {"drill_id": drill.id}).one_or_none()
    next_seq = 0 if last is None else last.seq + 1
    if entry.seq < next_seq:
        _check_same(connection, drill.id, drill_id, entry)
        return False
    if drill.status != "running":
        raise DrillNotRunning(f"drill {drill_id!r} has ended; its actions are final")
    if drill.room_id is not None:
        raise Conflict(f"drill {drill_id!r} is a seat in room {drill.room_id!r}: actions go "
                       "to the room's log")
    if entry.seq > next_seq:
        raise ActionConflict(f"action seq {entry.seq} skips ahead: the next is {next_seq}")
    if last is not None and entry.minute < last.minute:
        raise ActionConflict(f"action minute {entry.minute} is before the previous action's "
                             f"{last.minute}")
    connection.execute(insert(DrillActionRow), {
        "drill_id": drill.id, "seq": entry.seq, "minute": entry.minute, "action": entry.action,
        "created_at": now})
    return True


def _check_same(connection: Connection, row_id: int, drill_id: str, entry: StoredAction) -> None:
    stored = connection.execute(_STORED_ACTION, {"drill_id": row_id, "seq": entry.seq}).one()
    if stored.minute != entry.minute or stored.action != entry.action:
        raise ActionConflict(f"action seq {entry.seq} of drill {drill_id!r} is already "
                             "stored with a different payload")


def check_entry(seq: int, minute: float) -> None:
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise InvalidInput("seq is an integer >= 0")
    if not math.isfinite(minute) or not 0 <= minute <= MAX_DRILL_MINUTES:
        raise InvalidInput(f"minute is a number in [0, {MAX_DRILL_MINUTES:g}]")


def actions(session: Session, viewer: Viewer, drill_id: str) -> list[StoredAction]:
    drill, _ = readable_drill(session, viewer, drill_id)
    rows = session.execute(
        select(DrillActionRow.seq, DrillActionRow.minute, DrillActionRow.action)
        .where(DrillActionRow.drill_id == drill.id).order_by(DrillActionRow.seq))
    return [StoredAction(seq=r.seq, minute=r.minute, action=r.action) for r in rows]
