"""Scripted trainees in a room (tests and ``benchmarks/bench_room.py``): each plays a seat with
``stormdesk.bots.Decent``, the yardstick trainee, through ``Rooms`` like a person at the room
desk would, sharing the flood with its teammates.

A bot looks at its share of the room: the threads assigned to it, and unowned ones it picks by
a stable split among the bots (as a team splits a queue), leaving threads a teammate answered
or owns alone. Only the bot named on status updates posts them. It decides while holding the
room's lock (the world must not move under it) and sends after releasing it, as the desk does.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from engine.projection import ThreadState
from engine.records import Action
from engine.session import ActionError
from store.errors import StoreError
from stormdesk.bots import Decent
from stormdesk.room_seat import RoomUnavailable, Seat
from stormdesk.rooms import Rooms


class _Recorder:
    """Stands in for ``Drills`` while the bot decides: its actions are kept, not applied."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    def act(self, _drill: Any, action: Action) -> list[Any]:
        self.actions.append(action)
        return []


@dataclass
class _Share:
    """The bot's share of the room's projection (what ``Decent`` reads): its threads, and the
    incident updates only when it posts the team's status updates."""

    projection: Any
    threads: dict[str, ThreadState]
    statuses_allowed: bool

    @property
    def incident_updates(self) -> list[Any]:
        return self.projection.incident_updates if self.statuses_allowed else []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.projection, name)


@dataclass
class _View:
    """A seat's ``LiveDrill`` with the inbox narrowed to the bot's share."""

    drill: Any
    inbox: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.drill, name)


@dataclass
class SeatBot:
    """``Decent`` at a seat: bot ``index`` of ``team`` bots (for the split)."""

    rooms: Rooms
    seat: Seat
    index: int = 0
    team: int = 1
    per_minute: int = 2
    posts_statuses: bool = False
    sent: int = 0
    refused: int = 0
    #: (monotonic seconds when stored and applied, transcript length then) per stored action:
    #: what a benchmark needs to time when a teammate's refresh shows it
    acked: list[tuple[float, int]] = field(default_factory=list)
    _bot: Decent = field(init=False)

    def __post_init__(self) -> None:
        self._bot = Decent(per_minute=self.per_minute)

    def mine(self, thread: ThreadState) -> bool:
        agent = self.seat.agent
        if thread.assignee:
            return thread.assignee == agent
        if thread.repliers and agent not in thread.repliers:
            return False
        return zlib.crc32(thread.thread_id.encode()) % self.team == self.index

    def play(self) -> int:
        """One turn: decide under the room's lock, send after; returns actions stored."""
        copy = self.rooms.copy_of(self.seat.viewer, self.seat.room_id)
        recorder = _Recorder()
        with copy.lock:
            drill = self.seat.drill
            projection = copy.session.projection
            share = _Share(projection, {t: s for t, s in projection.threads.items()
                                        if self.mine(s)}, self.posts_statuses)
            inbox = SimpleNamespace(threads=share.threads, projection=share)
            self._bot(recorder, _View(drill, inbox))  # type: ignore[arg-type]
        stored = 0
        for action in recorder.actions:
            try:
                events = self.rooms.act(self.seat, action, confirm=True)
            except (ActionError, StoreError, RoomUnavailable):
                self.refused += 1
                continue
            stored += 1
            if events:  # event ids count from e000001: the transcript length that shows it
                self.acked.append((time.monotonic(), int(events[-1].event_id[1:])))
        self.sent += stored
        return stored
