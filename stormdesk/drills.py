"""The drill lifecycle: start, clock ticks, actions, saving, recovery, ending, scoring, coaching.

``Drills`` is the one service every driver of a solo drill goes through: the desk renders what
it returns and forwards the trainee's clicks, the headless player feeds it scripted actions,
tests and benchmarks call it directly. It never imports streamlit and never reads the wall
clock itself: callers pass wall seconds (the desk) or simulated minutes (the headless player).

Every action is written to the store as it happens (idempotent by sequence number, retried if a
write fails), so a refresh or a server restart rebuilds the drill from scenario + seed + the
stored actions: the engine is deterministic.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from engine.records import LEAD_ACTIONS, Action, Event, action_from_dict
from engine.scenario import Scenario
from engine.session import ActionError
from scoring.records import Scorecard
from store.errors import Conflict, DrillNotRunning, StoreError
from store.records import Drill, Viewer
from store.repository import Store
from stormdesk.catalogue import Catalogue
from stormdesk.clock import DrillClock
from stormdesk.coach import coach_reply
from stormdesk.drill import (
    Coaching,
    EndNeedsConfirmation,
    LiveDrill,
    Mode,
    UnsavedActions,
)
from stormdesk.grading import Grader, new_session
from stormdesk.inbox import InboxIndex
from stormdesk.world import world_of

#: Record the drill's simulated minute in the store at most this often (simulated minutes).
TOUCH_EVERY_MINUTES = 1.0
#: The id of a drill that is not stored (headless runs, previews).
LOCAL_DRILL = "local"


_WARMED: set[str] = set()
_WARM_LOCK = threading.Lock()


def warm_up(language: str) -> None:
    """Load the scorer's language tools in the background when a drill in ``language``
    starts: the Korean analyser takes ~3.5 s to load and warm, which the trainee's first
    reply would otherwise pay (the drill itself starts at once)."""
    if language != "ko":
        return
    with _WARM_LOCK:
        if language in _WARMED:
            return
        _WARMED.add(language)

    def load() -> None:
        from scoring.korean import warm_up as korean

        with contextlib.suppress(Exception):  # a failed warm-up only costs the first reply
            korean()

    threading.Thread(target=load, name="stormdesk-warm-ko", daemon=True).start()


def _inbox_for(drill_session: Any) -> InboxIndex:
    """An inbox over the session's own projection when it keeps one, else its own."""
    projection = getattr(drill_session, "projection", None)
    return InboxIndex(projection)


