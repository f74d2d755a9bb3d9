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
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime

from engine.records import LEAD_ACTIONS, Action, Event, InjectMention, MoveToDm, Reply
from engine.records import UpdateIncident as UpdateIncidentAction
from engine.scenario import Scenario
from engine.session import ActionError
from store.errors import Conflict, RoomNotRunning, StoreError
from store.records import Status, User, Viewer
from store.repository import Store
from store.room_records import NewEntry, Room, RoomMember, RoomResult, RoomSummary, RosterPick
from store.rooms import NewRoom
from stormdesk import room_auto
from stormdesk.catalogue import Catalogue
from stormdesk.clock import DrillClock
from stormdesk.drill import EndNeedsConfirmation, LiveDrill, Mode
from stormdesk.grading import Grader
from stormdesk.inbox import InboxIndex
from stormdesk.room_copies import RoomCopies, utc_now
from stormdesk.room_grading import RoomStoreGrader
from stormdesk.room_seat import AnsweredMeanwhile, Seat
from stormdesk.room_validate import check_action, check_live
from stormdesk.room_views import (
    Board,
    DeskView,
    board,
    figures,
    here_by_thread,
    queue_rows,
    thread_view,
)
from stormdesk.room_world import LAG_SECONDS, RoomCopy
from stormdesk.world import world_of

#: A seat writes its presence at least this often (seconds), and on every change.
PRESENCE_BEAT_SECONDS = 5.0
#: The roster is re-read this often per room (seconds): joins change it.
ROSTER_READ_SECONDS = 3.0
#: Remaining minutes below this count as "played to the end" (the store keeps 3 decimals).
END_SLACK_MINUTES = 1e-3


