"""One server's copy of a room's world, kept in lockstep with the room's ordered log.

The log in the store is the source of truth; every server process replays it into its own
``TrainingSession`` (the engine is deterministic: same scenario + seed + actions at the same
minutes = the same transcript, byte for byte). Two rules keep every copy identical:

1. **Entries apply in seq order, each at its own minute.** ``advance_to(entry.minute)``, then
   ``act``. An entry the engine refuses (a thread a teammate resolved a moment earlier) raises
   the same ``ActionError`` in every copy, before the engine changed anything, so every copy
   skips it the same way (``refused``).
2. **The world never runs ahead of an entry it has not seen.** Between entries a copy advances
   only to the room's minute *minus a lag* (``LAG_SECONDS`` of wall time at the room's speed);
   a new entry is stamped by the store with the room's minute *now*, under the room's lock, so
   it is never behind a copy's world as long as it reaches the copy within the lag. If one ever
   is (a server stalled longer than the lag), the copy is rebuilt from the log: slower, never
   different (``rebuilds`` counts it).

Paused, a copy advances to the paused minute itself: nothing can be stamped before it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.records import Event
from engine.scenario import Scenario
from engine.session import ActionError, TrainingSession
from store.room_records import Presence, Room, RoomEntry, RoomMember
from stormdesk.grading import new_session

#: Wall seconds a copy's world stays behind the room's clock: covers the store's commit, the
#: notification and clock skew between servers (NTP keeps them within milliseconds).
LAG_SECONDS = 1.0
#: Minutes closer than this are the same minute (the store keeps three decimals).
EPSILON_MINUTES = 1e-9


def apply_entry(session: TrainingSession, entry: RoomEntry) -> str | None:
    """Apply one log entry; the reason when the engine refuses it (every copy refuses it)."""
    if entry.kind != "action":
        return None  # a clock change: it moves minutes, not the world
    session.advance_to(entry.minute)
    try:
        session.act(entry.to_action())
    except ActionError as exc:
        return str(exc)
    return None


def replay_room(scenario: Scenario, seed: int, log: Iterable[RoomEntry],
                until_minute: float | None = None) -> tuple[TrainingSession, dict[int, str]]:
    """A fresh session with the whole log applied (then advanced to ``until_minute``), and
    the entries it refused by seq: what every server and the grader compute alike."""
    session = new_session(scenario, seed, agent="room")
    refused: dict[int, str] = {}
    for entry in log:
        reason = apply_entry(session, entry)
        if reason is not None:
            refused[entry.seq] = reason
    if until_minute is not None:
        session.advance_to(until_minute)
    return session, refused


def lag_minutes(speed: float, lag_seconds: float = LAG_SECONDS) -> float:
    return lag_seconds * speed / 60.0


@dataclass
class RoomCopy:
    """A room as this process plays it: the record (clock, status), the log applied so far,
    the session, and what the engine refused. Guard every read and write with ``lock``
    (Streamlit runs each browser session in its own thread; they share this copy)."""

    room: Room
    scenario: Scenario
    session: TrainingSession
    log: list[RoomEntry] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    #: transcript slice [start, end) each applied entry produced, by seq
    produced: dict[int, tuple[int, int]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    #: the highest seq another server announced (NOTIFY); newer than ``applied``: read the log
    heard_seq: int = -1
    #: when the log was last read (the service's clock, seconds)
    polled_at: float = -math.inf
    rebuilds: int = 0
    #: presence read from the store, and when (the service's clock, seconds)
    presence: list[Presence] = field(default_factory=list)
    presence_at: float = -math.inf
    #: the roster, read from the store every few seconds (joins change it)
    members: list[RoomMember] = field(default_factory=list)
    members_at: float = -math.inf
    #: round-robin: threads already offered (by key) and the cursor into the thread order
    auto_keys: set[str] = field(default_factory=set)
    auto_cursor: int = 0
    auto_on: bool = False

    @property
    def applied(self) -> int:
        """The seq of the last entry applied (-1: none)."""
        return self.log[-1].seq if self.log else -1

    @property
    def stale(self) -> bool:
        """Another server wrote entries this copy has not read yet."""
        return self.heard_seq > self.applied

    def apply(self, entries: Sequence[RoomEntry]) -> list[RoomEntry]:
        """Apply the entries that follow ``applied`` (older ones are skipped, a gap stops);
        returns those applied. Rebuilds from the log when the world ran past one."""
        applied: list[RoomEntry] = []
        for entry in entries:
            if entry.seq <= self.applied:
                continue
            if entry.seq != self.applied + 1:
                break  # read again from the store: never apply out of order
            if entry.kind == "action" and entry.minute < self.session.now - EPSILON_MINUTES:
                self.log.append(entry)
                self._rebuild()
            else:
                self._apply_one(entry)
            applied.append(entry)
        return applied

    def _apply_one(self, entry: RoomEntry) -> None:
        if entry.kind == "action":
            self.session.advance_to(entry.minute)
        start = len(self.session.transcript)
        reason = apply_entry(self.session, entry)
        if reason is not None:
            self.refused[entry.seq] = reason
        self.produced[entry.seq] = (start, len(self.session.transcript))
        if entry.seq > self.applied:
            self.log.append(entry)

    def _rebuild(self) -> None:
        """Replay the whole log into a new session (the world had run past an entry)."""
        log = list(self.log)
        self.session = new_session(self.scenario, self.room.seed, agent="room")
        self.log, self.refused, self.produced = [], {}, {}
        for entry in log:
            self._apply_one(entry)
        self.rebuilds += 1

    def target_minute(self, now: datetime, lag_seconds: float = LAG_SECONDS) -> float:
        """How far this copy may advance at wall time ``now`` (lockstep: see the module)."""
        clock = self.room.clock
        minute = clock.minute_at(now)
        if not clock.paused:
            minute -= lag_minutes(clock.speed, lag_seconds)
        return max(0.0, min(minute, self.room.drill_minutes))

    def advance(self, now: datetime, lag_seconds: float = LAG_SECONDS) -> Sequence[Event]:
        """Run the world to ``target_minute`` (never back); returns the new events."""
        target = self.target_minute(now, lag_seconds)
        if self.room.status != "running" and self.room.end_minute is not None:
            target = max(target, self.room.end_minute)
        if target <= self.session.now:
            return []
        return self.session.advance_to(target)

    def events_of(self, seq: int) -> list[Event]:
        start, end = self.produced.get(seq, (0, 0))
        return list(self.session.transcript[start:end])