class Drills:
    """Solo drills for one app (``store`` None: nothing is persisted, e.g. headless runs)."""

    def __init__(self, store: Store | None, catalogue: Callable[[], Catalogue],
                 grader: Grader | None = None,
                 versions: Callable[[str, str], Scenario | None] | None = None) -> None:
        self.store = store
        self._catalogue = catalogue
        self.grader = grader or Grader()
        #: drills written in the editor: the exact published version, by id and content hash
        self._versions = versions

    # ------------------------------------------------------------------ starting
    def scenario(self, scenario_id: str) -> Scenario | None:
        return self._catalogue().get(scenario_id)

    def start(self, scenario: Scenario, seed: int, trainee: str, initials: str, mode: Mode,
              speed: float = 10.0, wall_seconds: float = 0.0,
              viewer: Viewer | None = None) -> LiveDrill:
        """A new drill at minute 0, stored when this app has a store and a viewer."""
        world = world_of(scenario)
        drill_id = LOCAL_DRILL
        if self.store is not None and viewer is not None:
            drill_id = self.store.start_drill(
                viewer, scenario.id, scenario.content_hash, seed, speed, mode,
                agent_name=trainee, initials=initials, world_version=world.version,
                world=world.components, drill_minutes=scenario.duration_minutes).id
        session = new_session(scenario, seed, agent=initials or trainee)
        warm_up(scenario.language)
        drill = LiveDrill(scenario, seed, trainee, initials, mode, session,
                          DrillClock(speed=speed, anchor_wall=wall_seconds), drill_id, world,
                          viewer, inbox=_inbox_for(session))
        drill.inbox.update(session.transcript)
        return drill

    # ------------------------------------------------------------------ recovery
    def running_record(self, viewer: Viewer) -> Drill | None:
        """The viewer's running drill in the store (None without a store)."""
        if self.store is None:
            return None
        return self.store.running_drill_for(viewer)

    def resume(self, viewer: Viewer, record: Drill, wall_seconds: float,
               trainee: str = "") -> LiveDrill:
        """Rebuild a running drill: replay its stored actions, then continue (paused) at the
        simulated minute it had reached. Raises LookupError when its scenario is gone."""
        assert self.store is not None
        scenario = None
        if self._versions is not None:  # a drill written in the editor: its exact version
            scenario = self._versions(record.scenario_id, record.scenario_hash)
        scenario = scenario or self.scenario(record.scenario_id)
        if scenario is None:
            raise LookupError(f"scenario {record.scenario_id!r} is no longer installed")
        stored = self.store.actions(viewer, record.id)
        initials = record.initials
        trainee = record.agent_name or trainee
        session = new_session(scenario, record.seed, agent=initials or trainee)
        session.replay((minute, action_from_dict(a)) for minute, a in stored)
        session.advance_to(record.last_minute)
        clock = DrillClock(speed=record.speed, anchor_wall=wall_seconds,
                           anchor_minute=session.now, paused=True)
        world = world_of(scenario)
        changed = world.differs_from(record.world)
        if not record.world and scenario.content_hash != record.scenario_hash:
            changed = ["scenario"]  # a drill from before world versions
        drill = LiveDrill(scenario, record.seed, trainee, initials, record.mode, session, clock,
                          record.id, world, viewer, inbox=_inbox_for(session),
                          actions=list(stored), resumed=True, touched_minute=session.now,
                          world_changed=changed)
        drill.inbox.update(session.transcript)
        drill.facts_seen = len(drill.inbox.projection.incident_updates)
        return drill

    # ------------------------------------------------------------------ the clock
    def tick(self, drill: LiveDrill, wall_seconds: float) -> list[Event]:
        """Advance the world to the clock's minute, index what happened, save and touch."""
        if drill.ended:
            return []
        return self.advance_to(drill, drill.clock.minute_at(wall_seconds), wall_seconds)

    def advance_to(self, drill: LiveDrill, minute: float,
                   wall_seconds: float | None = None) -> list[Event]:
        """Advance to a simulated minute (the headless player's clock)."""
        if drill.ended:
            return []
        new = drill.session.advance_to(minute)
        drill.inbox.update(drill.session.transcript)
        if drill.session.finished and not drill.clock.paused and wall_seconds is not None:
            drill.clock = drill.clock.at_minute(drill.session.now, wall_seconds).pause(
                wall_seconds)
        self.save(drill)
        self._touch(drill)
        return list(new)

    def _touch(self, drill: LiveDrill) -> None:
        if self.store is None or drill.viewer is None or drill.stale or \
                drill.session.now - drill.touched_minute < TOUCH_EVERY_MINUTES:
            return
        try:
            self.store.touch(drill.viewer, drill.drill_id, drill.session.now)
        except DrillNotRunning:
            drill.stale = True  # ended elsewhere (another tab)
            return
        except StoreError:
            raise
        except Exception:  # the database is away: the minute is only a resume hint
            return
        drill.touched_minute = drill.session.now

    def set_speed(self, drill: LiveDrill, speed: float, wall_seconds: float) -> None:
        self.tick(drill, wall_seconds)  # the minutes so far count at the old speed
        drill.clock = drill.clock.with_speed(speed, wall_seconds)

    def toggle_pause(self, drill: LiveDrill, wall_seconds: float) -> None:
        self.tick(drill, wall_seconds)
        drill.clock = (drill.clock.resume(wall_seconds) if drill.clock.paused
                       else drill.clock.pause(wall_seconds))

    # ------------------------------------------------------------------ actions
    def act(self, drill: LiveDrill, action: Action) -> list[Event]:
        """Apply a trainee action now (``ActionError`` propagates), then record and save it."""
        if drill.ended:
            raise DrillNotRunning("this drill has ended")
        if action.kind in LEAD_ACTIONS and drill.viewer is not None:
            raise ActionError("only an exercise's lead can inject mentions or change the "
                              "incident facts")
        events = drill.session.act(action)
        payload = action.to_dict()
        drill.unsaved.append((len(drill.actions), drill.session.now, payload))
        drill.actions.append((drill.session.now, payload))
        drill.inbox.update(drill.session.transcript)
        self.save(drill)
        return events

    def save(self, drill: LiveDrill) -> None:
        """Write recorded actions not yet in the store; on failure they wait for the next try
        (appends are idempotent by sequence number, so a retry never duplicates)."""
        if self.store is None or drill.viewer is None:
            drill.unsaved.clear()
            return
        while drill.unsaved and not drill.stale:
            seq, minute, payload = drill.unsaved[0]
            try:
                self.store.append_action(drill.viewer, drill.drill_id, seq, minute, payload)
            except (Conflict, DrillNotRunning):
                # Another tab moved this drill on (or ended it): this copy is out of date.
                drill.stale = True
                return
            except StoreError:
                raise  # a refusal is a bug to surface, not to retry
            except Exception:  # the database is away: keep the action, retry next refresh
                return
            drill.unsaved.pop(0)

    def resend(self, drill: LiveDrill, payloads: list[dict[str, Any]]) -> int:
        """Apply again actions a stale copy could not store; returns how many still applied."""
        applied = 0
        for payload in payloads:
            try:
                self.act(drill, action_from_dict(payload))
            except (ActionError, ValueError, TypeError):  # no longer applies
                continue
            applied += 1
        return applied

    # ------------------------------------------------------------------ ending
    def end(self, drill: LiveDrill, wall_seconds: float | None = None, *,
            play_out: bool = False) -> Scorecard:
        """End the drill and score it.

        Practice drills end at the current minute (a partial drill). An assessment ended
        before the scenario's end needs ``play_out=True`` (else ``EndNeedsConfirmation``): the
        remaining minutes are played with nobody answering (follow-ups, spread and SLA breaches
        all happen) and the whole drill is scored, so leaving early can never raise a score.
        Nothing is marked ended unless the store has it: a failure raises and the drill keeps
        running.
        """
        if drill.ended:
            return drill.scorecard
        if wall_seconds is not None:
            self.tick(drill, wall_seconds)
            drill.clock = drill.clock.pause(wall_seconds)
        end_minute = drill.session.now
        if drill.mode == "assessment" and not drill.session.finished:
            if not play_out:
                raise EndNeedsConfirmation(drill.remaining_minutes)
            end_minute = drill.scenario.duration_minutes
        self.save(drill)
        if drill.unsaved:
            raise UnsavedActions(len(drill.unsaved))
        card = self._final_scorecard(drill, end_minute)
        # The live copy follows: the desk and the scorecard page show the same transcript.
        drill.played_out = end_minute > drill.session.now
        drill.session.advance_to(end_minute)
        drill.inbox.update(drill.session.transcript)
        drill.ended = True
        drill.scorecard = card
        return card

    def _final_scorecard(self, drill: LiveDrill, end_minute: float) -> Scorecard:
        """The store grades what it holds (it never takes a score from its caller); without a
        store the grader replays this drill's own actions."""
        if self.store is None or drill.viewer is None:
            pairs = [(m, action_from_dict(a)) for m, a in drill.actions]
            return self.grader.grade(drill.scenario, drill.seed, pairs, end_minute, drill.mode,
                                     agent=drill.agent).scorecard
        record = self.store.end_drill(drill.viewer, drill.drill_id, end_minute)
        return Scorecard.from_dict(record.card)

    # ------------------------------------------------------------------ coaching
    def coach(self, drill: LiveDrill, thread_id: str, text: str, channel: str) -> Coaching:
        """The scorer's findings on a reply just sent, and a better version of it."""
        drill.coaching = coach_reply(drill, thread_id, text, channel)
        return drill.coaching
