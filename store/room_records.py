"""Frozen records of crisis rooms the store returns: the room and its stored clock, its roster,
its ordered log, who is on which thread, and the team's results."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from engine.records import Action, Event, action_from_dict, event_from_dict
from store.records import Mode, Status

EntryKind = Literal["action", "clock"]
#: Optional duties a lead gives roster members (round-robin assignment honours them).
DUTIES = ("", "status", "dms")


@dataclass(frozen=True, slots=True)
class RoomClock:
    """The room's one clock, as stored: the simulated minute at wall time ``at`` (UTC), the
    speed since then, and whether it is paused. Every process computes the same minute from
    it (wall clocks agree to NTP's milliseconds; the lockstep lag absorbs the rest)."""

    at: datetime
    minute: float
    speed: float
    paused: bool
    #: the scenario's length: the clock stops there
    length: float

    def minute_at(self, now: datetime) -> float:
        if self.paused:
            return min(self.minute, self.length)
        elapsed = max(0.0, (now - self.at).total_seconds())
        return min(self.length, self.minute + elapsed / 60.0 * self.speed)

    @property
    def started(self) -> bool:
        """Whether the clock ever ran (a room waits, paused at minute 0, for its lead)."""
        return not self.paused or self.minute > 0


@dataclass(frozen=True, slots=True)
class Room:
    """One flood (scenario + seed) worked by a team; ``id`` is the public, unguessable id."""

    id: str
    title: str
    team_id: int
    lead_id: int
    lead_username: str
    scenario_id: str
    scenario_hash: str
    seed: int
    mode: Mode
    status: Status
    world_version: str
    world: dict[str, str]
    drill_minutes: float
    created_at: datetime
    ended_at: datetime | None
    end_minute: float | None
    auto_assign: bool
    #: seq and minute of the newest log entry (-1 and 0.0 for an empty log)
    last_seq: int
    last_minute: float
    clock: RoomClock

    @property
    def running(self) -> bool:
        return self.status == "running"


@dataclass(frozen=True, slots=True)
class RoomMember:
    """A trainee on the roster. ``agent`` is how they sign and how the transcript names them
    (unique in the room); ``drill_id`` is their own drill once they joined."""

    user_id: int
    username: str
    display_name: str
    agent: str
    duty: str = ""
    joined_at: datetime | None = None
    drill_id: str | None = None

    @property
    def joined(self) -> bool:
        return self.joined_at is not None


@dataclass(frozen=True, slots=True)
class RoomEntry:
    """One entry of the room's log: an engine action stamped with its agent, or a clock
    change (``{"paused": bool, "speed": float}``), at the simulated minute it was taken."""

    seq: int
    minute: float
    kind: EntryKind
    action: dict[str, Any]
    agent: str
    user_id: int
    client_key: str
    created_at: datetime

    def to_action(self) -> Action:
        return action_from_dict(self.action)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What a caller appends: a key of its own (a retry with the same key is a no-op), and an
    engine action's JSON form or a clock change."""

    client_key: str
    action: dict[str, Any]
    kind: EntryKind = "action"


@dataclass(frozen=True, slots=True)
class RosterPick:
    """A trainee the lead puts on the roster, with an optional duty (``DUTIES``)."""

    user_id: int
    duty: str = ""


@dataclass(frozen=True, slots=True)
class Presence:
    """Who has a thread open (``typing``: with a draft in it), as of ``updated_at``."""

    user_id: int
    agent: str
    display_name: str
    thread_id: str | None
    typing: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RoomResult:
    """A stored team scorecard: the team-level card, the per-agent summaries and the room's
    collisions, hand-offs and unowned threads (``card``), as the grader made it."""

    id: int
    room_id: str
    scorer_version: str
    overall: float | None
    card: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RoomTranscript:
    room_id: str
    events_jsonl: str
    event_count: int
    created_at: datetime

    def events(self) -> list[Event]:
        return [event_from_dict(json.loads(line)) for line in self.events_jsonl.splitlines()
                if line.strip()]


@dataclass(frozen=True, slots=True)
class RoomSummary:
    """A room for lists: the record, its roster size and its current team result (if ended)."""

    room: Room
    members: int
    joined: int
    result: RoomResult | None = None
    member_overalls: dict[str, float | None] = field(default_factory=dict)
