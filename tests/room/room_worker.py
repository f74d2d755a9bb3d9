"""One app process for the multi-process room test: a ``Rooms`` service of its own (its own
store, pools and LISTEN connection) driven by JSON commands on stdin, one answer per line.

    python -m tests.room.room_worker            # STORMDESK_DATABASE_URL names the database

Commands: ``{"op": "join", "user": "dana", "room": ID}``, ``{"op": "act", "n": 0, "text":
"..."}`` (reply to the n-th thread, oldest waiting first; answers the stored entry's seq),
``{"op": "wait", "seq": 5, "timeout": 5}`` (tick until the copy applied ``seq``; answers how
long it took), ``{"op": "hash", "minute": 30}`` (the transcript up to ``minute``, once the
copy got there), ``{"op": "quit"}``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from typing import Any

from engine.records import Reply
from store import Store
from store.passwords import FAST_TEST_HASHER
from stormdesk.catalogue import load_catalogue
from stormdesk.grading import Grader, no_judge
from stormdesk.room_seat import Seat
from stormdesk.rooms import Rooms


def main() -> None:
    store = Store.open(hasher=FAST_TEST_HASHER)
    catalogue = load_catalogue()
    rooms = Rooms(store, lambda: catalogue, Grader(no_judge))
    seat: Seat | None = None
    for line in sys.stdin:
        command: dict[str, Any] = json.loads(line)
        op = command["op"]
        try:
            if op == "join":
                user = store.user_by_username(command["user"])
                assert user is not None
                seat = rooms.join(user.viewer, command["room"])
                answer: dict[str, Any] = {"agent": seat.agent, "minute": seat.drill.minute}
            elif op == "act":
                assert seat is not None
                rooms.tick(seat)
                rows = rooms.desk(seat, "all", "oldest waiting", 1, 20).rows
                thread = rows[min(int(command["n"]), len(rows) - 1)].thread_id
                rooms.act(seat, Reply(thread, seat.drill.sign(command["text"])), confirm=True)
                answer = {"seq": rooms.copy_of(seat.viewer, seat.room_id).log[-1].seq,
                          "thread": thread}
            elif op == "wait":
                assert seat is not None
                copy = rooms.copy_of(seat.viewer, seat.room_id)
                start = time.monotonic()
                deadline = start + float(command.get("timeout", 10))
                while copy.applied < int(command["seq"]) and time.monotonic() < deadline:
                    rooms.tick(seat)
                    time.sleep(0.02)
                answer = {"applied": copy.applied, "seconds": time.monotonic() - start,
                          "heard": rooms._listener is not None
                          and rooms._listener.received > 0}
            elif op == "hash":
                assert seat is not None
                copy = rooms.copy_of(seat.viewer, seat.room_id)
                minute = float(command["minute"])
                deadline = time.monotonic() + 20
                while copy.session.now < minute and time.monotonic() < deadline:
                    rooms.tick(seat)  # the world gets there in lockstep (never pushed ahead)
                    time.sleep(0.05)
                with copy.lock:
                    events = [e for e in copy.session.transcript if e.minute <= minute]
                text = "\n".join(e.to_json() for e in events)
                answer = {"sha": hashlib.sha256(text.encode()).hexdigest(),
                          "events": len(events), "rebuilds": copy.rebuilds,
                          "reached": copy.session.now >= minute}
            elif op == "quit":
                break
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # reported to the test, which fails with it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
            if seat is not None:
                copy = rooms.copy_of(seat.viewer, seat.room_id)
                answer["error"] += (f" (world at minute {copy.session.now:.3f}, rebuilds "
                                    f"{copy.rebuilds}, log "
                                    f"{[(e.seq, e.minute, e.agent) for e in copy.log]})")
        print(json.dumps(answer), flush=True)
    rooms.close()
    store.close()


if __name__ == "__main__":
    main()
