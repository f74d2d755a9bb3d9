"""A member's seat in a room: their own view of the shared world (what they have seen, their
drafts, the thread they have open) over the room's one session, and what the room's collision
control needs to know about them (replies by teammates they have not seen yet).

``drill`` is a ``LiveDrill`` over the room's shared session, so the desk's thread and queue
views can render a seat as they render a solo drill; what happens to it (ticks, actions,
presence) goes through ``stormdesk.rooms.Rooms``.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from engine.projection import ThreadState
from engine.records import ReplySent
from engine.session import ActionError
from store.records import Viewer
from store.room_records import RoomMember
from stormdesk.drill import LiveDrill


class AnsweredMeanwhile(ActionError):
    """A teammate answered this customer since the seat opened the thread: send anyway only
    once the trainee confirms (``Rooms.act(..., confirm=True)``)."""

    def __init__(self, thread_id: str, agents: list[str], texts: list[str]) -> None:
        who = ", ".join(agents)
        super().__init__(f"{who} answered this customer since you opened the thread")
        self.thread_id = thread_id
        self.agents = agents
        self.texts = texts


class RoomUnavailable(RuntimeError):
    """The store could not be reached: nothing was stored (the draft stays; send again)."""


def others_replies(thread: ThreadState, agent: str) -> list[ReplySent]:
    return [e for e in thread.events if isinstance(e, ReplySent) and e.agent != agent]


@dataclass
class Seat:
    """One member in one room, in one browser session (a refresh makes a new one)."""

    room_id: str
    member: RoomMember
    viewer: Viewer
    drill: LiveDrill
    #: random per seat: the prefix of this seat's client keys (idempotent retries)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(6))
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    #: thread id -> teammates' replies in it when this seat last opened or answered it
    opened: dict[str, int] = field(default_factory=dict)
    #: action JSON -> the key it was sent with, until stored (a resend reuses it: no double)
    pending: dict[str, str] = field(default_factory=dict)
    typing: bool = False
    #: when the presence was last written (the service's clock, seconds)
    beat_at: float = float("-inf")
    #: the room ended: the scorecard link replaces the desk
    ended: bool = False

    @property
    def agent(self) -> str:
        return self.member.agent

    def next_key(self) -> str:
        return f"{self.token}:{next(self._counter)}"

    def mark_opened(self, thread: ThreadState) -> None:
        self.opened[thread.thread_id] = len(others_replies(thread, self.agent))

    def unseen_replies(self, thread: ThreadState) -> list[ReplySent]:
        """Teammates' replies to ``thread`` since this seat opened it (none if it never did)."""
        seen = self.opened.get(thread.thread_id)
        if seen is None:
            return []
        return others_replies(thread, self.agent)[seen:]
