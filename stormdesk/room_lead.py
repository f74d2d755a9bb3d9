"""The lead's side of a room: opening it, the one clock (start, pause, resume, speed), live
injects and incident updates, round-robin assignment, the board, ending it for everyone, and
what is read after the end (the team scorecard, the timeline, teams compared on one flood).

A mixin of ``stormdesk.rooms.Rooms``: every change is an entry of the room's ordered log (the
clock too), so every server computes the same minute and replays the same world.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence

from engine.records import LEAD_ACTIONS, Event, InjectMention
from engine.records import UpdateIncident as UpdateIncidentAction
from engine.scenario import Scenario
from engine.session import ActionError
from scoring.records import Scorecard
from store.errors import AccessDenied, Conflict, InvalidInput, RoomNotRunning
from store.records import Status, User, Viewer
from store.room_records import NewEntry, Room, RoomResult, RoomSummary, RosterPick
from store.rooms import NewRoom
from stormdesk.drill import EndNeedsConfirmation, Mode
from stormdesk.room_copies import RoomCopies
from stormdesk.room_reports import RoomReport, TimelineLine, peers, timeline
from stormdesk.room_validate import check_live
from stormdesk.room_views import Board, board
from stormdesk.room_world import replay_room
from stormdesk.world import world_of

#: Remaining minutes below this count as "played to the end" (the store keeps 3 decimals).
END_SLACK_MINUTES = 1e-3


class RoomLead(RoomCopies):
    """Opening, running, ending and reading rooms (managers of the room's team, admins)."""

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

    def room_now(self, viewer: Viewer, room_id: str) -> Room:
        """The room as this server knows it now (clock, status, round-robin switch)."""
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            self.sync(copy, viewer)
            return copy.room

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
        self._tick(copy, viewer, deal=False)
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

    # ======================================================================= after the end
    def report(self, viewer: Viewer, room_id: str) -> RoomReport | None:
        """The ended room's team scorecard, members and timeline (None while it runs, or when
        the viewer may not see it)."""
        try:
            result = self.store.room_result(viewer, room_id)
            if result is None:
                return None
            room, log = self.store.room_log(viewer, room_id)
            members = self.store.room_members(viewer, room_id)
        except (AccessDenied, InvalidInput):
            return None
        scenario = self.scenario(room.scenario_id, room.scenario_hash)
        if scenario is None:
            return None
        copy = self._copies.get(room_id)
        if copy is not None and copy.applied == room.last_seq:
            with copy.lock:
                refused = dict(copy.refused)
        else:
            refused = replay_room(scenario, room.seed, log)[1]
        return RoomReport(room, scenario, members, result, Scorecard.from_dict(result.card),
                          timeline(scenario, log, refused))

    def timeline(self, viewer: Viewer, room_id: str, last: int = 12) -> list[TimelineLine]:
        """The room's latest entries, said for people (the lead's board)."""
        copy = self.copy_of(viewer, room_id)
        with copy.lock:
            return timeline(copy.scenario, copy.log[-last:], copy.refused)

    def peers(self, viewer: Viewer, room: Room) -> list[RoomSummary]:
        """Ended rooms of the same scenario and seed the viewer can see (teams compared)."""
        return peers(self.store, viewer, room)

    def injects(self, room_id: str, viewer: Viewer) -> list[InjectMention]:
        """The scenario's scripted injects as live ones the lead can fire now (the scripted
        one still arrives at its own minute: the flood never depends on what happens)."""
        copy = self.copy_of(viewer, room_id)
        out = []
        for inject in copy.scenario.injects:
            author = inject.author
            out.append(InjectMention(
                inject.persona, inject.intent, inject.text, inject.sentiment, agent="lead",
                author_handle=author.handle if author else "",
                display_name=author.display_name if author else "",
                followers=author.followers if author else 0,
                verified=author.verified if author else False,
                bio=author.bio if author else ""))
        return out