class Rooms(RoomCopies):
    """Rooms for one app. Unless the store already grades rooms, it is given this service's
    room grader (the app's ``Grader``: the same judge as solo drills)."""

    def __init__(self, store: Store, catalogue: Callable[[], Catalogue],
                 grader: Grader | None = None, clock: Callable[[], datetime] = utc_now,
                 lag_seconds: float = LAG_SECONDS) -> None:
        super().__init__(store, catalogue, clock, lag_seconds)
        self.grader = grader or Grader()
        if not store.has_room_grader:
            store.attach_room_grader(RoomStoreGrader(self.scenario, self.grader))

    # ==================================================================== the lead's side
    def trainees(self, viewer: Viewer, team_id: int | None = None) -> list[User]:
        """Active trainees the viewer can put on a roster (their team; an admin's choice)."""
        return [u for u in self.store.users(viewer) if u.role == "trainee" and u.is_active
                and (team_id is None or u.team_id == team_id)]

    def open(self, viewer: Viewer, scenario: Scenario, seed: int, roster: Sequence[RosterPick],
             *, mode: Mode = "practice", speed: float = 10.0, title: str = "",
             team_id: int | None = None) -> Room:
        """A new room, paused at minute 0 until its lead starts it."""
        world = world_of(scenario)
        return self.store.open_room(viewer, NewRoom(
            title=title.strip() or scenario.title, scenario_id=scenario.id,
            scenario_hash=scenario.content_hash, seed=seed,
            drill_minutes=scenario.duration_minutes, roster=tuple(roster), speed=speed,
            mode=mode, world_version=world.version, world=world.components, team_id=team_id))

    def rooms(self, viewer: Viewer, *, running: bool | None = None,
              scenario_id: str | None = None, seed: int | None = None,
              team_id: int | None = None) -> list[RoomSummary]:
        """Visible rooms, newest first (a trainee's: those they are on the roster of)."""
        status: Status | None = None if running is None else ("running" if running
                                                                else "ended")
        return self.store.rooms_for(viewer, status=status, scenario_id=scenario_id, seed=seed,
                                    team_id=team_id)

    def set_clock(self, viewer: Viewer, room_id: str, *, paused: bool | None = None,
                  speed: float | None = None) -> Room:
        """Start, pause, resume or change the speed for the whole room (a log entry)."""
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            self.sync(copy, viewer, force=True)
            clock = copy.room.clock
        change = {"paused": clock.paused if paused is None else bool(paused),
                  "speed": clock.speed if speed is None else float(speed)}
        (entry,) = self.append(viewer, room_id, [
            NewEntry(f"clock:{secrets.token_urlsafe(9)}", change, "clock")])
        self.catch_up(copy, viewer, entry.seq)
        return copy.room

    def lead_act(self, viewer: Viewer, room_id: str,
                 action: InjectMention | UpdateIncidentAction) -> list[Event]:
        """A live inject or incident update: checked like a scenario's, stored, applied."""
        if action.kind not in LEAD_ACTIONS:
            raise ActionError("the lead injects mentions and changes the incident facts; "
                              "trainees answer")
        action = dataclasses.replace(action, agent="lead")
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            self._tick_locked(copy, viewer)
            if not copy.room.running:
                raise RoomNotRunning("this room has ended")
            check_live(copy.session, action)
        (entry,) = self.append(viewer, room_id, [
            NewEntry(f"lead:{secrets.token_urlsafe(9)}", action.to_dict())])
        return self._outcome(copy, viewer, entry.seq)

    def set_auto_assign(self, viewer: Viewer, room_id: str, on: bool) -> Room:
        room = self.store.set_room_auto_assign(viewer, room_id, on)
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            self.sync(copy, viewer, force=True)
        self._wake()
        return room

    def console(self, viewer: Viewer, room_id: str) -> Board:
        """The lead's board now (ticks the room like a seat does)."""
        copy = self.copy_of(viewer, room_id)
        self._tick(copy, viewer)
        presence = self.presence(copy, viewer)
        members = self._members(copy, viewer)
        with copy.lock:
            return board(copy.scenario, copy.session, copy.room.clock, copy.room.status,
                         members, presence, copy.room.auto_assign, copy.rebuilds)

    def end(self, viewer: Viewer, room_id: str, play_out: bool = False) -> RoomResult:
        """End the room for everyone and grade it (the store grades its own log).

        An assessment room ended before the scenario's end needs ``play_out=True`` (else
        ``EndNeedsConfirmation``): the rest is played with nobody answering, as for drills."""
        copy = self.copy_of(viewer, room_id)
        result: RoomResult | None = None
        for attempt in range(2):
            with copy.lock:
                self.sync(copy, viewer, force=True)
                room = copy.room
                minute = room.clock.minute_at(self._clock())
            if not room.running:  # ended already (another tab, another lead)
                result = self.store.room_result(viewer, room_id)
                if result is not None:
                    break
            minute = max(round(min(minute, room.drill_minutes), 3), room.last_minute)
            if room.mode == "assessment" and room.drill_minutes - minute > END_SLACK_MINUTES:
                if not play_out:
                    raise EndNeedsConfirmation(room.drill_minutes - minute)
                minute = room.drill_minutes
            try:
                result = self.store.end_room(viewer, room_id, minute)
                break
            except RoomNotRunning:
                raise
            except Conflict:  # a trainee's action landed while grading: grade it too
                if attempt:
                    raise
        assert result is not None
        with copy.lock:
            self.sync(copy, viewer, force=True)
            copy.advance(self._clock(), self.lag_seconds)
        self._wake()
        return result

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
        with copy.lock:
            self._tick_locked(copy, seat.viewer)
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
        events = self._outcome(copy, seat.viewer, entry.seq, seat)
        if thread is not None:
            with copy.lock:
                seat.mark_opened(thread)
        return events

    # ========================================================================= plumbing
    def _outcome(self, copy: RoomCopy, viewer: Viewer, seq: int,
                 seat: Seat | None = None) -> list[Event]:
        """Entry ``seq`` applied here: its events, or the engine's refusal."""
        self.catch_up(copy, viewer, seq)
        with copy.lock:
            reason = copy.refused.get(seq)
            events = copy.events_of(seq)
            if seat is not None:
                self._follow(seat, copy)
        if reason is not None:
            raise ActionError(f"not applied: {reason}")
        return events

    def _tick_locked(self, copy: RoomCopy, viewer: Viewer) -> None:
        self.sync(copy, viewer)
        copy.advance(self._clock(), self.lag_seconds)

    def _tick(self, copy: RoomCopy, viewer: Viewer) -> None:
        """Catch the copy up and deal out new customers when round-robin is on."""
        members = self._members(copy, viewer)
        with copy.lock:
            self._tick_locked(copy, viewer)
            due = room_auto.due(copy, members)
        if due:
            try:
                stored = self.append_each(viewer, copy.room.id, due, auto=True)
            except (StoreError, RuntimeError):
                return  # switched off meanwhile, or the store is away: the next tick retries
            if stored:
                self.catch_up(copy, viewer, max(e.seq for e in stored))

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
