"""Helpers of the room contract tests: a room of team X (lead mx, trainees alice and carol), and
a fake room grader that builds transcripts and cards from the log it is handed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store import NewEntry, NewRoom, Room, RoomEntry, RoomGraded, RoomMember, RosterPick, Store

from .conftest import World, card

ROOM_MINUTES = 30.0


def new_room(store: Store, world: World, *, mode: str = "practice", speed: float = 60.0,
             seed: int = 7, duties: tuple[str, str] = ("", "")) -> Room:
    """A room of team X led by mx, alice and carol on the roster (nobody joined yet)."""
    spec = NewRoom(title="Outage drill", scenario_id="telecom-outage", scenario_hash="h1",
                   seed=seed, drill_minutes=ROOM_MINUTES, speed=speed,
                   mode=mode,  # type: ignore[arg-type]
                   roster=(RosterPick(world.a.id, duties[0]), RosterPick(world.c.id, duties[1])),
                   world_version="w1", world={"scenario": "h1"})
    return store.open_room(world.v("mx"), spec)


def reply(thread: str = "t000001", text: str = "Sorry, we're on it") -> dict[str, Any]:
    return {"kind": "reply", "agent": "whoever", "thread_id": thread, "text": text,
            "channel": "public"}


def entry(key: str, action: dict[str, Any] | None = None, kind: str = "action") -> NewEntry:
    return NewEntry(key, action if action is not None else reply(),
                    kind)  # type: ignore[arg-type]


def start_clock(store: Store, world: World, room: Room, speed: float = 60.0,
                key: str = "start") -> RoomEntry:
    (started,) = store.append_room(world.v("mx"), room.id,
                                   [entry(key, {"paused": False, "speed": speed}, "clock")])
    return started


@dataclass
class FakeRoomGrader:
    """Team and seat cards from the log: a seat's coverage counts the threads its agent
    replied to; ``during`` runs while grading (to stage races)."""

    customers: int = 4
    calls: list[tuple[Room, list[RoomMember], list[RoomEntry], float]] = field(
        default_factory=list)
    during: Callable[[], object] | None = None
    skip_user: int | None = None

    def grade_room(self, room: Room, members: list[RoomMember], log: list[RoomEntry],
                   end_minute: float) -> RoomGraded:
        self.calls.append((room, members, log, end_minute))
        if self.during is not None:
            self.during()
        actions = [e for e in log if e.kind == "action"]
        seats = {}
        for member in members:
            if member.drill_id is None or member.user_id == self.skip_user:
                continue
            mine = [e for e in actions if e.agent == member.agent]
            seats[member.user_id] = (self._transcript(room, mine),
                                     self._card(room, mine, end_minute, 60.0 + len(mine)))
        return RoomGraded(self._transcript(room, actions),
                          self._card(room, actions, end_minute, 70.0), seats)

    def _card(self, room: Room, actions: list[RoomEntry], end_minute: float,
              score: float) -> dict[str, Any]:
        scorecard = card({"speed": score}, score, scenario_id=room.scenario_id, seed=room.seed)
        replied = {e.action.get("thread_id") for e in actions if e.action["kind"] == "reply"}
        scorecard.update(minutes_played=end_minute, drill_minutes=room.drill_minutes,
                         complete=end_minute >= room.drill_minutes, mode=room.mode,
                         world=room.world_version, failed=[],
                         coverage={"customers": self.customers, "answered": len(replied),
                                   "share": len(replied) / self.customers},
                         team={"agents": sorted({e.agent for e in actions})})
        return scorecard

    @staticmethod
    def _transcript(room: Room, actions: list[RoomEntry]) -> str:
        lines = [json.dumps({"type": "SessionStarted", "event_id": "e0", "minute": 0.0,
                             "scenario_id": room.scenario_id, "scenario_hash": "h1",
                             "seed": room.seed, "language": "en",
                             "duration_minutes": room.drill_minutes})]
        for n, e in enumerate(actions, start=1):
            if e.action["kind"] != "reply":
                continue
            lines.append(json.dumps({
                "type": "ReplySent", "event_id": f"e{n}", "minute": e.minute,
                "reply_id": f"r{n}", "thread_id": e.action["thread_id"], "channel": "public",
                "text": e.action["text"], "agent": e.agent, "moves_to_dm": False,
                "in_reply_to": None}))
        return "\n".join(lines) + "\n"
