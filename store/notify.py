"""Waking other servers when a room's log grows: PostgreSQL ``LISTEN``/``NOTIFY``.

Every append to a room's log (and every auto-assignment switch or end) runs ``pg_notify(
'stormdesk_rooms', '<room id>:<seq>')`` in its transaction, so the notification leaves at
commit, after the entry is visible. ``RoomListener`` holds one dedicated connection per server
process in ``LISTEN`` and calls back with (room id, seq) from its own thread. The database is
the broker: no other service to run, and a notification can never announce an entry that
another connection cannot read yet.

A notification is only a hint to look now: a listener that lost its connection reconnects
(with a back-off), and the application also reads the log every few seconds anyway, so a lost
notification delays an update by at most that long and loses nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

#: The one channel rooms use (the payload names the room).
ROOM_CHANNEL = "stormdesk_rooms"
#: Seconds between reconnection attempts after the listening connection failed.
RECONNECT_SECONDS = 1.0
#: How often the listening thread checks whether it was asked to stop (seconds).
POLL_SECONDS = 0.5

Callback = Callable[[str, int], None]


def notify_room(session: Session, room_id: str, seq: int) -> None:
    """Wake the other servers when this transaction commits (PostgreSQL); SQLite serves one
    process, which knows what it wrote."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": ROOM_CHANNEL, "payload": f"{room_id}:{seq}"})


def parse(payload: str) -> tuple[str, int] | None:
    """``"<room id>:<seq>"`` -> (room id, seq); None for anything else."""
    room_id, _, seq = payload.rpartition(":")
    try:
        return (room_id, int(seq)) if room_id else None
    except ValueError:
        return None


class RoomListener:
    """One ``LISTEN`` connection per process; ``callback(room_id, seq)`` runs on its thread.

    ``connected`` is set while the connection listens (tests and start-up wait on it).
    """

    def __init__(self, url: URL, callback: Callback) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._callback = callback
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.received = 0
        self._thread = threading.Thread(target=self._run, name="stormdesk-room-listen",
                                        daemon=True)

    def start(self) -> RoomListener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        import psycopg  # the store's PostgreSQL driver

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {ROOM_CHANNEL}")
                    self.connected.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=POLL_SECONDS):
                            self._deliver(note.payload)
            except Exception:  # the server went away: listen again shortly
                self.connected.clear()
                self._stop.wait(RECONNECT_SECONDS)
        self.connected.clear()

    def _deliver(self, payload: str) -> None:
        parsed = parse(payload)
        if parsed is None:
            return
        self.received += 1
        with contextlib.suppress(Exception):  # a failing callback must not stop listening
            self._callback(*parsed)
