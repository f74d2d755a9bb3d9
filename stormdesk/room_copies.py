"""The rooms this server process plays: one ``RoomCopy`` per room, built by replaying the room's
log the first time anyone here needs it, kept up to date by reading the log when another server
announced entries (PostgreSQL ``NOTIFY``), after this server wrote, or every few seconds anyway,
and advanced in lockstep with the room's stored clock (``stormdesk.room_world``).

After a restart nothing is in memory: the first seat or console to open a room rebuilds its copy
from the store (scenario + seed + the ordered log), at the room's current minute.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from engine.records import Event
from engine.scenario import Scenario
from engine.session import ActionError
from store.errors import Conflict, StoreError
from store.notify import RoomListener
from store.records import Viewer
from store.repository import Store
from store.room_records import NewEntry, Presence, RoomEntry, RoomMember
from stormdesk import room_auto
from stormdesk.catalogue import Catalogue
from stormdesk.room_seat import RoomUnavailable
from stormdesk.room_world import LAG_SECONDS, RoomCopy, replay_room

#: Read the log at least this often without a notification (seconds): the safety net behind
#: NOTIFY on PostgreSQL, the only way to hear another process on SQLite.
POLL_SECONDS_LISTENING = 5.0
POLL_SECONDS = 1.0
#: Presence read from the store at most this often per room (seconds).
PRESENCE_READ_SECONDS = 0.5
#: The roster is re-read this often per room (seconds): joins change it.
ROSTER_READ_SECONDS = 3.0
#: Attempts (and the pause between them) to store an entry before giving up.
APPEND_ATTEMPTS = 3
APPEND_RETRY_SECONDS = 0.2


def utc_now() -> datetime:
    return datetime.now(UTC)


class RoomCopies:
    """Copies by room id, the listener that marks them stale, and the log reads and writes."""

    def __init__(self, store: Store, catalogue: Callable[[], Catalogue],
                 clock: Callable[[], datetime] = utc_now,
                 lag_seconds: float = LAG_SECONDS,
                 versions: Callable[[str, str], Scenario | None] | None = None) -> None:
        self.store = store
        self._catalogue = catalogue
        self._versions = versions
        self._clock = clock
        self.lag_seconds = lag_seconds
        self._copies: dict[str, RoomCopy] = {}
        self._building: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._listener: RoomListener | None = None
        self._listening = False
        #: notified whenever a copy learns of new entries (tests and benchmarks wait on it)
        self.changed = threading.Condition()

    # ------------------------------------------------------------------------- listening
    def _listen(self) -> None:
        with self._guard:
            if self._listening:
                return
            self._listening = True
        self._listener = self.store.listen_rooms(self._heard)

    @property
    def poll_seconds(self) -> float:
        listener = self._listener
        return POLL_SECONDS_LISTENING if listener is not None and listener.connected.is_set() \
            else POLL_SECONDS

    def seconds(self) -> float:
        """The service's clock in seconds (the injected clock: tests move it by hand)."""
        return self._clock().timestamp()

    def _heard(self, room_id: str, seq: int) -> None:
        """A server appended to ``room_id`` up to ``seq`` (the listener's thread)."""
        copy = self._copies.get(room_id)
        if copy is not None and seq > copy.heard_seq:
            copy.heard_seq = seq
        self._wake()

    def _wake(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()

    # ---------------------------------------------------------------------------- copies
    def scenario(self, scenario_id: str, content_hash: str = "") -> Scenario | None:
        """The scenario a room plays: for a drill written in the editor, the exact version the
        room was opened on (``content_hash``); else the catalogue's."""
        if content_hash and self._versions is not None:
            exact = self._versions(scenario_id, content_hash)
            if exact is not None:
                return exact
        return self._catalogue().get(scenario_id)

    def copy_of(self, viewer: Viewer, room_id: str) -> RoomCopy:
        """This process's copy of a room the viewer may read (built by replay if new)."""
        copy = self._copies.get(room_id)
        if copy is not None:
            return copy
        self._listen()
        with self._guard:
            building = self._building.setdefault(room_id, threading.Lock())
        with building:  # one replay per room, however many seats arrive at once
            copy = self._copies.get(room_id)
            if copy is None:
                copy = self._build(viewer, room_id)
                self._copies[room_id] = copy
        return copy

    def _build(self, viewer: Viewer, room_id: str) -> RoomCopy:
        room, log = self.store.room_log(viewer, room_id)
        scenario = self.scenario(room.scenario_id, room.scenario_hash)
        if scenario is None:
            raise LookupError(f"scenario {room.scenario_id!r} is no longer installed")
        session, _ = replay_room(scenario, room.seed, [])
        copy = RoomCopy(room, scenario, session)
        with copy.lock:
            copy.apply(log)
            copy.polled_at = self.seconds()
            copy.advance(self._clock(), self.lag_seconds)
        return copy

    def forget(self, room_id: str) -> None:
        """Drop this process's copy (the next access rebuilds it from the store)."""
        with self._guard:
            self._copies.pop(room_id, None)

    # ------------------------------------------------------------------------- the log
    def sync(self, copy: RoomCopy, viewer: Viewer, force: bool = False) -> list[RoomEntry]:
        """Read and apply the log's new entries when due (call with ``copy.lock`` held)."""
        due = force or copy.stale or self.seconds() - copy.polled_at >= self.poll_seconds
        if not due:
            return []
        room, entries = self.store.room_log(viewer, copy.room.id, copy.applied)
        copy.polled_at = self.seconds()
        applied = copy.apply(entries)
        copy.room = room  # read with the entries: its clock and status are theirs
        if copy.applied < room.last_seq:  # a gap: read the rest at the next tick
            copy.polled_at = float("-inf")
        return applied

    def refresh(self, copy: RoomCopy, viewer: Viewer, force: bool = False) -> None:
        """``sync`` without holding the copy's lock during the database read (call without
        it): the seats sharing this copy keep drawing while one of them reads the log."""
        with copy.lock:
            if not (force or copy.stale
                    or self.seconds() - copy.polled_at >= self.poll_seconds):
                return
            after = copy.applied
            copy.polled_at = self.seconds()  # one reader per poll
        room, entries = self.store.room_log(viewer, copy.room.id, after)
        with copy.lock:
            copy.apply(entries)  # entries another seat applied meanwhile are skipped
            if room.last_seq >= copy.room.last_seq:
                copy.room = room
            if copy.applied < room.last_seq:  # a gap: read the rest at the next tick
                copy.polled_at = float("-inf")

    def catch_up(self, copy: RoomCopy, viewer: Viewer, seq: int) -> None:
        """Make sure entry ``seq`` is applied (after this server wrote it)."""
        if copy.applied < seq:
            self.refresh(copy, viewer, force=True)

    def append(self, viewer: Viewer, room_id: str, items: Sequence[NewEntry],
               auto: bool = False) -> list[RoomEntry]:
        """Store entries (retried with the same keys: idempotent); ``RoomUnavailable`` when the
        store stays unreachable. Refusals (``StoreError``) are raised as they are."""
        for attempt in range(APPEND_ATTEMPTS):
            try:
                stored = self.store.append_room(viewer, room_id, items, auto)
            except StoreError:
                raise
            except Exception as exc:  # the database is away: the same keys again, shortly
                if attempt + 1 == APPEND_ATTEMPTS:
                    raise RoomUnavailable("the room could not be reached; nothing was "
                                          "stored, send again") from exc
                time.sleep(APPEND_RETRY_SECONDS * (attempt + 1))
                continue
            self._wake()
            return stored
        raise RoomUnavailable("the room could not be reached")  # pragma: no cover

    def append_each(self, viewer: Viewer, room_id: str, items: Sequence[NewEntry],
                    auto: bool = False) -> list[RoomEntry]:
        """Like ``append``, but one entry at a time when the batch conflicts (round-robin: a
        thread another server assigned first keeps its assignment)."""
        try:
            return self.append(viewer, room_id, items, auto)
        except Conflict:
            stored = []
            for item in items:
                with contextlib.suppress(Conflict):
                    stored.extend(self.append(viewer, room_id, [item], auto))
            return stored

    # --------------------------------------------------------------------------- ticking
    def _outcome(self, copy: RoomCopy, viewer: Viewer, seq: int) -> list[Event]:
        """Entry ``seq`` applied here: its events, or the engine's refusal."""
        self.catch_up(copy, viewer, seq)
        with copy.lock:
            reason = copy.refused.get(seq)
            events = copy.events_of(seq)
        if reason is not None:
            raise ActionError(f"not applied: {reason}")
        return events

    def _tick_locked(self, copy: RoomCopy, viewer: Viewer) -> None:
        self.sync(copy, viewer)
        copy.advance(self._clock(), self.lag_seconds)

    def _tick(self, copy: RoomCopy, viewer: Viewer, deal: bool = True) -> None:
        """Catch the copy up; with ``deal``, deal out new customers when round-robin is on
        (seats deal; the lead's console only reads, so a page that only watches never writes)."""
        members = self._members(copy, viewer) if deal else []
        self.refresh(copy, viewer)
        with copy.lock:
            copy.advance(self._clock(), self.lag_seconds)
            due = room_auto.due(copy, members) if deal else []
        if due:
            try:
                stored = self.append_each(viewer, copy.room.id, due, auto=True)
            except (StoreError, RuntimeError):
                return  # switched off meanwhile, or the store is away: the next tick retries
            if stored:
                self.catch_up(copy, viewer, max(e.seq for e in stored))

    def _members(self, copy: RoomCopy, viewer: Viewer) -> list[RoomMember]:
        if self.seconds() - copy.members_at >= ROSTER_READ_SECONDS:
            try:
                copy.members = self.store.room_members(viewer, copy.room.id)
            except StoreError:
                raise
            except Exception:  # the database is away: the roster we had will do
                return copy.members
            copy.members_at = self.seconds()
        return copy.members

    # -------------------------------------------------------------------------- presence
    def presence(self, copy: RoomCopy, viewer: Viewer) -> list[Presence]:
        """Who is where in the room (read at most every ``PRESENCE_READ_SECONDS``)."""
        if self.seconds() - copy.presence_at >= PRESENCE_READ_SECONDS:
            with contextlib.suppress(StoreError):
                copy.presence = self.store.room_presence(viewer, copy.room.id)
            copy.presence_at = self.seconds()
        return copy.presence

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds, re-checked at each wake-up (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.1))
        return True
