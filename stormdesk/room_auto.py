"""Round-robin assignment in a room, when its lead switches it on: every new customer (and the
backlog nobody owns when it is switched on) goes to the next member who joined, skipping the
member on status updates; customers whose matter belongs in DM go to the DM desk when someone
has that duty.

Assignments are ordinary log entries (``Assign`` by agent ``auto``), keyed ``auto:<thread>``,
so whichever server notices a new thread first assigns it and the others' attempts are no-ops
or lose quietly (``RoomCopies.append_each``): one assignment per thread, whatever the number of
servers.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.projection import ThreadState
from engine.records import Assign
from store.room_records import NewEntry, RoomMember
from stormdesk.room_world import RoomCopy

#: Intents whose details belong in DM (as the queue's "needs DM" filter).
DM_INTENTS = frozenset({"account_access", "billing", "refund", "security"})
#: Assignments one tick may queue (the rest wait for the next tick).
MAX_PER_TICK = 100


def wants_dm(thread: ThreadState) -> bool:
    return bool(thread.exposed) or thread.intent in DM_INTENTS


def due(copy: RoomCopy, members: Sequence[RoomMember]) -> list[NewEntry]:
    """Assignments to add now (call with ``copy.lock`` held); advances the copy's cursor."""
    room = copy.room
    if not room.auto_assign or not room.running or room.clock.paused:
        copy.auto_on = room.auto_assign
        return []
    if not copy.auto_on:  # just switched on: the backlog nobody owns is dealt out too
        copy.auto_on, copy.auto_cursor = True, 0
    joined = [m for m in members if m.joined and m.duty != "status"]
    if not joined:
        return []
    dm_desk = [m for m in joined if m.duty == "dms"]
    general = [m for m in joined if m.duty != "dms"] or joined
    projection = copy.session.projection
    order = projection.order
    out: list[NewEntry] = []
    while copy.auto_cursor < len(order) and len(out) < MAX_PER_TICK:
        thread = projection.threads[order[copy.auto_cursor]]
        copy.auto_cursor += 1
        key = f"auto:{thread.thread_id}"
        if key in copy.auto_keys or thread.assignee or thread.answered or not thread.open \
                or thread.persona == "praise":
            continue
        pool = dm_desk if dm_desk and wants_dm(thread) else general
        assignee = pool[len(copy.auto_keys) % len(pool)].agent  # one turn per thread dealt
        copy.auto_keys.add(key)
        out.append(NewEntry(key, Assign(thread.thread_id, assignee, agent="auto").to_dict()))
    return out
