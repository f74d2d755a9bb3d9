"""Crisis rooms: a team works one live flood together, a lead runs the exercise.

``Rooms`` is the one service every driver of a room goes through (the room desk and the lead's
console in Streamlit, tests, the benchmark's simulated trainees), as ``Drills`` is for solo
drills. The room owns one world and one clock, kept in the store: the clock is stored (every
start, pause and speed change is an entry of the room's log), and trainee actions are
serialised in the order the store receives them, stamped with their agent, and written to the
store *before* any server applies them (``store.room_log``). Each server process replays the
log into its own copy of the world in lockstep (``stormdesk.room_world``), so trainees on
different servers see the same room. A refresh or a restart rejoins at the room's minute.

Collision control: who has which thread open (or a draft in it) is presence in the store; a
reply to a thread a teammate answered since it was opened needs ``confirm=True``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from engine.records import LEAD_ACTIONS, Action, Event, MoveToDm, Reply
from engine.scenario import Scenario
from engine.session import ActionError
from store.errors import RoomNotRunning
from store.records import Viewer
from store.repository import Store
from store.room_records import NewEntry, RoomMember
from stormdesk.catalogue import Catalogue
from stormdesk.clock import DrillClock
from stormdesk.drill import LiveDrill
from stormdesk.grading import Grader
from stormdesk.inbox import InboxIndex
from stormdesk.room_copies import utc_now
from stormdesk.room_grading import RoomStoreGrader
from stormdesk.room_lead import RoomLead
from stormdesk.room_seat import AnsweredMeanwhile, Seat
from stormdesk.room_validate import check_action
from stormdesk.room_views import (
    DeskView,
    figures,
    here_by_thread,
    queue_rows,
    thread_view,
)
from stormdesk.room_world import LAG_SECONDS, RoomCopy
from stormdesk.world import world_of

if TYPE_CHECKING:  # app.py may build a Rooms: no import cycle at run time
    from stormdesk.app import StormDesk

#: A seat writes its presence at least this often (seconds), and on every change.
PRESENCE_BEAT_SECONDS = 5.0


class Rooms(RoomLead):
    """Rooms for one app. Unless the store already grades rooms, it is given this service's
    room grader (the app's ``Grader``: the same judge as solo drills)."""

    def __init__(self, store: Store, catalogue: Callable[[], Catalogue],
                 grader: Grader | None = None, clock: Callable[[], datetime] = utc_now,
                 lag_seconds: float = LAG_SECONDS,
                 versions: Callable[[str, str], Scenario | None] | None = None) -> None:
        super().__init__(store, catalogue, clock, lag_seconds, versions)
        self.grader = grader or Grader()
        if not store.has_room_grader:
            store.attach_room_grader(RoomStoreGrader(self.scenario, self.grader))

    # ================================================================== the trainee's side
    def join(self, viewer: Viewer, room_id: str) -> Seat:
        """Take (or retake, after a refresh or a restart) the viewer's seat, at the room's
        current minute."""
        member = self.store.join_room(viewer, room_id)
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            self._tick_locked(copy, viewer)
            clock = copy.room.clock
            drill = LiveDrill(copy.scenario, copy.room.seed, member.display_name, member.agent,
                              copy.room.mode, copy.session,
                              DrillClock(clock.speed, 0.0, copy.session.now, clock.paused),
                              member.drill_id or "", world_of(copy.scenario), viewer,
                              inbox=InboxIndex(copy.session.projection))
            drill.inbox.update(copy.session.transcript)
        seat = Seat(room_id, member, viewer, drill)
        copy.members_at = float("-inf")  # the roster changed: this member joined
        self._beat(seat, force=True)
        return seat

    def tick(self, seat: Seat) -> None:
        """A seat's refresh: the room catches up (log, clock, round-robin) and the seat with it."""
        copy = self.copy_of(seat.viewer, seat.room_id)
        self._tick(copy, seat.viewer)
        with copy.lock:
            self._follow(seat, copy)
        self._beat(seat)

    def desk(self, seat: Seat, filter_name: str = "all", sort: str = "oldest waiting",
             page: int = 1, limit: int = 40) -> DeskView:
        """What the seat's desk draws now (call ``tick`` first)."""
        copy = self.copy_of(seat.viewer, seat.room_id)
        presence = self.presence(copy, seat.viewer)
        members = self._members(copy, seat.viewer)
        here = here_by_thread(presence, seat.viewer.user_id)
        with copy.lock:
            self._follow(seat, copy)
            drill = seat.drill
            rows, total = queue_rows(copy.session, drill.inbox, copy.scenario, here,
                                     filter_name, sort, seat.agent, limit,
                                     max(0, page - 1) * limit)
            selected = copy.session.projection.threads.get(drill.selected or "")
            view = None if selected is None else thread_view(
                copy.session, selected, here, seat.unseen_replies(selected))
            counts = drill.inbox.counters(copy.session.now, copy.scenario.sla_minutes)
            mine = sum(1 for t in copy.session.projection.threads.values()
                       if t.assignee == seat.agent and t.waiting_since is not None)
            return DeskView(figures(copy.scenario, copy.session, copy.room.clock,
                                    copy.room.status),
                            tuple(rows), total, counts.get("unread", 0), mine, view,
                            tuple(h for hs in here_by_thread(presence, None).values()
                                  for h in hs), tuple(members))

    def open_thread(self, seat: Seat, thread_id: str) -> None:
        """The seat opens a thread: it is read, its teammates' replies so far are seen, and the
        others see this member on it."""
        copy = self.copy_of(seat.viewer, seat.room_id)
        with copy.lock:
            thread = copy.session.projection.threads.get(thread_id)
            if thread is None:
                raise ActionError(f"no thread {thread_id!r} in this room")
            seat.drill.selected = thread_id
            seat.drill.inbox.mark_seen(thread_id)
            seat.mark_opened(thread)
        seat.typing = False
        self._beat(seat, force=True)

    def roster(self, viewer: Viewer, room_id: str) -> list[RoomMember]:
        """The room's roster (re-read every few seconds: joins change it)."""
        return self._members(self.copy_of(viewer, room_id), viewer)

    def set_typing(self, seat: Seat, typing: bool) -> None:
        """The seat has a draft in its open thread (or no longer): teammates see it."""
        if bool(typing) != seat.typing:
            seat.typing = bool(typing)
            self._beat(seat, force=True)

    def act(self, seat: Seat, action: Action, confirm: bool = False) -> list[Event]:
        """A trainee action in the room: checked against the world now, stamped with the
        seat's agent, stored in the room's log, then applied; returns its events.

        ``AnsweredMeanwhile`` when a teammate answered the thread since this seat opened it
        (send again with ``confirm=True``); ``ActionError`` when it cannot apply;
        ``RoomUnavailable`` when the store cannot be reached (nothing stored)."""
        if action.kind in LEAD_ACTIONS:
            raise ActionError("only the room's lead injects mentions or changes the incident "
                              "facts")
        action = dataclasses.replace(action, agent=seat.agent)
        copy = self.copy_of(seat.viewer, seat.room_id)
        roster = {m.agent for m in self._members(copy, seat.viewer)}
        thread_id = getattr(action, "thread_id", None)
        self.refresh(copy, seat.viewer, force=copy.stale)
        with copy.lock:
            copy.advance(self._clock(), self.lag_seconds)
            if not copy.room.running:
                raise RoomNotRunning("this room has ended")
            check_action(copy.session, action, roster)
            thread = copy.session.projection.threads.get(thread_id or "")
            if thread is not None and isinstance(action, Reply | MoveToDm) and not confirm:
                unseen = seat.unseen_replies(thread)
                if unseen:
                    raise AnsweredMeanwhile(thread.thread_id, sorted({e.agent for e in unseen}),
                                            [e.text for e in unseen])
        payload = action.to_dict()
        pending = json.dumps(payload, sort_keys=True)
        key = seat.pending.setdefault(pending, seat.next_key())  # a resend reuses its key
        (entry,) = self.append(seat.viewer, seat.room_id, [NewEntry(key, payload)])
        seat.pending.pop(pending, None)
        try:
            events = self._outcome(copy, seat.viewer, entry.seq)
        finally:
            with copy.lock:
                self._follow(seat, copy)
                if thread is not None:
                    seat.mark_opened(thread)
        return events

    # ========================================================================= plumbing
    def _follow(self, seat: Seat, copy: RoomCopy) -> None:
        """Point the seat at the copy's session (a rebuild replaces it) and index what is new
        (call with ``copy.lock`` held)."""
        drill = seat.drill
        if drill.session is not copy.session:
            drill.session = copy.session
            drill.inbox = InboxIndex(copy.session.projection)
        drill.inbox.update(copy.session.transcript)
        clock = copy.room.clock
        drill.clock = DrillClock(clock.speed, 0.0, copy.session.now, clock.paused)
        seat.ended = not copy.room.running

    def _beat(self, seat: Seat, force: bool = False) -> None:
        """Write the seat's presence (its open thread, typing or not) when due."""
        if not force and self.seconds() - seat.beat_at < PRESENCE_BEAT_SECONDS:
            return
        if seat.ended:
            return
        try:
            self.store.set_room_presence(seat.viewer, seat.room_id, seat.drill.selected,
                                         seat.typing)
        except Exception:  # presence is a courtesy: never fail a refresh over it
            return
        seat.beat_at = self.seconds()
        copy = self._copies.get(seat.room_id)
        if copy is not None:
            copy.presence_at = float("-inf")  # read it again: this seat moved


_BY_APP: weakref.WeakKeyDictionary[StormDesk, Rooms] = weakref.WeakKeyDictionary()
_BY_APP_LOCK = threading.Lock()


def rooms_of(app: StormDesk) -> Rooms:
    """The app's rooms service: ``app.rooms`` when the app builds one, else one made here
    once per app (over its store, catalogue and grader)."""
    own = getattr(app, "rooms", None)
    if isinstance(own, Rooms):
        return own
    with _BY_APP_LOCK:
        found = _BY_APP.get(app)
        if found is None:
            found = _BY_APP[app] = Rooms(app.store, app.catalogue, app.grader,
                                         versions=app.editor.resolve)
        return found
