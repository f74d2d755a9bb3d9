"""A room's ordered log: every action and clock change, in the one order all servers replay.

**Order.** An append locks the room's row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` takes the whole database), numbers its entries after the room's
``last_seq`` and stamps each with the room's minute *now*, computed from the stored clock under
that lock and never before the previous entry's minute. Appends therefore commit in seq order
(the next waits for the lock), seqs have no gaps, minutes never go back, and one writer's
entries keep the order it acknowledged them in, however many servers write at once.

**Idempotency.** Each entry carries a key its writer chose (UNIQUE per room). A retry with a
stored key returns the stored entry and writes nothing; the same key with a different action
is an ``ActionConflict``. The key is checked after the lock is held, so a retry racing its own
first attempt waits and then finds it.

**Stamping.** The store decides who did it: a member's actions carry their agent code, the
lead's live changes and clock changes ``lead``, round-robin assignments ``auto`` (whatever the
caller put in ``agent``). On PostgreSQL every commit sends ``NOTIFY stormdesk_rooms,
'<room>:<seq>'`` (delivered at commit), which wakes the other servers (``store.notify``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.records import LEAD_ACTIONS, Assign
from store.action_log import action_payload
from store.errors import AccessDenied, ActionConflict, InvalidInput, RoomNotRunning
from store.models import RoomEntryRow, RoomRow
from store.notify import notify_room
from store.records import Viewer
from store.room_access import may_lead, member_row, readable_room
from store.room_records import EntryKind, NewEntry, Room, RoomEntry
from store.rooms import check_speed, room_record

#: Agent codes the store stamps on entries that are not a member's.
LEAD_AGENT = "lead"
AUTO_AGENT = "auto"
#: Entries one append may carry (a burst of round-robin assignments at the flood's peak).
MAX_BATCH = 200


def to_entry(row: RoomEntryRow) -> RoomEntry:
    kind: EntryKind = "clock" if row.kind == "clock" else "action"
    return RoomEntry(seq=row.seq, minute=row.minute, kind=kind, action=row.action,
                     agent=row.agent, user_id=row.user_id, client_key=row.client_key,
                     created_at=row.created_at)


def _clock_payload(data: dict[str, Any]) -> dict[str, Any]:
    paused = data.get("paused")
    if not isinstance(paused, bool) or set(data) != {"paused", "speed"}:
        raise InvalidInput("a clock change is {paused: bool, speed: number}")
    return {"paused": paused, "speed": check_speed(data["speed"])}


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not 1 <= len(key) <= 80:
        raise InvalidInput("a client key is 1-80 characters")
    return key


def _stamped(session: Session, viewer: Viewer, room: RoomRow, item: NewEntry,
             auto: bool) -> tuple[str, dict[str, Any]]:
    """(agent, payload) of an entry the viewer may add, else ``AccessDenied``."""
    if item.kind == "clock":
        if not may_lead(viewer, room):
            raise AccessDenied("only the room's lead changes its clock")
        return LEAD_AGENT, _clock_payload(dict(item.action))
    payload = action_payload(item.action)
    kind = payload["kind"]
    if auto:
        if kind != Assign.kind or not item.client_key.startswith("auto:"):
            raise InvalidInput("round-robin entries are assignments keyed auto:<thread>")
        if not room.auto_assign:
            raise AccessDenied("round-robin assignment is off in this room")
        if not may_lead(viewer, room) and member_row(session, room, viewer.user_id) is None:
            raise AccessDenied("only the room's lead and roster assign in it")
        agent = AUTO_AGENT
    elif kind in LEAD_ACTIONS:
        if not may_lead(viewer, room):
            raise AccessDenied("only the room's lead injects mentions or changes the incident")
        agent = LEAD_AGENT
    else:
        member = member_row(session, room, viewer.user_id) if viewer.role == "trainee" else None
        if member is None or member.joined_at is None:
            raise AccessDenied("only trainees who joined the room act in it")
        agent = member.agent
    payload["agent"] = agent
    return agent, payload


def append(session: Session, viewer: Viewer, room_id: str, items: Sequence[NewEntry],
           now: datetime, auto: bool = False) -> list[RoomEntry]:
    """Store ``items`` in order at the room's current minute; returns their entries (a stored
    key's entry for a retry). Raises ``RoomNotRunning`` once the room ended."""
    if not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput(f"an append carries 1-{MAX_BATCH} entries")
    room = readable_room(session, viewer, room_id, lock=True)  # the room's appends queue here
    keys = [_check_key(item.client_key) for item in items]
    if len(set(keys)) != len(keys):
        raise InvalidInput("two entries of one append share a client key")
    stamped = [_stamped(session, viewer, room, item, auto) for item in items]
    stored = {r.client_key: r for r in session.scalars(select(RoomEntryRow).where(
        RoomEntryRow.room_id == room.id, RoomEntryRow.client_key.in_(keys)))}
    out: list[RoomEntry] = []
    fresh = False
    for item, (agent, payload) in zip(items, stamped, strict=True):
        old = stored.get(item.client_key)
        if old is not None:
            if old.kind != item.kind or old.action != payload:
                raise ActionConflict(f"entry {item.client_key!r} of room {room_id!r} is already "
                                     "stored with a different action")
            out.append(to_entry(old))
            continue
        if room.status != "running":
            raise RoomNotRunning(f"room {room_id!r} has ended; its log is final")
        out.append(to_entry(_insert(session, viewer, room, item, agent, payload, now)))
        fresh = True
    if fresh:
        session.flush()
        notify_room(session, room.public_id, room.last_seq)
    return out


def _insert(session: Session, viewer: Viewer, room: RoomRow, item: NewEntry, agent: str,
            payload: dict[str, Any], now: datetime) -> RoomEntryRow:
    """The next entry at the room's minute now (under the room's lock)."""
    minute = _minute_now(room, now)
    row = RoomEntryRow(room_id=room.id, seq=room.last_seq + 1, minute=minute, kind=item.kind,
                       action=payload, agent=agent, user_id=viewer.user_id,
                       client_key=item.client_key, created_at=now)
    session.add(row)
    room.last_seq, room.last_minute = row.seq, minute
    if item.kind == "clock":
        room.clock_at, room.clock_minute = now, minute
        room.clock_speed, room.clock_paused = payload["speed"], payload["paused"]
    return row


def _minute_now(room: RoomRow, now: datetime) -> float:
    """The stored clock's minute at ``now``, never before the last entry, never past the end."""
    minute = room.clock_minute
    if not room.clock_paused:
        elapsed = max(0.0, (now - room.clock_at).total_seconds())
        minute += elapsed / 60.0 * room.clock_speed
    # Three decimals, as the engine stamps its events.
    return min(room.drill_minutes, max(round(minute, 3), room.last_minute))


def entries(session: Session, viewer: Viewer, room_id: str,
            after_seq: int = -1) -> tuple[Room, list[RoomEntry]]:
    """The room and its entries after ``after_seq``, in seq order (what a server has not yet
    replayed; -1 for the whole log)."""
    room = readable_room(session, viewer, room_id)
    rows = session.scalars(select(RoomEntryRow).where(
        RoomEntryRow.room_id == room.id, RoomEntryRow.seq > after_seq)
        .order_by(RoomEntryRow.seq))
    return room_record(session, room), [to_entry(r) for r in rows]
