"""``Store``'s room methods (a mixin of ``Store``): opening and joining rooms, the ordered log,
presence, the lead's switches, ending and re-scoring through the room grader, and the listener
that wakes this server when another one writes (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from store import room_grading, room_log, rooms
from store.database import is_sqlite
from store.notify import Callback, RoomListener
from store.records import ScorecardRecord, Status, Viewer
from store.room_grading import RoomGrader
from store.room_records import (
    NewEntry,
    Presence,
    Room,
    RoomEntry,
    RoomMember,
    RoomResult,
    RoomSummary,
    RoomTranscript,
)
from store.rooms import NewRoom, RoomFilter
from store.transactions import Transactions

#: Presence older than this is a closed tab (seconds); a desk beats every few seconds.
PRESENCE_FRESH_SECONDS = 15.0


class RoomMethods(Transactions):
    """The room half of ``Store`` (``Store.__init__`` sets the clock and the graders)."""

    _clock: Callable[[], datetime]
    _room_grader: RoomGrader | None
    _listeners: list[RoomListener]
    _listen_lock: threading.Lock

    def attach_room_grader(self, grader: RoomGrader) -> None:
        """Give a store built without one the application's room grader (idempotent)."""
        self._room_grader = grader

    @property
    def has_room_grader(self) -> bool:
        return self._room_grader is not None

    # ---------------------------------------------------------------------------- rooms
    def open_room(self, viewer: Viewer, spec: NewRoom) -> Room:
        """A new room led by the viewer, paused at minute 0 until its lead starts it."""
        with self._write() as s:
            return rooms.open_room(s, viewer, spec, self._clock())

    def join_room(self, viewer: Viewer, room_id: str) -> RoomMember:
        """The viewer's seat (their own drill of the room is created the first time)."""
        with self._write() as s:
            return rooms.join_room(s, viewer, room_id, self._clock())

    def room(self, viewer: Viewer, room_id: str) -> Room:
        with self._read() as s:
            return rooms.room(s, viewer, room_id)

    def room_members(self, viewer: Viewer, room_id: str) -> list[RoomMember]:
        with self._read() as s:
            return rooms.members(s, viewer, room_id)

    def room_member(self, viewer: Viewer, room_id: str) -> RoomMember | None:
        """The viewer's own place on the roster (None for a lead)."""
        with self._read() as s:
            return rooms.my_member(s, viewer, room_id)

    def rooms_for(self, viewer: Viewer, *, status: Status | None = None,
                  scenario_id: str | None = None, seed: int | None = None,
                  team_id: int | None = None, limit: int = 100) -> list[RoomSummary]:
        """Visible rooms, newest first (a trainee's: the rooms they are on the roster of)."""
        with self._read() as s:
            return rooms.summaries(s, viewer, RoomFilter(status, scenario_id, seed, team_id,
                                                         limit))

    def set_room_auto_assign(self, viewer: Viewer, room_id: str, on: bool) -> Room:
        with self._write() as s:
            return rooms.set_auto_assign(s, viewer, room_id, on)

    # ------------------------------------------------------------------------------ log
    def append_room(self, viewer: Viewer, room_id: str, items: Sequence[NewEntry],
                    auto: bool = False) -> list[RoomEntry]:
        """Append to the room's ordered log at its current minute (see ``store.room_log``):
        strictly ordered, idempotent by client key, stamped by the store with who did it."""
        with self._write() as s:
            return room_log.append(s, viewer, room_id, items, self._clock(), auto)

    def room_log(self, viewer: Viewer, room_id: str,
                 after_seq: int = -1) -> tuple[Room, list[RoomEntry]]:
        """The room now and its entries after ``after_seq`` (seq order)."""
        with self._read() as s:
            return room_log.entries(s, viewer, room_id, after_seq)

    # ------------------------------------------------------------------------- presence
    def set_room_presence(self, viewer: Viewer, room_id: str, thread_id: str | None,
                          typing: bool = False) -> None:
        with self._write() as s:
            rooms.set_presence(s, viewer, room_id, thread_id, typing, self._clock())

    def room_presence(self, viewer: Viewer, room_id: str,
                      fresh_seconds: float = PRESENCE_FRESH_SECONDS) -> list[Presence]:
        with self._read() as s:
            return rooms.presence(s, viewer, room_id, self._clock(), fresh_seconds)

    # --------------------------------------------------------------------------- grading
    def end_room(self, viewer: Viewer, room_id: str, end_minute: float) -> RoomResult:
        """End the room at ``end_minute``: the room grader replays its log and scores the team
        and every seat; each seated member's drill ends with their own card. Idempotent at the
        same minute; ``Conflict`` if the room moved on while it was graded."""
        grader = room_grading.require(self._room_grader)
        with self._read() as s:
            job = room_grading.prepare_end(s, viewer, room_id, end_minute)
        if isinstance(job, RoomResult):
            return job
        graded = grader.grade_room(job.room, job.members, job.log, job.end_minute)
        with self._write() as s:
            return room_grading.record_end(s, viewer, job, graded, self._clock())

    def rescore_room(self, viewer: Viewer, room_id: str) -> RoomResult:
        """Grade an ended room again (a new team result and a new card per seat)."""
        grader = room_grading.require(self._room_grader)
        with self._read() as s:
            job = room_grading.prepare_rescore(s, viewer, room_id)
        graded = grader.grade_room(job.room, job.members, job.log, job.end_minute)
        with self._write() as s:
            result, _ = room_grading.record_rescore(s, viewer, job, graded, self._clock())
        assert result is not None
        return result

    def _rescore_seat(self, viewer: Viewer, room_id: str, trainee_id: int) -> ScorecardRecord:
        """Re-score one seat's drill (``Store.rescore`` on a room's drill)."""
        grader = room_grading.require(self._room_grader)
        with self._read() as s:
            job = room_grading.prepare_rescore(s, viewer, room_id)
        graded = grader.grade_room(job.room, job.members, job.log, job.end_minute)
        with self._write() as s:
            _, added = room_grading.record_rescore(s, viewer, job, graded, self._clock(),
                                                   only_user=trainee_id)
        return added[trainee_id]

    def room_result(self, viewer: Viewer, room_id: str) -> RoomResult | None:
        with self._read() as s:
            return room_grading.result(s, viewer, room_id)

    def room_transcript(self, viewer: Viewer, room_id: str) -> RoomTranscript | None:
        with self._read() as s:
            return room_grading.transcript(s, viewer, room_id)

    # ------------------------------------------------------------------------ listening
    def listen_rooms(self, callback: Callback) -> RoomListener | None:
        """Call ``callback(room_id, seq)`` whenever any server appends to a room's log
        (PostgreSQL ``LISTEN``, on its own thread); None on SQLite (one server: it knows)."""
        if is_sqlite(self.engine.url):
            return None
        listener = RoomListener(self.engine.url, callback).start()
        with self._listen_lock:
            self._listeners.append(listener)
        return listener

    def _stop_listening(self) -> None:
        with self._listen_lock:
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()
